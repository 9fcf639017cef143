// `loopkube run TARGET`: one HTTP request from inside the cluster, as a pod or node would make
// it — from a node's address (so a ClusterIP answers), with names resolved by the cluster DNS
// (`http://web.default.svc.cluster.local/`, `http://web/`). The CLI's `curl --interface`.
import http from 'node:http';
import { ApiError } from '../api/errors.js';
import { parseTarget, resolveTarget, TargetError } from '../load/target.js';
import { CliError, UsageError, durationFlag, intFlag, parseFlags } from './args.js';
import { fetchListenerReport, type ListenersReport } from '../observe/listener-problems.js';
import { openCluster } from './cluster-access.js';
import { explainConnectError } from './connect-errors.js';

export const RUN_HELP = `Make HTTP requests from inside the cluster: from a node's address (a ClusterIP answers
only there), with service names resolved by the cluster DNS, and print what answered.

Usage:
  loopkube run TARGET [options]

TARGET:
  svc/NAME[:PORT]        a Service, through its ClusterIP
  http://HOST[:PORT]/P   any URL; HOST may be a cluster name (web, web.default, web.default.svc.cluster.local)

Options:
  --node NAME            the node to connect from (default: the first Ready node)
  --from IP              connect from this address instead (a node or pod IP)
  -n, --namespace NS     namespace for svc/ targets and short names (default: default)
  --count N              send N requests, each on a new connection (default: 1)
  --timeout D            per request (default: 5s)
  --path PATH            request path for svc/ targets (default: /)
  --name CLUSTER         cluster name (default: the only running cluster, else the one 'up' started last)
  -h, --help             show this help

Examples:
  loopkube run svc/web
  loopkube run http://web.default.svc.cluster.local/ --node node-2 --count 3
  loopkube run http://127.96.0.20:80/ --from 127.10.0.1
`;

const FLAGS = {
  node: { type: 'string' },
  from: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  count: { type: 'string' },
  timeout: { type: 'string' },
  path: { type: 'string' },
  name: { type: 'string' },
} as const;

interface Answer {
  status: number;
  body: string;
}

function get(host: string, port: number, path: string, hostHeader: string, localAddress: string | undefined, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path, headers: { Host: hostHeader }, agent: false, ...(localAddress ? { localAddress } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('run', argv, FLAGS, true);
  if (values.help) {
    process.stdout.write(RUN_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('run', 'exactly one TARGET is required');
  if (values.node && values.from) throw new UsageError('run', '--node and --from cannot be used together');
  const count = intFlag('run', '--count', values.count, 1, 10_000) ?? 1;
  const timeoutMs = durationFlag('run', '--timeout', values.timeout) ?? 5000;
  let spec;
  try {
    spec = parseTarget(positionals[0]!);
  } catch (err) {
    if (err instanceof TargetError) throw new CliError(err.message);
    throw err;
  }
  const cluster = openCluster(values.name, true)!;
  try {
    const target = await resolveTarget(spec, {
      namespace: values.namespace ?? 'default',
      via: 'cluster-ip',
      ...(values.node ? { node: values.node } : {}),
      ...(values.from ? { from: [values.from] } : {}),
      ...(values.path ? { path: values.path } : {}),
      client: cluster.client,
      ...(cluster.dns ? { dns: cluster.dns } : {}),
    });
    // A URL with an IP needs a source address too: default to the first Ready node's.
    let from: string | undefined = target.from[0];
    if (!from && spec.kind === 'url') {
      const viaNode = await resolveTarget({ kind: 'service', name: 'kubernetes' }, { namespace: 'default', via: 'cluster-ip', ...(values.node ? { node: values.node } : {}), client: cluster.client }).catch(() => undefined);
      from = viaNode?.from[0];
    }
    process.stderr.write(`${target.description}${from && !target.description.includes(from) ? ` from ${from}` : ''}\n`);
    for (const n of target.notes) process.stderr.write(`note: ${n}\n`);
    let failures = 0;
    let report: ListenersReport | null | undefined;
    for (let i = 0; i < count; i++) {
      const ep = target.endpoints[i % target.endpoints.length]!;
      try {
        const a = await get(ep.host, ep.port, target.path, target.hostHeader, from, timeoutMs);
        process.stdout.write(a.body.endsWith('\n') ? a.body : `${a.body}\n`);
        if (a.status >= 400) failures++;
      } catch (err) {
        failures++;
        const code = (err as NodeJS.ErrnoException).code;
        const address = `${ep.host}:${ep.port}`;
        if (code === 'ECONNREFUSED' || code === 'ECONNRESET') {
          report ??= await fetchListenerReport(cluster.config);
          process.stderr.write(`error: ${address}: ${explainConnectError(code, address, report, { readyEndpoints: target.expectedPods.length, from, nodes: cluster.config.nodes })}\n`);
        } else {
          process.stderr.write(`error: ${address}: ${(err as Error).message}\n`);
        }
      }
    }
    return failures === 0 ? 0 : 1;
  } catch (err) {
    if (err instanceof TargetError) throw new CliError(err.message);
    if (err instanceof ApiError) throw new CliError(err.message);
    throw err;
  } finally {
    cluster.client.close();
  }
}

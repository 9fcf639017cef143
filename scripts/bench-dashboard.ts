/// <reference lib="dom" />
// `npm run bench:dashboard`: is the dashboard (and the service map) still responsive with a
// cluster at scale? Measured in headless Chromium (Debian's /usr/bin/chromium via
// playwright-core), against a real cluster under real traffic.
//
// For each size (default: a small cluster of 10 Services x 10 pods, then 100 Services x 10 pods
// = 1,000 pods), it starts `loopkube up --nodes N` in a LOOPKUBE_HOME of its own, creates the
// ReplicationControllers and ClusterIP Services, waits for every endpoint to be ready, and runs a
// light keep-alive load from the nodes' addresses through every Service (so every endpoint bar
// and every map edge moves). Then, in Chromium:
//   - dashboard: time from navigation to the first render showing the cluster; the cost of each
//     render (one per hub tick, 2/s) and the page's frame intervals over --seconds;
//   - service map: time from navigation to the first laid-out map; each ELK layout; the cost of
//     each per-tick update; frame intervals.
// A frame budget is 16.7 ms (60 Hz); the table shows the 1,000-pod figures beside the small
// cluster's and their ratio (how the page scales), with the load average.
//
//   npm run bench:dashboard [-- --nodes 10 --services 100 --replicas 10 --seconds 20 --small 10]
//
// Not a test: the numbers depend on the machine and on what else runs on it.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import type { EndpointSlice, Service } from '../src/api/types.js';
import { formatTable } from '../src/cli/table.js';
import { createApiClient, type ApiClient } from '../src/client/client.js';
import { clientConfigFromHome } from '../src/client/config.js';
import { CLI, freePort, cli, pool } from './bench-cluster.js';

const CHROMIUM = '/usr/bin/chromium';
const NS = 'default';

const { values: flags } = parseArgs({
  options: {
    nodes: { type: 'string', default: '10' },
    services: { type: 'string', default: '100' },
    replicas: { type: 'string', default: '10' },
    small: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '20' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (flags.help) {
  process.stdout.write('Usage: npm run bench:dashboard [-- --nodes 10 --services 100 --replicas 10 --small 10 --seconds 20]\n  --small S   the comparison cluster has S Services (0: none)\n');
  process.exit(0);
}
function count(name: string, v: string | undefined, min = 1): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number of at least ${min}, got ${v}`);
  return n;
}
const NODES = count('nodes', flags.nodes);
const SERVICES = count('services', flags.services);
const REPLICAS = count('replicas', flags.replicas);
const SMALL = count('small', flags.small, 0);
const SECONDS = count('seconds', flags.seconds);
if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm run build)`);
if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);

const progress = (line: string): void => void process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);

const quantile = (xs: number[], q: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

/** One keep-alive connection per Service, from a node's address to its ClusterIP, a request every `pauseMs`. */
function startLoad(targets: Array<{ ip: string; from: string }>, pauseMs: number): { stop(): Promise<void>; answered(): number } {
  let stopped = false;
  let answered = 0;
  const loops = targets.map(async ({ ip, from }) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    while (!stopped) {
      await new Promise<void>((resolve) => {
        const req = http.get({ host: ip, port: 80, path: '/', agent, localAddress: from, timeout: 5000 }, (res) => {
          res.resume();
          res.on('end', () => {
            answered++;
            resolve();
          });
        });
        req.on('timeout', () => req.destroy());
        req.on('error', () => resolve());
      });
      await sleep(pauseMs);
    }
    agent.destroy();
  });
  return {
    answered: () => answered,
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

interface PageFigures {
  firstMs: number;
  workMs: number[];
  frames: number[];
  layouts?: Array<{ ms: number; nodes: number; edges: number }>;
}

/** Frame intervals over `seconds`, from requestAnimationFrame in the page. */
async function frameIntervals(page: Page, seconds: number): Promise<number[]> {
  return page.evaluate(
    (ms) =>
      new Promise<number[]>((resolve) => {
        const out: number[] = [];
        let last = performance.now();
        const end = last + ms;
        const step = (t: number): void => {
          out.push(t - last);
          last = t;
          if (t < end) requestAnimationFrame(step);
          else resolve(out);
        };
        requestAnimationFrame(step);
      }),
    seconds * 1000,
  );
}

async function measureDashboard(page: Page, url: string, pods: number): Promise<PageFigures> {
  await page.goto(url);
  await page.waitForFunction((n) => document.querySelectorAll('[data-pod]').length >= n, pods, { timeout: 120_000 });
  const firstMs = await page.evaluate(() => (window as unknown as { loopkubeDashboard: { firstRenderAt: number } }).loopkubeDashboard.firstRenderAt);
  await page.evaluate(() => void ((window as unknown as { loopkubeDashboard: { renders: number[] } }).loopkubeDashboard.renders.length = 0));
  const frames = await frameIntervals(page, SECONDS);
  const workMs = await page.evaluate(() => (window as unknown as { loopkubeDashboard: { renders: number[] } }).loopkubeDashboard.renders.slice());
  return { firstMs, workMs, frames };
}

async function measureMap(page: Page, url: string): Promise<PageFigures> {
  type MapStats = { updates: number[]; layouts: Array<{ ms: number; nodes: number; edges: number; at: number }> };
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { loopkubeMap?: MapStats }).loopkubeMap?.layouts.length, undefined, { timeout: 180_000 });
  const firstMs = await page.evaluate(() => {
    const l = (window as unknown as { loopkubeMap: MapStats }).loopkubeMap.layouts[0]!;
    return l.at;
  });
  await page.evaluate(() => void ((window as unknown as { loopkubeMap: MapStats }).loopkubeMap.updates.length = 0));
  const frames = await frameIntervals(page, SECONDS);
  const stats = await page.evaluate(() => {
    const m = (window as unknown as { loopkubeMap: MapStats }).loopkubeMap;
    return { updates: m.updates.slice(), layouts: m.layouts.map((l) => ({ ms: l.ms, nodes: l.nodes, edges: l.edges })) };
  });
  return { firstMs, workMs: stats.updates, frames, layouts: stats.layouts };
}

async function runSize(services: number, index: number): Promise<{ pods: number; dashboard: PageFigures; map: PageFigures; reqPerSec: number }> {
  const name = `bench-dashboard-${index}`;
  const loopkubeHome = mkdtempSync(path.join(os.tmpdir(), 'loopkube-bench-dashboard-'));
  const env = { ...process.env, LOOPKUBE_HOME: loopkubeHome };
  const home = path.join(loopkubeHome, name);
  const configFile = path.join(loopkubeHome, 'cluster.yaml');
  const apiPort = await freePort();
  // an address block of its own, away from the tests' random blocks and bench:scale's
  writeFileSync(
    configFile,
    JSON.stringify({
      kind: 'Cluster',
      apiVersion: 'loopkube.dev/v1alpha1',
      name,
      networking: { apiServerPort: apiPort, nodeSubnet: `127.10.${241 + index}.0/24`, podSubnet: `127.${241 + index}.0.0/16`, serviceSubnet: `127.${243 + index}.0.0/16`, loadBalancerPool: `127.${245 + index}.0.0/24` },
    }),
  );
  let client: ApiClient | undefined;
  let load: { stop(): Promise<void>; answered(): number } | undefined;
  const down = async (): Promise<void> => {
    const r = await cli(['down', '--name', name, '--purge'], env);
    if (r.code !== 0) progress(`loopkube down failed: ${r.output}`);
    rmSync(loopkubeHome, { recursive: true, force: true });
  };
  onInterrupt = down;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  try {
    progress(`${name}: loopkube up --nodes ${NODES}, ${services} Services x ${REPLICAS} pods...`);
    const up = await cli(['up', '--name', name, '--nodes', String(NODES), '--config', configFile, '--api-port', String(apiPort)], env);
    if (up.code !== 0) throw new Error(`loopkube up failed (exit ${up.code}):\n${up.output}`);
    const config = JSON.parse(readFileSync(path.join(home, 'cluster.json'), 'utf8')) as { nodes: Array<{ ip: string }> };
    const api = createApiClient(clientConfigFromHome(home), { requestTimeoutMs: 60_000 });
    client = api;
    const clusterIPs: string[] = [];
    await pool(
      Array.from({ length: services }, (_, i) => i),
      8,
      async (i) => {
        const app = `app-${String(i).padStart(3, '0')}`;
        await api.create(`/api/v1/namespaces/${NS}/replicationcontrollers`, {
          apiVersion: 'v1',
          kind: 'ReplicationController',
          metadata: { name: app },
          spec: {
            replicas: REPLICAS,
            selector: { app },
            template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'app', image: 'loopkube/app', ports: [{ containerPort: 8080 }], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } },
          },
        });
        const svc = await api.create<Service>(`/api/v1/namespaces/${NS}/services`, { apiVersion: 'v1', kind: 'Service', metadata: { name: app }, spec: { selector: { app }, ports: [{ port: 80, targetPort: 8080 }] } });
        clusterIPs.push(svc.spec.clusterIP!);
      },
    );
    const pods = services * REPLICAS;
    for (let last = -1; ; ) {
      const slices = await api.list<EndpointSlice>(`/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`);
      const ready = slices.items.reduce((n, s) => n + (s.endpoints ?? []).filter((e) => e.conditions?.ready).length, 0);
      if (ready >= pods) break;
      if (ready !== last) progress(`${name}: ${ready}/${pods} endpoints ready`);
      last = ready;
      await sleep(1000);
    }
    const nodeIPs = config.nodes.map((n) => n.ip);
    // about 2 requests/s per pod, spread over the nodes' addresses
    load = startLoad(
      clusterIPs.map((ip, i) => ({ ip, from: nodeIPs[i % nodeIPs.length]! })),
      Math.max(50, 1000 / (2 * REPLICAS)),
    );
    await sleep(3000);
    const url = (await cli(['dashboard', '--name', name], env)).output.trim();
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    progress(`${name}: dashboard...`);
    const before = load.answered();
    const t0 = Date.now();
    const dashboard = await measureDashboard(page, url, pods);
    progress(`${name}: service map...`);
    const map = await measureMap(page, url.replace('/?token=', '/map?token='));
    const reqPerSec = (load.answered() - before) / ((Date.now() - t0) / 1000);
    return { pods, dashboard, map, reqPerSec };
  } finally {
    await load?.stop();
    await browser.close().catch(() => undefined);
    client?.close();
    await down();
    onInterrupt = undefined;
  }
}

const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '-');

async function main(): Promise<void> {
  const sizes = SMALL > 0 && SMALL !== SERVICES ? [SMALL, SERVICES] : [SERVICES];
  const results: Array<Awaited<ReturnType<typeof runSize>>> = [];
  for (const [i, s] of sizes.entries()) {
    try {
      results.push(await runSize(s, i));
    } catch (err) {
      // a size that could not be measured (a loaded machine may not start 10 nodes in time):
      // say so, and show what was measured
      progress(`${s} Services: ${(err as Error).message.split('\n').slice(0, 3).join(' ')}`);
      if (results.length === 0) throw err;
      break;
    }
  }
  const big = results.at(-1)!;
  const small = results.length > 1 ? results[0]! : undefined;
  const rows: Array<[string, (r: (typeof results)[number]) => number]> = [
    ['dashboard: first render after navigation, ms', (r) => r.dashboard.firstMs],
    ['dashboard: render per tick, p50 ms', (r) => quantile(r.dashboard.workMs, 0.5)],
    ['dashboard: render per tick, p95 ms', (r) => quantile(r.dashboard.workMs, 0.95)],
    ['dashboard: frame interval, p95 ms', (r) => quantile(r.dashboard.frames, 0.95)],
    ['dashboard: longest frame, ms', (r) => Math.max(...r.dashboard.frames)],
    ['map: first layout on screen after navigation, ms', (r) => r.map.firstMs],
    ['map: ELK layout (in a worker), ms', (r) => r.map.layouts?.[0]?.ms ?? NaN],
    ['map: update per tick, p50 ms', (r) => quantile(r.map.workMs, 0.5)],
    ['map: update per tick, p95 ms', (r) => quantile(r.map.workMs, 0.95)],
    ['map: frame interval, p95 ms', (r) => quantile(r.map.frames, 0.95)],
  ];
  const head = small ? ['METRIC', `${small.pods} PODS`, `${big.pods} PODS`, 'RATIO'] : ['METRIC', `${big.pods} PODS`];
  const table = rows.map(([label, f]) => (small ? [label, f1(f(small)), f1(f(big)), `${(f(big) / f(small)).toFixed(2)}x`] : [label, f1(f(big))]));
  const layout = big.map.layouts?.[0];
  const out = [
    '',
    `bench:dashboard: ${NODES} nodes, ${SERVICES} ClusterIP Services x ${REPLICAS} pods under keep-alive load (~${Math.round(big.reqPerSec)} req/s), headless Chromium, ${SECONDS} s of frames`,
    `map at ${big.pods} pods: ${layout?.nodes ?? '?'} graph nodes, ${layout?.edges ?? '?'} edges; frame budget at 60 Hz: 16.7 ms`,
    `load average: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (${os.cpus().length} CPUs)`,
    '',
    formatTable(head, table),
    '',
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

/** Ctrl-C: the cluster being measured is taken down before the process leaves. */
let onInterrupt: (() => Promise<void>) | undefined;
process.once('SIGINT', () => {
  progress('interrupted: loopkube down --purge...');
  void (onInterrupt?.() ?? Promise.resolve()).finally(() => process.exit(130));
});
main().catch((err: unknown) => {
  process.stderr.write(`bench-dashboard: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});

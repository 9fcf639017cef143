// `npm run bench:scale`: a cluster at scale, and how fast the proxy follows changes with it loaded.
//
// Starts `loopkube up --nodes 10` in a LOOPKUBE_HOME of its own, then creates 100
// ReplicationControllers of 10 replicas (small cpu/memory requests, so 100 pods fit on a node)
// and 100 ClusterIP Services over them: 1,000 serving pods. It measures
//   - pods Running and Ready over time (from a pod watch): time to 50 / 90 / 100 %, pods per second;
//   - when every endpoint is in the proxy: once a Service's EndpointSlices list all its replicas
//     ready, it opens new connections from a node's IP to the ClusterIP until every replica has
//     answered (round-robin: one round is enough once the proxy has them all); the proxy's /stats
//     then lists every endpoint (its per-endpoint counters appear on first traffic, so /stats
//     alone cannot tell an endpoint the proxy knows from one it does not);
//   - memory: VmRSS of every process (from /proc/<pid>/status, pids from <home>/pids), right
//     after `up` and with all the pods running, and per pod on each node.
// Then, with all of that in place, convergence (one sample at a time):
//   - pod deleted -> its endpoint gone from the proxy's /stats (the pod had answered through the
//     proxy, so /stats listed it; the proxy drops an endpoint's counters when a routing snapshot
//     no longer holds it);
//   - Service created (selecting pods already running) -> its ClusterIP listener accepts a TCP
//     connection from a node's IP.
// Then `down --purge`, also on failure and on Ctrl-C.
//
//   npm run bench:scale [-- --nodes 10 --services 100 --replicas 10 --samples 20]
//
// Not a test: the numbers depend on the machine and on what else runs on it.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { EndpointSlice, Pod, Service } from '../src/api/types.js';
import { formatTable } from '../src/cli/table.js';
import { createApiClient, type ApiClient, type Watch } from '../src/client/client.js';
import { clientConfigFromHome } from '../src/client/config.js';
import { attempt } from '../src/demo/http.js';
import { listPidFiles } from '../src/supervisor/pid-files.js';
import type { TrafficSnapshot } from '../proxy/stats.js';
import { CLI, freePort, cli, pool } from './bench-cluster.js';

const NAME = 'bench-scale';
const NS = 'default';
const POD_PATH = `/api/v1/namespaces/${NS}/pods`;
const SVC_PATH = `/api/v1/namespaces/${NS}/services`;
const RC_PATH = `/api/v1/namespaces/${NS}/replicationcontrollers`;
const SLICE_PATH = `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`;
const TARGET_PORT = 8080;

const { values: flags } = parseArgs({
  options: {
    nodes: { type: 'string', default: '10' },
    services: { type: 'string', default: '100' },
    replicas: { type: 'string', default: '10' },
    samples: { type: 'string', default: '20' },
    'timeout-seconds': { type: 'string', default: '600' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (flags.help) {
  process.stdout.write('Usage: npm run bench:scale [-- --nodes 10 --services 100 --replicas 10 --samples 20 --timeout-seconds 600]\n');
  process.exit(0);
}
function wholeNumber(name: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number of at least 1, got ${v}`);
  return n;
}
const NODES = wholeNumber('nodes', flags.nodes);
const SERVICES = wholeNumber('services', flags.services);
const REPLICAS = wholeNumber('replicas', flags.replicas);
const SAMPLES = wholeNumber('samples', flags.samples);
const TIMEOUT_MS = wholeNumber('timeout-seconds', flags['timeout-seconds']) * 1000;
const PODS = SERVICES * REPLICAS;
if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm run build)`);

const progress = (line: string): void => void process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);

/** VmRSS of a process in bytes, or NaN when it is gone. */
function rss(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

function rssByProcess(home: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, pid] of listPidFiles(path.join(home, 'pids'))) out.set(name, rss(pid));
  return out;
}

/** The cluster's bearer token: the proxy's /stats and /metrics need it. */
let clusterToken = '';
const authorized = (): http.RequestOptions => ({ agent: false, timeout: 5000, headers: { Authorization: `Bearer ${clusterToken}` } });

function getJson<T>(url: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, authorized(), (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body) as T);
        } catch (err) {
          reject(err as Error);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url}`)));
  });
}

function getText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, authorized(), (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** Resolves true once a TCP connection from `from` to host:port is accepted, false on refusal. */
function tcpAccepts(host: string, port: number, from: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port, localAddress: from });
    sock.setTimeout(2000);
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
    sock.once('timeout', () => {
      sock.destroy();
      resolve(false);
    });
  });
}

/** A watch that starts again (listing afresh) whenever the server ends it. */
function keepWatching<T extends Pod | EndpointSlice>(client: ApiClient, p: string, onObject: (type: string, obj: T) => void): { stop(): void } {
  let stopped = false;
  let current: Watch;
  const start = (): void => {
    current = client.watch<T>(p, {}, {
      onEvent: (ev) => onObject(ev.type, ev.object),
      onClose: () => {
        if (!stopped) setTimeout(start, 100);
      },
    });
  };
  start();
  return {
    stop() {
      stopped = true;
      current.stop();
    },
  };
}

const isReady = (p: Pod): boolean => !p.metadata.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

const svcName = (i: number): string => `svc-${i}`;
const rcObject = (i: number): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'ReplicationController',
  metadata: { name: `rc-${i}` },
  spec: {
    replicas: REPLICAS,
    selector: { app: svcName(i) },
    template: {
      metadata: { labels: { app: svcName(i) } },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'loopkube/echo',
            ports: [{ containerPort: TARGET_PORT }],
            resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '10m', memory: '16Mi' } },
          },
        ],
      },
    },
  },
});
const svcObject = (name: string, app: string): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { type: 'ClusterIP', selector: { app }, ports: [{ port: 80, targetPort: TARGET_PORT }] },
});

const quantile = (xs: number[], q: number): number => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
};
const ms = (x: number): string => (Number.isFinite(x) ? x.toFixed(0) : '-');
const sec = (x: number): string => (Number.isFinite(x) ? (x / 1000).toFixed(1) : '-');
const mib = (b: number): string => (Number.isFinite(b) ? (b / 1024 / 1024).toFixed(1) : '-');

let cleanup: (() => Promise<void>) | null = null;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    progress(`${sig}: tearing the cluster down...`);
    void (cleanup ? cleanup() : Promise.resolve()).finally(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  const loopkubeHome = mkdtempSync(path.join(os.tmpdir(), 'loopkube-bench-scale-'));
  const env = { ...process.env, LOOPKUBE_HOME: loopkubeHome };
  const home = path.join(loopkubeHome, NAME);
  const configFile = path.join(loopkubeHome, 'cluster.yaml');
  const apiPort = await freePort();
  // An address block of its own (the tests pick random blocks from 127.10.x, 127.150-239, ...).
  writeFileSync(
    configFile,
    JSON.stringify({
      kind: 'Cluster',
      apiVersion: 'loopkube.dev/v1alpha1',
      name: NAME,
      networking: {
        apiServerPort: apiPort,
        nodeSubnet: '127.10.240.0/24',
        podSubnet: '127.190.0.0/16',
        serviceSubnet: '127.140.0.0/16',
        loadBalancerPool: '127.240.0.0/24',
      },
    }),
  );
  let tornDown = false;
  const watches: Array<{ stop(): void }> = [];
  let client: ApiClient | null = null;
  cleanup = async () => {
    if (tornDown) return;
    tornDown = true;
    for (const w of watches) w.stop();
    client?.close();
    const down = await cli(['down', '--name', NAME, '--purge'], env);
    if (down.code !== 0) progress(`loopkube down failed: ${down.output}`);
    rmSync(loopkubeHome, { recursive: true, force: true });
  };

  try {
    progress(`loopkube up --nodes ${NODES}...`);
    const tUp = Date.now();
    const up = await cli(['up', '--name', NAME, '--nodes', String(NODES), '--config', configFile, '--api-port', String(apiPort), '--no-kubeconfig'], env);
    const upMs = Date.now() - tUp;
    if (up.code !== 0) throw new Error(`loopkube up failed (exit ${up.code}):\n${up.output}`);
    progress(`up returned after ${sec(upMs)} s`);
    const config = JSON.parse(readFileSync(path.join(home, 'cluster.json'), 'utf8')) as { nodes: Array<{ name: string; ip: string }>; proxy: { metricsPort: number } };
    clusterToken = readFileSync(path.join(home, 'pki', 'token'), 'utf8').trim();
    const statsUrl = `http://127.0.0.1:${config.proxy.metricsPort}/stats`;
    const metricsUrl = `http://127.0.0.1:${config.proxy.metricsPort}/metrics`;
    const nodeIPs = config.nodes.map((n) => n.ip);
    await sleep(2000);
    const rssIdle = rssByProcess(home);

    const api = createApiClient(clientConfigFromHome(home), { requestTimeoutMs: 60_000 });
    client = api;

    // ---- scale -------------------------------------------------------------------------------
    const t0 = Date.now();
    const readyAt = new Map<string, number>();
    const pods = new Map<string, Pod>();
    watches.push(
      keepWatching<Pod>(api, POD_PATH, (type, p) => {
        const name = p.metadata.name ?? '';
        if (type === 'DELETED') pods.delete(name);
        else if (type === 'ADDED' || type === 'MODIFIED') pods.set(name, p);
        if (type !== 'DELETED' && isReady(p) && p.status?.phase === 'Running' && !readyAt.has(name)) readyAt.set(name, Date.now() - t0);
      }),
    );
    const slices = new Map<string, EndpointSlice>();
    watches.push(
      keepWatching<EndpointSlice>(api, SLICE_PATH, (type, s) => {
        if (type === 'DELETED') slices.delete(s.metadata.name ?? '');
        else if (type === 'ADDED' || type === 'MODIFIED') slices.set(s.metadata.name ?? '', s);
      }),
    );
    const readySliceEndpoints = (service: string): number => {
      let n = 0;
      for (const s of slices.values()) {
        if (s.metadata.labels?.['kubernetes.io/service-name'] !== service) continue;
        n += (s.endpoints ?? []).filter((e) => e.conditions?.ready).length;
      }
      return n;
    };

    progress(`creating ${SERVICES} RCs of ${REPLICAS} and ${SERVICES} ClusterIP Services...`);
    const clusterIPs = new Map<string, string>();
    const indexes = Array.from({ length: SERVICES }, (_, i) => i);
    await pool(indexes, 8, async (i) => {
      await api.create(RC_PATH, rcObject(i));
      const svc = await api.create<Service>(SVC_PATH, svcObject(svcName(i), svcName(i)));
      clusterIPs.set(svcName(i), svc.spec.clusterIP!);
    });
    const createdMs = Date.now() - t0;
    progress(`objects created after ${sec(createdMs)} s`);

    // Probe each Service through the proxy once its slices list every replica ready.
    const servedAt = new Map<string, number>();
    const pending = new Set(indexes.map(svcName));
    const deadline = t0 + TIMEOUT_MS;
    let lastReport = 0;
    while (pending.size) {
      if (Date.now() > deadline) {
        throw new Error(
          `after ${sec(TIMEOUT_MS)} s: ${readyAt.size}/${PODS} pods Ready, ${servedAt.size}/${SERVICES} services served by all their replicas; ` +
            `pods by phase: ${JSON.stringify(countBy([...pods.values()].map((p) => p.status?.phase ?? 'none')))}`,
        );
      }
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        progress(`${readyAt.size}/${PODS} pods Ready, ${servedAt.size}/${SERVICES} services served by all ${REPLICAS} replicas via the proxy`);
      }
      const ready = [...pending].filter((s) => readySliceEndpoints(s) >= REPLICAS);
      if (!ready.length) {
        await sleep(100);
        continue;
      }
      await pool(ready, 4, async (s) => {
        const answered = new Set<string>();
        const from = nodeIPs[Math.floor(Math.random() * nodeIPs.length)]!;
        for (let k = 0; k < REPLICAS * 3 && answered.size < REPLICAS; k++) {
          const a = await attempt(clusterIPs.get(s)!, 80, { from, timeoutMs: 2000 });
          if (a.ok) answered.add(a.answer.pod);
        }
        if (answered.size >= REPLICAS) {
          servedAt.set(s, Date.now() - t0);
          pending.delete(s);
        }
      });
    }
    const allServedMs = Math.max(...servedAt.values());
    await sleep(1000);
    const traffic = await getJson<TrafficSnapshot>(statsUrl);
    const metrics = await getText(metricsUrl);
    const listening = /loopkube_proxy_listeners\{state="listening"\} (\d+)/.exec(metrics)?.[1] ?? '?';
    const statsEndpoints = traffic.endpoints.length;
    const rssLoaded = rssByProcess(home);
    const podsByNode = countBy([...pods.values()].filter((p) => !p.metadata.deletionTimestamp).map((p) => p.spec.nodeName ?? ''));
    progress(`all ${PODS} endpoints served via the proxy after ${sec(allServedMs)} s; /stats lists ${statsEndpoints} endpoints, ${listening} listeners`);

    // ---- convergence: pod deleted -> endpoint gone from the proxy ---------------------------
    progress(`convergence: ${SAMPLES} pod deletions...`);
    const deleteSamples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const service = svcName(i % SERVICES);
      const snap = await getJson<TrafficSnapshot>(statsUrl);
      const victim = snap.endpoints.find((e) => e.service === service && [...pods.values()].some((p) => p.status?.podIP === e.endpoint.split(':')[0] && !p.metadata.deletionTimestamp));
      if (!victim) {
        progress(`  sample ${i + 1}: no endpoint of ${service} in /stats, skipped`);
        continue;
      }
      const podIP = victim.endpoint.split(':')[0];
      const pod = [...pods.values()].find((p) => p.status?.podIP === podIP && !p.metadata.deletionTimestamp)!;
      const start = performance.now();
      await api.delete(`${POD_PATH}/${pod.metadata.name}`);
      const until = Date.now() + 60_000;
      for (;;) {
        const s = await getJson<TrafficSnapshot>(statsUrl);
        if (!s.endpoints.some((e) => e.service === service && e.endpoint === victim.endpoint)) break;
        if (Date.now() > until) throw new Error(`endpoint ${victim.endpoint} of ${service} still in the proxy 60 s after its pod was deleted`);
        await sleep(10);
      }
      deleteSamples.push(performance.now() - start);
    }

    // ---- convergence: Service created -> listener accepts from a node address ---------------
    progress(`convergence: ${SAMPLES} service creations...`);
    const createSamples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const from = nodeIPs[i % nodeIPs.length]!;
      const start = performance.now();
      const svc = await api.create<Service>(SVC_PATH, svcObject(`conv-${i}`, svcName(i % SERVICES)));
      const ip = svc.spec.clusterIP!;
      const until = Date.now() + 60_000;
      while (!(await tcpAccepts(ip, 80, from))) {
        if (Date.now() > until) throw new Error(`service conv-${i} (${ip}:80) not accepting from ${from} 60 s after its creation`);
        await sleep(5);
      }
      createSamples.push(performance.now() - start);
    }

    // ---- report ------------------------------------------------------------------------------
    const readyTimes = [...readyAt.values()].sort((a, b) => a - b);
    const at = (frac: number): number => readyTimes[Math.max(0, Math.ceil(frac * PODS) - 1)] ?? NaN;
    let peak = 0;
    for (let i = 0, j = 0; j < readyTimes.length; j++) {
      while (readyTimes[j]! - readyTimes[i]! > 5000) i++;
      peak = Math.max(peak, (j - i + 1) / Math.min(5, Math.max(readyTimes[readyTimes.length - 1]! / 1000, 0.001)));
    }
    const out: string[] = [];
    out.push(
      `loopkube at scale: ${NODES} nodes, ${SERVICES} ReplicationControllers × ${REPLICAS} replicas = ${PODS} pods behind ${SERVICES} ClusterIP Services`,
    );
    out.push(`${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node.js ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
    out.push('');
    out.push(
      formatTable(
        ['MILESTONE', 'SECONDS'],
        [
          [`\`up\` returned (${NODES} nodes)`, sec(upMs)],
          [`${SERVICES} RCs + ${SERVICES} Services created`, sec(createdMs)],
          [`50% of pods Running+Ready`, sec(at(0.5))],
          [`90% of pods Running+Ready`, sec(at(0.9))],
          [`100% of pods Running+Ready`, sec(at(1))],
          [`every endpoint answering via the proxy`, sec(allServedMs)],
        ],
      ),
    );
    out.push('');
    out.push(
      formatTable(
        ['PODS STARTED PER SECOND', 'VALUE'],
        [
          ['average (all pods / time to 100% Ready)', (PODS / (at(1) / 1000)).toFixed(1)],
          ['busiest 5 s window', peak.toFixed(1)],
          ['proxy: endpoints in /stats', statsEndpoints],
          ['proxy: listeners', listening],
        ],
      ),
    );
    out.push('');
    const names = [...rssLoaded.keys()].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    const memRows = names.map((n) => {
      const podsHere = podsByNode[n] ?? 0;
      const loaded = rssLoaded.get(n)!;
      const idle = rssIdle.get(n) ?? NaN;
      return [n, mib(idle), mib(loaded), n.startsWith('node-') ? podsHere : '-', n.startsWith('node-') && podsHere ? ((loaded / podsHere) / 1024).toFixed(0) : '-', n.startsWith('node-') && podsHere ? (((loaded - idle) / podsHere) / 1024).toFixed(0) : '-'];
    });
    const nodeNames = names.filter((n) => n.startsWith('node-'));
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
    const nodesLoaded = sum(nodeNames.map((n) => rssLoaded.get(n)!));
    const nodesIdle = sum(nodeNames.map((n) => rssIdle.get(n) ?? NaN));
    memRows.push(['all nodes', mib(nodesIdle), mib(nodesLoaded), PODS, ((nodesLoaded / PODS) / 1024).toFixed(0), (((nodesLoaded - nodesIdle) / PODS) / 1024).toFixed(0)]);
    memRows.push(['everything', mib(sum([...rssIdle.values()])), mib(sum([...rssLoaded.values()])), '-', '-', '-']);
    out.push(formatTable(['PROCESS', 'RSS IDLE MiB', 'RSS LOADED MiB', 'PODS', 'KiB/POD', 'ADDED KiB/POD'], memRows));
    out.push('');
    out.push(`Convergence with the ${SERVICES} services and ${PODS} pods in place (${SAMPLES} samples each, one at a time), milliseconds`);
    out.push(
      formatTable(
        ['CHANGE', 'SAMPLES', 'P50', 'P99', 'MAX'],
        [
          ['pod deleted -> its endpoint gone from the proxy', deleteSamples.length, ms(quantile(deleteSamples, 0.5)), ms(quantile(deleteSamples, 0.99)), ms(Math.max(...deleteSamples))],
          ['Service created -> ClusterIP accepts from a node IP', createSamples.length, ms(quantile(createSamples, 0.5)), ms(quantile(createSamples, 0.99)), ms(Math.max(...createSamples))],
        ],
      ),
    );
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    progress('loopkube down --purge...');
    await cleanup();
  }
}

function countBy(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-scale: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});

// `npm run bench:startup`: the time from `loopkube up` to a 3-node cluster serving a Service.
//
// Each run spawns `node dist/src/cli/main.js up --name bench --nodes 3 --config FILE` with a
// LOOPKUBE_HOME of its own (a temp folder) and an address block of its own, and starts the clock
// at the spawn. When `up` returns, it creates a ReplicationController of 3 pods and a NodePort
// Service over them through the API client, and opens new connections to node-1's IP at the
// NodePort every 10 ms until all 3 pods have answered through the proxy: that moment is "serving
// a Service". Along the way it notes when each process turned healthy (from `up`'s output), when
// the supervisor started the processes (from its log), and when the pods were ready and the
// endpoints published (from API watches), to show where the time goes. Then `down --purge`.
//
//   npm run bench:startup [-- --runs 5]
//
// Prints each run, the median of the runs, and the median next to the figures other tools
// publish for getting to a working cluster (published numbers, not measured here). Not a test:
// the numbers depend on the machine and on what else runs on it.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { EndpointSlice, Pod, Service } from '../src/api/types.js';
import { formatTable } from '../src/cli/table.js';
import { createApiClient } from '../src/client/client.js';
import { clientConfigFromHome } from '../src/client/config.js';
import { attempt } from '../src/demo/http.js';
import { CLI, freePort, cli } from './bench-cluster.js';

const NAME = 'bench';
const NODES = 3;
const REPLICAS = 3;

const { values: flags } = parseArgs({ options: { runs: { type: 'string', default: '5' }, help: { type: 'boolean', short: 'h' } } });
if (flags.help) {
  process.stdout.write('Usage: npm run bench:startup [-- --runs N]\n');
  process.exit(0);
}
const RUNS = Number(flags.runs);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`--runs must be a whole number of at least 1, got ${flags.runs}`);
if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm run build)`);

/** Milliseconds after `up` was spawned. */
interface Run {
  supervisorStartedControlPlane: number;
  supervisorStartedNodes: number;
  controlPlaneHealthy: number;
  nodesHealthy: number;
  proxyHealthy: number;
  upReturned: number;
  objectsCreated: number;
  podsReady: number;
  endpointsReady: number;
  firstAnswer: number;
  serving: number;
}

const progress = (line: string): void => void process.stderr.write(`${line}\n`);
const randomInt = (min: number, max: number): number => min + Math.floor(Math.random() * (max - min + 1));

/** A cluster file with an address block of its own, so a cluster already running here does not get in the way. */
async function clusterFile(): Promise<string> {
  const pod = randomInt(150, 239);
  return JSON.stringify({
    kind: 'Cluster',
    apiVersion: 'loopkube.dev/v1alpha1',
    name: NAME,
    networking: {
      apiServerPort: await freePort(),
      nodeSubnet: `127.10.${randomInt(1, 254)}.0/24`,
      podSubnet: `127.${pod}.0.0/16`,
      serviceSubnet: `127.${randomInt(112, 149)}.0.0/16`,
      loadBalancerPool: `127.240.${randomInt(0, 255)}.0/24`,
    },
  });
}

/** When the supervisor started each process (epoch ms), from its pino log. */
function supervisorStarts(home: string): Map<string, number> {
  const out = new Map<string, number>();
  let text = '';
  try {
    text = readFileSync(path.join(home, 'logs', 'supervisor.log'), 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    if (!line.includes('"started process"')) continue;
    try {
      const rec = JSON.parse(line) as { process?: string; time?: number | string };
      const t = typeof rec.time === 'number' ? rec.time : Date.parse(String(rec.time));
      if (rec.process && !out.has(rec.process) && Number.isFinite(t)) out.set(rec.process, t);
    } catch {
      // not JSON
    }
  }
  return out;
}

const rc = {
  apiVersion: 'v1',
  kind: 'ReplicationController',
  metadata: { name: 'web' },
  spec: {
    replicas: REPLICAS,
    selector: { app: 'web' },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'loopkube/echo', ports: [{ containerPort: 8080 }] }] } },
  },
};
const svc = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web' },
  spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 8000, targetPort: 8080 }] },
};

const isReady = (p: Pod): boolean => !p.metadata.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

async function oneRun(n: number): Promise<Run> {
  const loopkubeHome = mkdtempSync(path.join(os.tmpdir(), 'loopkube-bench-startup-'));
  const env = { ...process.env, LOOPKUBE_HOME: loopkubeHome };
  const home = path.join(loopkubeHome, NAME);
  const configFile = path.join(loopkubeHome, 'cluster.yaml');
  writeFileSync(configFile, await clusterFile());
  const healthy = new Map<string, number>();
  try {
    const t0 = Date.now();
    const up = await cli(['up', '--name', NAME, '--nodes', String(NODES), '--config', configFile, '--no-kubeconfig'], env, (line) => {
      const m = /✓ (\S+) is healthy/.exec(line);
      if (m) healthy.set(m[1]!, Date.now() - t0);
    });
    const upReturned = Date.now() - t0;
    if (up.code !== 0) throw new Error(`loopkube up failed (exit ${up.code}):\n${up.output}`);

    const client = createApiClient(clientConfigFromHome(home));
    const config = JSON.parse(readFileSync(path.join(home, 'cluster.json'), 'utf8')) as { nodes: Array<{ ip: string }> };
    let podsReady = 0;
    let endpointsReady = 0;
    const ready = new Set<string>();
    const podWatch = client.watch<Pod>('/api/v1/namespaces/default/pods', { labelSelector: 'app=web' }, {
      onEvent(ev) {
        if (isReady(ev.object)) ready.add(ev.object.metadata.name ?? '');
        if (!podsReady && ready.size >= REPLICAS) podsReady = Date.now() - t0;
      },
      onClose() {},
    });
    const sliceWatch = client.watch<EndpointSlice>('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', { labelSelector: 'kubernetes.io/service-name=web' }, {
      onEvent(ev) {
        const n = (ev.object.endpoints ?? []).filter((e) => e.conditions?.ready).length;
        if (!endpointsReady && n >= REPLICAS) endpointsReady = Date.now() - t0;
      },
      onClose() {},
    });
    try {
      await client.create('/api/v1/namespaces/default/replicationcontrollers', rc);
      const created = await client.create<Service>('/api/v1/namespaces/default/services', svc);
      const objectsCreated = Date.now() - t0;
      const nodePort = created.spec.ports![0]!.nodePort!;
      const node1 = config.nodes[0]!.ip;

      let firstAnswer = 0;
      const answered = new Set<string>();
      const deadline = Date.now() + 60_000;
      while (answered.size < REPLICAS) {
        if (Date.now() > deadline) throw new Error(`run ${n}: only ${answered.size} pods answered through ${node1}:${nodePort} within 60 s`);
        const a = await attempt(node1, nodePort, { timeoutMs: 1000 });
        if (a.ok) {
          if (!firstAnswer) firstAnswer = Date.now() - t0;
          answered.add(a.answer.pod);
        } else await sleep(10);
      }
      const serving = Date.now() - t0;

      const starts = supervisorStarts(home);
      const rel = (name: string): number => (starts.has(name) ? starts.get(name)! - t0 : NaN);
      const nodeNames = Array.from({ length: NODES }, (_, i) => `node-${i + 1}`);
      return {
        supervisorStartedControlPlane: rel('control-plane'),
        supervisorStartedNodes: Math.min(...nodeNames.map(rel)),
        controlPlaneHealthy: healthy.get('control-plane') ?? NaN,
        nodesHealthy: Math.max(...nodeNames.map((x) => healthy.get(x) ?? NaN)),
        proxyHealthy: healthy.get('proxy') ?? NaN,
        upReturned,
        objectsCreated,
        podsReady: podsReady || NaN,
        endpointsReady: endpointsReady || NaN,
        firstAnswer,
        serving,
      };
    } finally {
      podWatch.stop();
      sliceWatch.stop();
      client.close();
    }
  } finally {
    const down = await cli(['down', '--name', NAME, '--purge'], env);
    if (down.code !== 0) progress(`run ${n}: loopkube down failed: ${down.output}`);
    rmSync(loopkubeHome, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const sec = (ms: number): string => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : '-');

const MILESTONES: Array<[keyof Run, string]> = [
  ['supervisorStartedControlPlane', 'control plane spawned'],
  ['controlPlaneHealthy', 'control plane healthy'],
  ['supervisorStartedNodes', 'nodes + proxy spawned'],
  ['nodesHealthy', '3 nodes healthy'],
  ['proxyHealthy', 'proxy healthy'],
  ['upReturned', '`up` returned'],
  ['objectsCreated', 'RC + Service created'],
  ['podsReady', '3 pods Ready'],
  ['endpointsReady', '3 endpoints ready'],
  ['firstAnswer', 'first answer via NodePort'],
  ['serving', 'all 3 pods answer via NodePort'],
];

async function main(): Promise<void> {
  const runs: Run[] = [];
  for (let i = 1; i <= RUNS; i++) {
    progress(`run ${i}/${RUNS}...`);
    const r = await oneRun(i);
    progress(`run ${i}/${RUNS}: serving after ${sec(r.serving)} s (up returned after ${sec(r.upReturned)} s)`);
    runs.push(r);
  }

  const out: string[] = [];
  out.push(`Time from \`loopkube up\` (spawned) to a ${NODES}-node cluster serving a Service (an RC of ${REPLICAS} + a NodePort Service, all ${REPLICAS} pods answering through the proxy)`);
  out.push(`${RUNS} runs on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node.js ${process.version}, ${new Date().toISOString().slice(0, 10)}; seconds after the spawn`);
  out.push('');
  out.push(
    formatTable(
      ['MILESTONE', ...runs.map((_, i) => `RUN ${i + 1}`), 'MEDIAN'],
      MILESTONES.map(([key, label]) => [label, ...runs.map((r) => sec(r[key])), sec(median(runs.map((r) => r[key])))]),
    ),
  );
  out.push('');
  const ours = median(runs.map((r) => r.serving));
  out.push(
    formatTable(
      ['TOOL', 'TIME TO A WORKING CLUSTER', 'SOURCE'],
      [
        ['loopkube (3 nodes, serving a Service)', `${sec(ours)} s`, `measured here, median of ${RUNS}`],
        ['k3d', '~20 s', 'published (minikube time-to-k8s benchmark), not measured here'],
        ['kind', '~33 s', 'published (minikube time-to-k8s benchmark), not measured here'],
        ['minikube', '~51 s', 'published (minikube time-to-k8s benchmark), not measured here'],
      ],
    ),
  );
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-startup: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});

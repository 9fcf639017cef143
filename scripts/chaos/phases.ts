// One process at a time: under steady load (probes.ts), SIGKILL the supervisor, the control
// plane, the cluster DNS, the proxy and a node, in turn; after each, wait until its replacement
// is healthy and every probe has worked again for a while, and summarize what each probe saw
// from the kill to then. Shared by the chaos test (which asserts the README's failure table)
// and bench:failover (which measures it).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Endpoints, Pod, Service } from '../../src/api/types.js';
import type { ClusterConfig } from '../../src/cluster/config.js';
import type { ApiClient } from '../../src/client/client.js';
import { probeHealth } from '../../src/supervisor/health.js';
import { pidAlive, readPidFile } from '../../src/supervisor/pid-files.js';
import { readSupervisorState } from '../../src/supervisor/state.js';
import { dnsLookups, keepAlive, newConnections, summarize, writes, type Probe, type WindowSummary, type WriteProbe } from './probes.js';

export interface ChaosCluster {
  home: string;
  config: ClusterConfig;
  client: ApiClient;
}

export type Victim = 'supervisor' | 'control-plane' | 'dns' | 'proxy' | 'node';

export interface PhaseResult {
  victim: Victim;
  /** The process's name in the cluster (node-2 for a node). */
  process: string;
  /** It was adopted (started by an earlier supervisor: the current one holds none of its sockets). */
  adopted: boolean;
  /** From the kill until its replacement was healthy. */
  replacedMs: number;
  /** What each probe saw from the kill until every probe had worked again for a while. */
  probes: Record<string, WindowSummary>;
}

export interface ChaosResult {
  phases: PhaseResult[];
  /** Writes the API acknowledged, and those of them missing at the end. */
  acked: number;
  missing: string[];
}

export const NAMESPACE = 'chaos';
const REPLICAS = 4;

export interface ChaosOptions {
  victims?: Victim[];
  /** How long every probe must have worked before a phase ends (default 1000 ms). */
  steadyMs?: number;
  /** Longest a phase may take (default 90 s). */
  phaseTimeoutMs?: number;
  log?: (line: string) => void;
}

async function waitUntil<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined | false> | T | undefined | false): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The workload: an RC of 4 echo pods spread over the nodes, behind a NodePort Service. */
async function deployWorkload(c: ChaosCluster, timeoutMs: number): Promise<{ nodePort: number }> {
  await c.client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
  await c.client.create(`/api/v1/namespaces/${NAMESPACE}/replicationcontrollers`, {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name: 'web' },
    spec: {
      replicas: REPLICAS,
      selector: { app: 'web' },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'loopkube/echo', ports: [{ containerPort: 8080 }] }] } },
    },
  });
  const svc = await c.client.create<Service>(`/api/v1/namespaces/${NAMESPACE}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
  });
  await waitUntil('every pod ready', timeoutMs, () => podsReady(c));
  return { nodePort: svc.spec.ports![0]!.nodePort! };
}

async function podsReady(c: ChaosCluster): Promise<boolean> {
  const pods = await c.client.list<Pod>(`/api/v1/namespaces/${NAMESPACE}/pods`);
  const ready = pods.items.filter((p) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));
  return ready.length === REPLICAS;
}

function pidOf(home: string, name: string): number | null {
  return readPidFile(path.join(home, 'pids', `${name}.pid`));
}

function parentPid(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

function probeOptions(home: string): { caPem: string; token: string } {
  return { caPem: readFileSync(path.join(home, 'pki', 'ca.crt'), 'utf8'), token: readFileSync(path.join(home, 'pki', 'token'), 'utf8').trim() };
}

/** The process named `name` runs with a new pid and answers its health check. */
async function replaced(home: string, name: string, before: number): Promise<boolean> {
  const pid = pidOf(home, name);
  if (pid === null || pid === before || !pidAlive(pid)) return false;
  const state = readSupervisorState(path.join(home, 'supervisor.json'));
  if (name === 'supervisor') return state?.supervisorPid === pid && state.phase === 'running';
  const spec = state?.processes.find((p) => p.name === name);
  return !!spec && spec.pid === pid && (await probeHealth(spec.health, probeOptions(home)));
}

/**
 * Standby processes of this cluster (proxy, DNS) that run now and have said "standby ready" in
 * their log (booted, informers synced): what a kill of the active one can count on.
 */
function standbysReady(home: string): number {
  const ready = new Set<number>();
  for (const log of ['proxy.log', 'dns.log']) {
    let text = '';
    try {
      text = readFileSync(path.join(home, 'logs', log), 'utf8');
    } catch {
      continue;
    }
    for (const m of text.matchAll(/"pid":(\d+),[^\n]*"msg":"standby ready"/g)) ready.add(Number(m[1]));
  }
  let n = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || !ready.has(Number(entry))) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline.includes('--standby') && cmdline.includes(home)) n++;
    } catch {
      // gone meanwhile
    }
  }
  return n;
}

export async function runChaos(c: ChaosCluster, opts: ChaosOptions = {}): Promise<ChaosResult> {
  const log = opts.log ?? (() => {});
  const steadyMs = opts.steadyMs ?? 1000;
  const phaseTimeoutMs = opts.phaseTimeoutMs ?? 90_000;
  // the proxy twice: adopted by the supervisor that replaced the first (nothing held its
  // sockets), then as that supervisor's own child (its sockets held)
  const victims = opts.victims ?? ['supervisor', 'control-plane', 'dns', 'proxy', 'node', 'proxy'];
  const nodes = c.config.nodes;
  if (nodes.length < 2) throw new Error('the chaos run needs two nodes');
  const { nodePort } = await deployWorkload(c, phaseTimeoutMs);
  log(`workload ready: ${REPLICAS} pods behind NodePort ${nodePort}`);

  const probes: Probe[] = [
    newConnections({ name: 'new connections (NodePort)', host: nodes[0]!.ip, port: nodePort, intervalMs: 10 }),
    keepAlive({ name: 'keep-alive connection (NodePort)', host: nodes[0]!.ip, port: nodePort, renewMs: 2000 }),
    dnsLookups({ name: 'DNS lookups (UDP)', server: c.config.dns.ip, port: c.config.dns.port, qname: `web.${NAMESPACE}.svc.cluster.local`, intervalMs: 20 }),
  ];
  const writer: WriteProbe = writes({
    name: 'API writes',
    client: c.client,
    collection: `/api/v1/namespaces/${NAMESPACE}/endpoints`,
    body: (name) => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name, labels: { chaos: 'write' } } }),
    prefix: 'w',
    intervalMs: 20,
  });
  const all: Probe[] = [...probes, writer];

  /** Every probe's samples of the last steadyMs worked (and there are some). */
  const steady = (): boolean => {
    const since = Date.now() - steadyMs;
    return all.every((p) => {
      const recent = p.samples.filter((s) => s.at >= since && s.at + s.ms <= Date.now());
      return recent.length > 0 && recent.every((s) => s.ok);
    });
  };

  const phases: PhaseResult[] = [];
  try {
    await waitUntil('steady load before the first kill', phaseTimeoutMs, steady);
    // the supervisor's standbys are booted and synced (they start once every process is healthy)
    await waitUntil('the standbys', phaseTimeoutMs, () => standbysReady(c.home) >= 2);
    for (const victim of victims) {
      const name = victim === 'node' ? nodes[1]!.name : victim;
      const before = pidOf(c.home, name);
      if (before === null || !pidAlive(before)) throw new Error(`no running ${name}`);
      const adopted = victim !== 'supervisor' && parentPid(before) !== pidOf(c.home, 'supervisor');
      log(`SIGKILL ${name} (pid ${before}${adopted ? ', adopted' : ''})`);
      const killedAt = Date.now();
      process.kill(before, 'SIGKILL');
      await waitUntil(`${name} replaced`, phaseTimeoutMs, () => replaced(c.home, name, before));
      const replacedMs = Date.now() - killedAt;
      if (victim === 'node') await waitUntil('the pods ready again', phaseTimeoutMs, () => podsReady(c));
      await waitUntil('the standbys ready again', phaseTimeoutMs, () => standbysReady(c.home) >= 2);
      await waitUntil('steady load again', phaseTimeoutMs, steady);
      const until = Date.now();
      const result: PhaseResult = { victim, process: name, adopted, replacedMs, probes: {} };
      for (const p of all) result.probes[p.name] = summarize(p.samples, killedAt, until);
      phases.push(result);
      log(`${name}: replaced after ${replacedMs} ms; ${Object.entries(result.probes).map(([k, v]) => `${k}: ${v.failed}/${v.total} failed ${JSON.stringify(v.errors)} slowest ${v.slowestMs} ms`).join('; ')}`);
    }
  } finally {
    for (const p of all) await p.stop();
  }

  const present = new Set(
    (await c.client.list<Endpoints>(`/api/v1/namespaces/${NAMESPACE}/endpoints`, { labelSelector: 'chaos=write' })).items.map((e: Endpoints) => e.metadata.name ?? ''),
  );
  return { phases, acked: writer.acked.length, missing: writer.acked.filter((n) => !present.has(n)) };
}


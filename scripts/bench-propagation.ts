// `npm run bench:propagation`: the delay from a pod's deletion to its endpoint leaving the proxy,
// per propagation preset (src/cluster/propagation.ts), with a population of Services present.
//
// For each preset a real cluster (`loopkube up`, one node) holds `--services` Services with 10
// endpoints each and a Deployment `probe` of 2 pods behind a Service, whose pods keep serving for
// 10 s after their deletion (a preStop sleep), so that what is measured is routing, not the
// pod's death. Then, `--deletions` times (each once the previous victim is gone, so that no other
// pod change is pending): a pod of `probe` is deleted through the API, and new
// connections through the ClusterIP (from the node's address) are opened back to back; the delay
// is the time from just before the DELETE to the first of 20 new connections in a row that the
// deleted pod no longer answers. The pods' own endpoint controller, the kubelet and the proxy's
// bounded-frequency runner are all in the path, as on a cluster.
//
// The figure to compare with is the configured one: the endpoint controller's batch period plus
// the proxy's sync delay (a change arriving after a quiet spell finds a sync token left, so
// minSyncPeriod adds nothing; deletions here are spaced further apart than it).
//
//   npm run bench:propagation -- [--services 1000] [--deletions 20] [--presets production,instant] [--keep]
//
// Not a test: the figures depend on the machine and what else runs on it (the load average is
// printed beside them).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { Deployment } from '../src/api/apps.js';
import type { EndpointSlice, Pod, Service } from '../src/api/types.js';
import { createApiClient, type ApiClient } from '../src/client/client.js';
import { clientConfigFromHome } from '../src/client/config.js';
import { PRESET_TIMINGS, PROPAGATION_PRESETS, type PropagationPreset } from '../src/cluster/propagation.js';
import { attempt } from '../src/demo/http.js';
import { PROVISIONAL, cli, fmt, freePort, loadAverage, machine, percentile, pool, randomNetworking, table, waitFor } from './bench-support/common.js';

const { values: flags } = parseArgs({
  options: {
    services: { type: 'string', default: '1000' },
    deletions: { type: 'string', default: '20' },
    presets: { type: 'string', default: 'production,instant' },
    keep: { type: 'boolean', default: false },
  },
});
const SERVICES = Number(flags.services);
const DELETIONS = Number(flags.deletions);
const PRESETS = flags.presets.split(',').map((p) => p.trim()) as PropagationPreset[];
for (const p of PRESETS) if (!PROPAGATION_PRESETS.includes(p)) throw new Error(`unknown preset ${p}: one of ${PROPAGATION_PRESETS.join(', ')}`);
const ENDPOINTS = 10;
const NS = 'default';
const MISSES_IN_A_ROW = 20;

const progress = (line: string): void => void process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);

/** The population: a Service without selector and a slice of 10 addresses nothing listens on. */
async function populate(c: ApiClient, podPrefix: string): Promise<void> {
  await pool(
    Array.from({ length: SERVICES }, (_, i) => i),
    32,
    async (i) => {
      const name = `svc-${i}`;
      await c.create<Service>(`/api/v1/namespaces/${NS}/services`, { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS }, spec: { ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] } });
      const n = (j: number): number => i * ENDPOINTS + j;
      await c.create<EndpointSlice>(`/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`, {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: `${name}-bench`, namespace: NS, labels: { 'kubernetes.io/service-name': name } },
        addressType: 'IPv4',
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        endpoints: Array.from({ length: ENDPOINTS }, (_, j) => ({ addresses: [`${podPrefix}.${100 + Math.floor(n(j) / 250)}.${1 + (n(j) % 250)}`], conditions: { ready: true } })),
      });
    },
  );
}

const probeDeployment: Deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'probe', namespace: NS },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'probe' } },
    template: {
      metadata: { labels: { app: 'probe' } },
      spec: {
        terminationGracePeriodSeconds: 60,
        containers: [{ name: 'app', image: 'loopkube/echo:1.0', ports: [{ name: 'http', containerPort: 8080 }], lifecycle: { preStop: { sleep: { seconds: 10 } } } }],
      },
    },
  },
};

/** The pods of probe when there are exactly 2, both Ready, and none terminating (whose changes would start a batch of their own); else undefined. */
async function settledPods(c: ApiClient): Promise<Pod[] | undefined> {
  const list = await c.list<Pod>(`/api/v1/namespaces/${NS}/pods`, { labelSelector: 'app=probe' });
  const ready = list.items.filter((p) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));
  return list.items.length === 2 && ready.length === 2 ? ready : undefined;
}

async function measurePreset(preset: PropagationPreset): Promise<number[]> {
  const loopkubeHome = mkdtempSync(path.join(os.tmpdir(), 'loopkube-bench-propagation-'));
  const name = `bench-prop-${preset}`;
  const net = randomNetworking();
  const podPrefix = net.podPrefix;
  const clusterFile = path.join(loopkubeHome, 'cluster.yaml');
  writeFileSync(clusterFile, ['kind: Cluster', 'apiVersion: loopkube.dev/v1alpha1', ...net.lines, 'propagation:', `  preset: ${preset}`, ''].join('\n'));
  let client: ApiClient | undefined;
  try {
    const apiPort = await freePort();
    progress(`${preset}: starting a 1-node cluster in ${loopkubeHome}`);
    cli(loopkubeHome, ['up', '--name', name, '--nodes', '1', '--config', clusterFile, '--api-port', String(apiPort)]);
    const c = (client = createApiClient(clientConfigFromHome(path.join(loopkubeHome, name))));
    const nodeIP = net.nodeIP;
    progress(`${preset}: creating ${SERVICES} services with ${ENDPOINTS} endpoints each`);
    await populate(c, podPrefix);
    await c.create(`/apis/apps/v1/namespaces/${NS}/deployments`, probeDeployment);
    const svc = await c.create<Service>(`/api/v1/namespaces/${NS}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'probe', namespace: NS },
      spec: { selector: { app: 'probe' }, ports: [{ port: 8000, targetPort: 'http' }] },
    });
    const ip = svc.spec.clusterIP!;
    /** Answers to new connections until `pods` all answered; returns the pod names seen. */
    const servedBy = async (want: string[]): Promise<boolean> => {
      const seen = new Set<string>();
      for (let i = 0; i < want.length * 4; i++) {
        const a = await attempt(ip, 8000, { from: nodeIP, timeoutMs: 2000 });
        if (a.ok) seen.add(a.answer.pod);
      }
      return want.every((p) => seen.has(p)) && seen.size === want.length;
    };
    const samples: number[] = [];
    progress(`${preset}: population in place; load average ${loadAverage()}; measuring ${DELETIONS} deletions`);
    for (let k = 0; k < DELETIONS; k++) {
      // the previous victim gone, its replacement served: no pod change is pending
      const pods = await waitFor('2 ready probe pods served by the Service, none terminating', async () => {
        const live = await settledPods(c);
        return live && (await servedBy(live.map((p) => p.metadata.name!))) && live;
      }, 120_000);
      // a quiet spell longer than minSyncPeriod: the change finds a sync token left
      await sleep(PRESET_TIMINGS[preset].minSyncPeriodMs * 2 + 200);
      const victim = pods[k % 2]!.metadata.name!;
      const started = performance.now();
      await c.delete(`/api/v1/namespaces/${NS}/pods/${victim}`);
      let misses = 0;
      let firstMiss = 0;
      while (misses < MISSES_IN_A_ROW) {
        const a = await attempt(ip, 8000, { from: nodeIP, timeoutMs: 2000 });
        const at = performance.now();
        if (a.ok && a.answer.pod === victim) misses = 0;
        else if (misses++ === 0) firstMiss = at;
        if (at - started > 60_000) throw new Error(`${victim}'s endpoint did not leave the proxy within 60 s`);
      }
      samples.push(firstMiss - started);
      progress(`${preset}: ${k + 1}/${DELETIONS}: ${fmt(firstMiss - started, 1)} ms`);
    }
    return samples;
  } finally {
    client?.close();
    try {
      cli(loopkubeHome, ['down', '--name', name, ...(flags.keep ? [] : ['--purge'])]);
    } catch (err) {
      process.stderr.write(`loopkube down failed: ${(err as Error).message}\n`);
    }
    if (!flags.keep) rmSync(loopkubeHome, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  for (const preset of PRESETS) {
    const t = PRESET_TIMINGS[preset];
    const expected = t.endpointUpdatesBatchPeriodMs + t.syncDelayMs;
    const samples = await measurePreset(preset);
    const p50 = percentile(samples, 50);
    rows.push([
      preset,
      `batch ${t.endpointUpdatesBatchPeriodMs} ms, minSyncPeriod ${t.minSyncPeriodMs} ms`,
      fmt(expected, 0),
      fmt(p50, 1),
      fmt(percentile(samples, 99), 1),
      fmt(Math.max(...samples), 1),
      expected > 0 ? `${fmt(((p50 - expected) / expected) * 100, 1)}%` : '-',
    ]);
  }
  const out = [
    `pod deleted -> its endpoint gone from the proxy (new connections no longer reach it), ${SERVICES} Services x ${ENDPOINTS} endpoints present; ${DELETIONS} deletions per preset`,
    machine(),
    `Node ${process.version}`,
    PROVISIONAL,
    '',
    table(['preset', 'configured', 'expected ms', 'p50 ms', 'p99 ms', 'max ms', 'p50 vs expected'], rows),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-propagation: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});

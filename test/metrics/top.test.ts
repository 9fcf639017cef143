// metrics.k8s.io through the real kubectl: `kubectl top node` and `kubectl top pod [-A]
// [--containers]` print what the kubelets measured, as metrics-server serves it. A pod under
// load (CPU_PER_REQUEST makes each request burn real CPU) shows more CPU than an idle one; the
// figures themselves are the machine's, never asserted.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../../src/api/types.js';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';

let c: TestCluster;
const NS = 'top';

const kubectl = async (args: string[], input?: string): Promise<string> => {
  const r = await c.kubectl(args, { ...(input ? { input } : {}), timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

const podManifest = (name: string, env: Array<{ name: string; value: string }> = []): string =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app: name } },
    spec: { containers: [{ name: 'app', image: 'registry.example/web:1', ports: [{ containerPort: 8080 }], env }] },
  });

const readyPod = async (name: string): Promise<Pod | undefined> => {
  const p = await c.client.get<Pod>(`/api/v1/namespaces/${NS}/pods/${name}`);
  return p.status?.podIP && p.status.containerStatuses?.every((s) => s.ready) ? p : undefined;
};

/** Millicores from kubectl's CPU(cores) cell: `12m`, `1`, `0m`. */
function millicores(cell: string): number {
  return cell.endsWith('m') ? Number(cell.slice(0, -1)) : Number(cell) * 1000;
}

/** kubectl's table as rows of cells keyed by header. */
function table(text: string): Array<Record<string, string>> {
  const [head, ...rows] = text.trim().split('\n');
  const cols = head!.split(/\s{2,}/);
  return rows.map((r) => Object.fromEntries(r.trim().split(/\s{2,}/).map((v, i) => [cols[i]!, v])));
}

/** Keeps `busy` loaded with requests on a few keep-alive connections until stopped. */
function load(ip: string): { stop(): void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  let stopped = false;
  const loop = (): void => {
    if (stopped) return;
    http
      .get({ host: ip, port: 8080, path: '/', agent }, (res) => {
        res.resume();
        res.on('end', loop);
      })
      .on('error', () => setTimeout(loop, 50));
  };
  for (let i = 0; i < 4; i++) loop();
  return {
    stop() {
      stopped = true;
      agent.destroy();
    },
  };
}

let busyLoad: { stop(): void } | undefined;

beforeAll(async () => {
  c = await startTestCluster({ nodes: 2, env: { LOOPKUBE_METRIC_RESOLUTION: '1s' } });
  await kubectl(['create', 'namespace', NS]);
  await kubectl(['apply', '-f', '-'], podManifest('busy', [{ name: 'CPU_PER_REQUEST', value: '5ms' }]));
  await kubectl(['apply', '-f', '-'], podManifest('idle', [{ name: 'CPU_PER_REQUEST', value: '5ms' }]));
  const busy = await waitFor('pod busy ready', () => readyPod('busy'), 60_000);
  await waitFor('pod idle ready', () => readyPod('idle'), 60_000);
  busyLoad = load(busy.status!.podIP!);
}, 120_000);

afterAll(async () => {
  busyLoad?.stop();
  await c?.down();
});

describe('kubectl top', () => {
  it('finds the metrics API in discovery, as metrics-server registers it', async () => {
    const out = await kubectl(['api-resources', '--api-group=metrics.k8s.io', '-o', 'wide']);
    expect(out).toMatch(/^nodes\s+metrics\.k8s\.io\/v1beta1\s+false\s+NodeMetrics\s+get,list\s*$/m);
    expect(out).toMatch(/^pods\s+metrics\.k8s\.io\/v1beta1\s+true\s+PodMetrics\s+get,list\s*$/m);
  });

  it('top pod shows the loaded pod using more CPU than the idle one', async () => {
    const rows = await waitFor(
      'busy above idle in kubectl top pod',
      async () => {
        const r = await c.kubectl(['top', 'pod', '-n', NS], { timeoutMs: 30_000 });
        if (r.code !== 0) return undefined; // "metrics not available yet" until two scrapes are in
        const t = table(r.stdout);
        const busy = t.find((x) => x.NAME === 'busy');
        const idle = t.find((x) => x.NAME === 'idle');
        return busy && idle && millicores(busy['CPU(cores)']!) > millicores(idle['CPU(cores)']!) + 10 ? t : undefined;
      },
      60_000,
    );
    for (const r of rows) {
      expect(r['CPU(cores)'], r.NAME).toMatch(/^\d+m?$/);
      expect(r['MEMORY(bytes)'], r.NAME).toMatch(/^\d+(Ki|Mi|Gi)?$/);
    }
  });

  it('top pod -A --containers names each container, the namespace included', async () => {
    const out = await kubectl(['top', 'pod', '-A', '--containers']);
    const rows = table(out).filter((r) => r.NAMESPACE === NS);
    expect(rows.map((r) => `${r.POD}/${r.NAME}`).sort()).toEqual(['busy/app', 'idle/app']);
  });

  it('top node prints every node with its CPU and memory and their share of allocatable', async () => {
    const rows = await waitFor('both nodes in kubectl top node', async () => {
      const r = await c.kubectl(['top', 'node'], { timeoutMs: 30_000 });
      const t = r.code === 0 ? table(r.stdout) : [];
      return t.length === 2 ? t : undefined;
    }, 30_000);
    expect(rows.map((r) => r.NAME).sort()).toEqual(['node-1', 'node-2']);
    for (const r of rows) {
      expect(millicores(r['CPU(cores)']!), r.NAME).toBeGreaterThanOrEqual(0);
      expect(r['CPU(%)'], r.NAME).toMatch(/^\d+%$/);
      expect(r['MEMORY(bytes)'], r.NAME).toMatch(/^\d+Mi$/);
    }
  });

  it('a PodMetrics object carries timestamp, window and per-container usage as metrics-server fills them', async () => {
    const pm = await c.client.get<{ kind: string; metadata: { labels?: Record<string, string> }; timestamp: string; window: string; containers: Array<{ name: string; usage: Record<string, string> }> }>(
      `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods/busy`,
    );
    expect(pm.kind).toBe('PodMetrics');
    expect(pm.metadata.labels).toEqual({ app: 'busy' });
    expect(pm.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(pm.window).toMatch(/^\d+(\.\d+)?m?s$/);
    expect(pm.containers.map((x) => x.name)).toEqual(['app']);
    expect(Object.keys(pm.containers[0]!.usage).sort()).toEqual(['cpu', 'memory']);
    const selected = await kubectl(['get', '--raw', `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods?labelSelector=app%3Didle`]);
    expect((JSON.parse(selected) as { items: Array<{ metadata: { name: string } }> }).items.map((i) => i.metadata.name)).toEqual(['idle']);
  });
});

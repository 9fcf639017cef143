// --endpoint-updates-batch-period, as upstream's endpoints and EndpointSlice controllers apply it:
// a pod change reaches the service's EndpointSlice and Endpoints no sooner than the batch period
// after it happened, and the changes arriving meanwhile are written together.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointSlice, Pod, Service } from '../../src/api/types.js';
import { PRESET_TIMINGS } from '../../src/cluster/propagation.js';
import { startTestControlPlane, waitFor, type TestControlPlane } from '../support/control-plane.js';
import { createFakeNode, setPodStatus, type FakeNode } from '../support/fake-nodes.js';

const BATCH_MS = 2000;
const NS = 'default';

let cp: TestControlPlane;
let node: FakeNode;

beforeAll(async () => {
  cp = await startTestControlPlane({ config: { propagation: { preset: 'instant', ...PRESET_TIMINGS.instant, endpointUpdatesBatchPeriodMs: BATCH_MS } } });
  node = await createFakeNode(cp.client, { name: 'node-1' });
  node.startHeartbeats(1000);
});
afterAll(async () => {
  await node?.stopHeartbeats();
  await cp?.stop();
});

const slicesPath = `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`;

async function readyIPs(svc: string): Promise<string[]> {
  const list = await cp.client.list<EndpointSlice>(slicesPath, { labelSelector: `kubernetes.io/service-name=${svc}` });
  return list.items.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready).map((e) => e.addresses[0]!)).sort();
}

async function pod(name: string, app: string): Promise<Pod> {
  return cp.client.create<Pod>(`/api/v1/namespaces/${NS}/pods`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app } },
    spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'loopkube/app', ports: [{ containerPort: 8080 }] }] },
  });
}

async function service(name: string): Promise<Service> {
  return cp.client.create<Service>(`/api/v1/namespaces/${NS}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
  });
}

describe('endpoint updates batch period', () => {
  it('a pod change shows in the EndpointSlice no sooner than the batch period after the first one', async () => {
    await service('late');
    await waitFor('the placeholder slice (service changes are not delayed)', async () => (await cp.client.list<EndpointSlice>(slicesPath, { labelSelector: 'kubernetes.io/service-name=late' })).items.length === 1);
    // The pod's creation is its first change: the batch starts there.
    const changed = performance.now();
    const p = await pod('late-a', 'late');
    await setPodStatus(cp.client, p, { ip: '127.244.1.51', ready: true });
    await waitFor('the endpoint to be ready', async () => (await readyIPs('late')).includes('127.244.1.51'), 30_000, 20);
    expect(performance.now() - changed).toBeGreaterThanOrEqual(BATCH_MS);
  });

  it('writes the changes of several pods within one period together', async () => {
    await service('batch');
    const pods = await Promise.all([1, 2, 3, 4, 5].map((i) => pod(`batch-${i}`, 'batch')));
    await waitFor('the slice', async () => (await cp.client.list<EndpointSlice>(slicesPath, { labelSelector: 'kubernetes.io/service-name=batch' })).items.length === 1);
    const [slice] = (await cp.client.list<EndpointSlice>(slicesPath, { labelSelector: 'kubernetes.io/service-name=batch' })).items;
    const versions = new Set<string>();
    let watchedReady = 0;
    const watch = cp.client.watch<EndpointSlice>(
      slicesPath,
      { resourceVersion: slice!.metadata.resourceVersion!, labelSelector: 'kubernetes.io/service-name=batch' },
      {
        onEvent: (ev) => {
          if (ev.type !== 'MODIFIED') return;
          versions.add(ev.object.metadata.resourceVersion!);
          watchedReady = (ev.object.endpoints ?? []).filter((e) => e.conditions?.ready).length;
        },
        onClose: () => {},
      },
    );
    try {
      await Promise.all(pods.map((p, i) => setPodStatus(cp.client, p, { ip: `127.244.1.${60 + i}`, ready: true })));
      await waitFor('all five endpoints', async () => (await readyIPs('batch')).length === 5, 30_000);
      // the watch delivers the write that made them ready a moment after a list shows it
      await waitFor('the watch to see all five ready', async () => watchedReady === 5, 30_000);
      // Five pods turned ready: with batching, far fewer slice writes than pod changes.
      expect(versions.size).toBeGreaterThanOrEqual(1);
      expect(versions.size).toBeLessThanOrEqual(2);
    } finally {
      watch.stop();
    }
  });
});

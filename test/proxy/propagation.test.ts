// Propagation as it really is: a proxy with kube-proxy's minSyncPeriod and a syncDelay applies a
// change no sooner than the delay after it was written, syncs at most once per minSyncPeriod
// after a burst of two however fast changes come, and still ends up with the last change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointSlice } from '../../src/api/types.js';
import type { NodeConfig } from '../../src/cluster/config.js';
import { BURST_SYNCS, PRESET_TIMINGS } from '../../src/cluster/propagation.js';
import { freePort, startTestControlPlane, waitFor, type TestControlPlane } from '../support/control-plane.js';
import { createFakeNode, type FakeNode } from '../support/fake-nodes.js';
import { testNodeConfigs } from '../support/node-process.js';
import { createEndpointSlice, createService, endpoint, request, setEndpoints, startPods, startProxyProcess, type PodServer, type ProxyProcess } from './support.js';

const SYNC_DELAY_MS = 400;
const MIN_SYNC_PERIOD_MS = 1000;

let cp: TestControlPlane;
let proxy: ProxyProcess;
let nodes: NodeConfig[];
let fake: FakeNode | undefined;
let pods: PodServer[] = [];
let slice: EndpointSlice;
let clusterIP = '';

async function syncsTotal(): Promise<number> {
  const m = /^loopkube_proxy_syncs_total (\d+)$/m.exec((await proxy.get('/metrics')).body);
  return Number(m?.[1]);
}

/** Which pod a new connection to the service reaches now. */
async function servedBy(): Promise<string> {
  return (await request(clusterIP, 80, nodes[0]!.ip)).pod;
}

beforeAll(async () => {
  nodes = testNodeConfigs(1);
  const metricsPort = await freePort();
  cp = await startTestControlPlane({
    nodes,
    config: {
      proxy: { mode: 'round-robin', metricsPort },
      propagation: { ...PRESET_TIMINGS.production, preset: 'production', endpointUpdatesBatchPeriodMs: 0, minSyncPeriodMs: MIN_SYNC_PERIOD_MS, syncDelayMs: SYNC_DELAY_MS },
    },
  });
  fake = await createFakeNode(cp.client, { name: nodes[0]!.name, ip: nodes[0]!.ip });
  fake.startHeartbeats(1000);
  proxy = await startProxyProcess(cp.home, metricsPort);
  const base = nodes[0]!.podCIDR.replace(/\.0\/24$/, '');
  pods = await startPods([
    { name: 'pa', ip: `${base}.41`, node: nodes[0]!.name },
    { name: 'pb', ip: `${base}.42`, node: nodes[0]!.name },
  ]);
  const svc = await createService(cp.client, 'default', 'prop', { ports: [{ name: 'http', port: 80, targetPort: pods[0]!.port }] });
  clusterIP = svc.spec.clusterIP!;
  slice = await createEndpointSlice(cp.client, 'default', 'prop', { name: 'http', port: pods[0]!.port }, [endpoint(pods[0]!)]);
  await waitFor('the service to be served', async () => (await servedBy()) === 'pa');
});

afterAll(async () => {
  await proxy?.stop();
  await Promise.all(pods.map((p) => p.close()));
  await fake?.stopHeartbeats();
  await cp?.stop();
});

describe('propagation with minSyncPeriod and syncDelay', () => {
  it('applies a change no sooner than syncDelay after it was written', async () => {
    const written = performance.now();
    await setEndpoints(cp.client, slice, [endpoint(pods[1]!)]);
    await waitFor('pb to take the traffic', async () => (await servedBy()) === 'pb', 30_000, 10);
    expect(performance.now() - written).toBeGreaterThanOrEqual(SYNC_DELAY_MS);
  });

  it('syncs at most once per minSyncPeriod after a burst, however fast changes come, and ends with the last one', async () => {
    const before = await syncsTotal();
    const started = performance.now();
    // 8 changes, 100 ms apart, alternating which pod serves; the last leaves pa serving.
    for (let i = 0; i < 8; i++) {
      await setEndpoints(cp.client, slice, [endpoint(pods[i % 2 === 0 ? 0 : 1]!)]);
      await new Promise((r) => setTimeout(r, 100));
    }
    await setEndpoints(cp.client, slice, [endpoint(pods[0]!)]);
    await waitFor('the last change to be applied', async () => (await servedBy()) === 'pa' && (await syncsTotal()) > before);
    // Counted now, the syncs so far: a token bucket of BURST_SYNCS refilled once per period.
    const syncs = (await syncsTotal()) - before;
    const elapsed = performance.now() - started;
    expect(syncs).toBeGreaterThanOrEqual(1);
    expect(syncs).toBeLessThanOrEqual(BURST_SYNCS + Math.floor(elapsed / MIN_SYNC_PERIOD_MS));
  });
});

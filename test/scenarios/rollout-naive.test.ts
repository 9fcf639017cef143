// 09 rollout-naive on a cluster of its own (the same code as `loopkube demo rollout-naive`): a
// rolling update of an app that exits on SIGTERM loses requests, and the verdict blames the
// pods that were going away. The cluster propagates as a production one does (kube-proxy's
// minSyncPeriod, the endpoint controller's batching): new connections still reach a pod for a
// moment after it got SIGTERM and exited, and are refused there.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scenarioClusterFile } from '../../src/demo/cluster.js';
import { rolloutNaive } from '../../src/demo/rollout-naive.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { showScenario } from './support.js';

let c: TestCluster;
beforeAll(async () => {
  c = await startTestCluster({ nodes: 2, clusterFile: scenarioClusterFile(rolloutNaive)! });
});
afterAll(async () => {
  await c?.down();
});

it('09: requests fail during the rollout, attributed to the terminating pods', async () => {
  const { findings: f } = await showScenario(c, rolloutNaive);
  expect(f.failed).toBeGreaterThan(0);
  expect(f.blamedPods.length).toBeGreaterThan(0);
  for (const p of f.blamedPods) expect(f.oldPods).toContain(p);
  expect(Object.keys(f.causes).every((k) => k === 'terminating' || k === 'keep-alive')).toBe(true);
  // the failure production clusters are known for: connections routed to a pod already gone
  expect(f.causes['terminating'] ?? 0).toBeGreaterThan(0);
});

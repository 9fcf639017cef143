// 13 drain-with-budget on the cluster of its examples folder (two nodes, production propagation),
// run by the same code as `loopkube demo drain-with-budget`: a drain of the node that holds every
// pod of web loses requests for want of an endpoint; with a PodDisruptionBudget of minAvailable 2
// the eviction API refuses, kubectl drain retries, the pods leave one by one and none fails.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scenarioClusterFile } from '../../src/demo/cluster.js';
import { drainWithBudget } from '../../src/demo/drain-with-budget.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { showScenario } from './support.js';

let c: TestCluster;
beforeAll(async () => {
  c = await startTestCluster({ nodes: 2, clusterFile: scenarioClusterFile(drainWithBudget)! });
});
afterAll(async () => {
  await c?.down();
});

it('13: without a budget the drain loses requests (no endpoint left); with one, none fails', async () => {
  const { findings: f } = await showScenario(c, drainWithBudget);
  const a = f.withoutBudget;
  expect(a.drainedPods).toHaveLength(3);
  expect(a.drainExit).toBe(0);
  expect(a.failed).toBeGreaterThan(0);
  expect(a.causes['no endpoint']).toBeGreaterThan(0);
  expect(Object.values(a.podsAfter)).toEqual(['node-2', 'node-2', 'node-2']);

  const b = f.withBudget;
  expect(b.drainedPods).toHaveLength(3);
  expect(b.drainExit).toBe(0);
  expect(b.refusals).toBeGreaterThan(0);
  expect(b.attempts).toBeGreaterThan(0);
  expect(b.failed).toBe(0);
  expect(Object.values(b.podsAfter)).toEqual(['node-1', 'node-1', 'node-1']);
});

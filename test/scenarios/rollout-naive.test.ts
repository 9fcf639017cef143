// 09 rollout-naive on a cluster of its own (the same code as `loopkube demo rollout-naive`): a
// rolling update of an app that exits on SIGTERM loses requests, and the verdict blames the
// pods that were going away.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rolloutNaive } from '../../src/demo/rollout-naive.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { showScenario } from './support.js';

let c: TestCluster;
beforeAll(async () => {
  c = await startTestCluster({ nodes: 2 });
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
});

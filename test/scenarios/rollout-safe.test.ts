// 10 rollout-safe on a cluster of its own (the same code as `loopkube demo rollout-safe`): with
// a preStop sleep, a draining app, a readiness probe and maxUnavailable 0, three rollouts under
// keep-alive load lose not one request.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scenarioClusterFile } from '../../src/demo/cluster.js';
import { ROLLOUTS, rolloutSafe } from '../../src/demo/rollout-safe.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { showScenario } from './support.js';

let c: TestCluster;
beforeAll(async () => {
  c = await startTestCluster({ nodes: 2, clusterFile: scenarioClusterFile(rolloutSafe)! });
});
afterAll(async () => {
  await c?.down();
});

it('10: zero failed requests in three rollouts', async () => {
  const { findings: f } = await showScenario(c, rolloutSafe);
  expect(f.runs).toHaveLength(ROLLOUTS);
  for (const run of f.runs) {
    expect(run.attempts).toBeGreaterThan(0);
    expect(run.failed).toBe(0);
  }
});

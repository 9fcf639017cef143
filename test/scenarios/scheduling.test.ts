// 04-scheduling on the cluster of its examples folder (nodes of 4Gi with disk=ssd, 8Gi and 2Gi),
// run by the same code as `loopkube demo scheduling`.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { clusterMismatch, scenarioClusterFile } from '../../src/demo/cluster.js';
import { INSUFFICIENT_MEMORY, scheduling } from '../../src/demo/scheduling.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { showScenario } from './support.js';

let c: TestCluster;

beforeAll(async () => {
  c = await startTestCluster({ nodes: 3, clusterFile: scenarioClusterFile(scheduling) });
});

afterAll(async () => {
  await c?.down();
});

it('the cluster started from examples/04-scheduling/cluster.yaml suits the scenario', () => {
  expect(clusterMismatch(scheduling, c.config)).toBeUndefined();
  expect(c.config.nodes.map((n) => [n.name, n.capacity.memory, n.labels.disk])).toEqual([
    ['node-1', '4Gi', 'ssd'],
    ['node-2', '8Gi', undefined],
    ['node-3', '2Gi', undefined],
  ]);
});

it('04: pinned and selected pods land where told, 3Gi pods by free memory, and one that fits nowhere stays Pending with FailedScheduling', async () => {
  const { findings: f } = await showScenario(c, scheduling);
  expect(f.placements.map((p) => [p.pod, p.node])).toEqual([
    ['pinned', 'node-3'],
    ['ssd-only', 'node-1'],
    ['mem-a', 'node-2'],
    ['mem-b', 'node-2'],
    ['mem-c', 'node-1'],
  ]);
  expect(f.unschedulable).toMatchObject({ pod: 'mem-d', phase: 'Pending', reason: 'Unschedulable' });
  expect(f.unschedulable.message.startsWith(INSUFFICIENT_MEMORY)).toBe(true);
  expect(f.unschedulable.event.startsWith(INSUFFICIENT_MEMORY)).toBe(true);
  expect(f.afterFreeing).toEqual({ deleted: 'mem-b', pod: 'mem-d', node: 'node-2' });
});

// 11 keepalive-after-scale on a cluster of its own (the same code as `loopkube demo
// keepalive-after-scale`): under keep-alive load the pods a scale-up adds get (almost) nothing;
// with one connection per request every pod gets about its even share.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { keepaliveAfterScale } from '../../src/demo/keepalive-after-scale.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { showScenario } from './support.js';

let c: TestCluster;
beforeAll(async () => {
  c = await startTestCluster({ nodes: 2 });
});
afterAll(async () => {
  await c?.down();
});

it('11: new pods share near 0 with keep-alive, near even with a connection per request', async () => {
  const { findings: f } = await showScenario(c, keepaliveAfterScale);
  expect(f.keepAliveNewShare).toBeLessThan(0.02);
  const shares = Object.values(f.newConnectionShares);
  expect(shares).toHaveLength(6);
  for (const s of shares) {
    expect(s).toBeGreaterThan(1 / 12);
    expect(s).toBeLessThan(1 / 3);
  }
});

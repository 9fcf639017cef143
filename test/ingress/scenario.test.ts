// Scenario 12 (examples/12-ingress-hosts-and-paths) as `loopkube demo` runs it: 20 requests per
// host and path, every one answered by the Service the rules name; shop.example/ gives 10 to each
// of web's 2 pods (round-robin per request: exact, no tolerance needed at this count).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingressHostsAndPaths, REQUESTS } from '../../src/demo/ingress-hosts-and-paths.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { showScenario } from '../scenarios/support.js';

let c: TestCluster;
beforeAll(async () => {
  c = await startTestCluster({ nodes: 1 });
});
afterAll(async () => {
  await c?.down();
});

describe('12 ingress-hosts-and-paths', () => {
  it('routes by host and path to two Services; round-robin per request; 404 for an unknown host', async () => {
    const { findings: f } = await showScenario(c, ingressHostsAndPaths);
    expect(f.ingressClassName).toBe('loopkube');
    expect(f.statusAddress).toBe(f.address);
    const pods = (k: string): Record<string, number> => f.spreads[k]?.pods ?? {};
    expect(Object.values(pods('shop.example /'))).toEqual([REQUESTS / 2, REQUESTS / 2]);
    expect(Object.keys(pods('shop.example /')).every((p) => p.startsWith('web-'))).toBe(true);
    expect(Object.keys(pods('shop.example /api/orders')).map((p) => p.replace(/-[^-]+-[^-]+$/, ''))).toEqual(['api']);
    expect(Object.values(pods('shop.example /apiary')).reduce((a, b) => a + b, 0)).toBe(REQUESTS);
    expect(Object.keys(pods('shop.example /apiary')).every((p) => p.startsWith('web-'))).toBe(true);
    expect(Object.keys(pods('v2.api.example /')).every((p) => p.startsWith('api-'))).toBe(true);
    expect(f.unknownHost).toBe('HTTP 404');
  });
});

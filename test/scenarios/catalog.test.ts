// The scenario catalogue without a cluster: every scenario has its examples folder (a README
// and manifests that parse into objects the API serves), `loopkube demo NAME` finds it by any of
// the names a user would type, and the address rules the demo applies.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addressInServiceCIDR } from '../../src/demo/clusterip-inside-only.js';
import { scenarioClusterFile } from '../../src/demo/cluster.js';
import { SCENARIOS, findScenario } from '../../src/demo/index.js';
import { examplesRoot, readManifests, resourceOf } from '../../src/demo/manifests.js';
import { exampleFolder } from '../../src/demo/types.js';

describe('examples/', () => {
  it.each(SCENARIOS.map((s) => [exampleFolder(s), s] as const))('%s has a README and manifests of served kinds', (folder, s) => {
    const dir = path.join(examplesRoot(), folder);
    expect(existsSync(path.join(dir, 'README.md'))).toBe(true);
    const yamls = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'cluster.yaml');
    expect(yamls.length).toBeGreaterThan(0);
    for (const f of yamls) {
      const objects = readManifests(path.join(dir, f));
      expect(objects.length, f).toBeGreaterThan(0);
      for (const o of objects) expect(() => resourceOf(o), `${f}: ${o.kind}`).not.toThrow();
    }
    // a cluster file that names nodes names as many as the scenario needs (one may only set how it propagates)
    const file = scenarioClusterFile(s);
    if (file?.nodes) expect(file.nodes).toHaveLength(s.cluster.nodes);
  });

  it('holds one folder per scenario and nothing else', () => {
    const folders = readdirSync(examplesRoot(), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    expect(folders).toEqual(SCENARIOS.map(exampleFolder).sort());
  });
});

describe('loopkube demo NAME', () => {
  it.each([
    ['nodeport-every-node', 'nodeport-every-node'],
    ['06', 'nodeport-every-node'],
    ['6', 'nodeport-every-node'],
    ['06-nodeport-every-node', 'nodeport-every-node'],
    ['examples/06-nodeport-every-node/', 'nodeport-every-node'],
    ['LoadBalancer', 'loadbalancer'],
    ['1', 'multi-container-pod'],
    ['nope', undefined],
    ['9', 'rollout-naive'],
    ['12', 'ingress-hosts-and-paths'],
    ['13', 'drain-with-budget'],
    ['99', undefined],
  ])('%s -> %s', (query, name) => {
    expect(findScenario(query)?.name).toBe(name);
  });
});

describe("a user-chosen ClusterIP moved into the cluster's service CIDR", () => {
  it.each([
    ['127.96.100.100', '127.96.0.0/12', '127.96.100.100'],
    ['127.96.100.100', '127.113.0.0/16', '127.113.100.100'],
    ['127.96.100.100', '10.96.0.0/12', '10.96.100.100'],
  ])('%s in %s -> %s', (requested, cidr, expected) => {
    expect(addressInServiceCIDR(requested, cidr)).toBe(expected);
  });
});

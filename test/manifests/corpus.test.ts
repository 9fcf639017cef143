// Manifests the way real projects write them apply unchanged and serve, judged by the same check
// `npm run check:manifests` runs on anyone's files (scripts/check-manifests.ts): kubectl accepts
// every object, every pod is Running and Ready, every Service has ready endpoints and answers
// through its ClusterIP (from a node's address), its NodePort on every node and its
// LoadBalancer address. The files in corpus/ are our own, each shaped like a well-known public
// project's manifests (named at the top of each file): the kinds, fields and habits those use
// (exec and gRPC probes, emptyDirs, ServiceAccounts, named target ports, several versions behind
// one Service, a workload that serves nothing).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFile, formatChecks, kubectlFor, nodeAddresses } from '../../scripts/check-manifests.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';

const CORPUS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'corpus');

let c: TestCluster;
let nodeIPs: string[];

beforeAll(async () => {
  c = await startTestCluster({ nodes: 3 });
  nodeIPs = await nodeAddresses(kubectlFor(c.kubeconfig));
}, 120_000);

afterAll(async () => {
  await c?.down();
});

describe('real projects\' manifests apply unchanged and serve', () => {
  it.each([
    ['guestbook.yaml', 'guestbook'],
    ['shop.yaml', 'shop'],
    ['bookstore.yaml', 'bookstore'],
    ['guestbook-legacy', 'guestbook-legacy'],
  ])('%s', async (file, namespace) => {
    const check = await checkFile(kubectlFor(c.kubeconfig), path.join(CORPUS, file), namespace, nodeIPs, 90_000);
    expect(check.serves, formatChecks([check])).toBe(true);
    expect(check.pods.total).toBeGreaterThan(0);
    // every Service of the file was tried through at least its ClusterIP
    expect(check.services.length).toBeGreaterThan(0);
    for (const s of check.services) expect(s.frontends.length, s.name).toBeGreaterThan(0);
  });

  it('a NodePort answers on every node and a LoadBalancer on its address', async () => {
    const check = await checkFile(kubectlFor(c.kubeconfig), path.join(CORPUS, 'guestbook-legacy'), 'guestbook-legacy', nodeIPs, 90_000);
    const lb = check.services.find((s) => s.name === 'guestbook')!;
    expect(lb.type).toBe('LoadBalancer');
    expect(lb.readyEndpoints).toBe(3);
    expect(lb.frontends.filter((f) => f.frontend.startsWith('NodePort')).map((f) => f.outcome)).toEqual(nodeIPs.map(() => 'ok'));
    expect(lb.frontends.filter((f) => f.frontend.startsWith('LoadBalancer')).map((f) => f.outcome)).toEqual(['ok']);
  });

  it('a kind loopkube does not serve is reported in kubectl\'s words, and the file does not count as serving', async () => {
    const check = await checkFile(kubectlFor(c.kubeconfig), path.join(CORPUS, '..', 'unserved-kind.yaml'), 'unserved', nodeIPs, 5_000);
    expect(check.applied).toBe(false);
    expect(check.refused).toContain('no matches for kind "Gadget" in version "example.com/v1"');
    expect(check.serves).toBe(false);
  });
});

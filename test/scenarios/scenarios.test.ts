// The source notes' scenarios that can share one 3-node cluster, each run by the same code as
// `loopkube demo NAME` (src/demo/), over real processes and real sockets, each in a namespace
// of its own; then `loopkube demo` itself against that running cluster.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cidrContains, parseCidr, parseIPv4 } from '../../src/cluster/cidr.js';
import { clusterIPInsideOnly } from '../../src/demo/clusterip-inside-only.js';
import { EXTERNAL_CLIENT, externalTrafficPolicyLocal } from '../../src/demo/external-traffic-policy-local.js';
import { labelsAndSelectors } from '../../src/demo/labels-and-selectors.js';
import { loadBalancer } from '../../src/demo/loadbalancer.js';
import { multiContainerPod } from '../../src/demo/multi-container-pod.js';
import { nodePortEveryNode } from '../../src/demo/nodeport-every-node.js';
import { rcRecreatesPods } from '../../src/demo/rc-recreates-pods.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { showScenario } from './support.js';

let c: TestCluster;
let nodeIP: (name: string) => string;

beforeAll(async () => {
  c = await startTestCluster({ nodes: 3 });
  nodeIP = (name) => c.config.nodes.find((n) => n.name === name)!.ip;
});

afterAll(async () => {
  await c?.down();
});

describe('pods', () => {
  it('01: two containers answer on their own ports of one pod IP; a duplicate port is rejected in Kubernetes words', async () => {
    const { findings: f } = await showScenario(c, multiContainerPod);
    expect(f.answers.map((a) => [a.port, a.container, a.podIP])).toEqual([
      [8080, 'web', f.podIP],
      [8081, 'web', f.podIP],
      [9090, 'sidecar', f.podIP],
    ]);
    expect(f.rejection).toEqual({
      code: 422,
      reason: 'Invalid',
      message: 'Pod "clash" is invalid: spec.containers[1].ports[0]: Duplicate value: "8080/TCP": duplicate port definition with spec.containers[0].ports[0]',
    });
    expect(f.clashCreated).toBe(false);
  });

  it('02: selectors pick pods by label, and a Service sends traffic only to the pods its labels select', async () => {
    const { findings: f } = await showScenario(c, labelsAndSelectors);
    for (const s of f.selections) expect(s.matched, `-l '${s.selector}'`).toEqual(s.expected);
    expect(f.before.endpoints).toEqual(['web-1', 'web-2']);
    expect(f.before.spread.pods).toEqual({ 'web-1': 10, 'web-2': 10 });
    expect(f.after.endpoints).toEqual(['web-1', 'web-2', 'web-canary']);
    expect(f.after.spread.pods).toEqual({ 'web-1': 10, 'web-2': 10, 'web-canary': 10 });
  });

  it('03: a deleted pod of an RC is replaced by one with a new name and IP, created before the old one is gone; the old IP stops answering', async () => {
    const { findings: f } = await showScenario(c, rcRecreatesPods);
    expect(f.replacement.name).not.toBe(f.deleted.name);
    expect(f.replacement.name).toMatch(/^web-[a-z0-9]{5}$/);
    expect(f.before.map((p) => p.ip)).not.toContain(f.replacement.ip);
    expect(f.after.map((p) => p.name)).not.toContain(f.deleted.name);
    expect(f.oldIPOutcome).toBe('ECONNREFUSED');
    expect(f.replacementAnswered).toBe(true);
    const created = f.timeline.find((e) => e.pod === f.replacement.name && e.what === 'created')!;
    const gone = f.timeline.find((e) => e.pod === f.deleted.name && e.what === 'deleted')!;
    expect(created.seq).toBeLessThan(gone.seq);
    expect(f.rcReadyReplicas).toBe(3);
  });
});

describe('services', () => {
  it('05: a ClusterIP answers from a node address, is refused from 127.0.0.1, keeps its IP, can be chosen, and has a DNS name', async () => {
    const { findings: f } = await showScenario(c, clusterIPInsideOnly);
    expect(Object.values(f.fromNode.spread.pods)).toEqual([10, 10]);
    expect(f.fromNode.spread.clientIPs).toEqual({ [nodeIP('node-1')]: 20 });
    expect(['ECONNREFUSED', 'ECONNRESET']).toContain(f.fromHost.outcome);
    if (f.dns) expect(f.dns.addresses).toEqual([f.clusterIP]);
    expect(f.chosen.assigned).toBe(f.chosen.requested);
    expect(f.afterReplacement.clusterIP).toBe(f.clusterIP);
    expect(f.afterReplacement.pods.some((p) => f.pods.includes(p))).toBe(false);
    expect(Object.values(f.afterReplacement.spread.pods)).toEqual([10, 10]);
  });

  it('06: the NodePort answers on every node, node-3 without pods too; 30 connections per node give 10 to each of 3 pods', async () => {
    const { findings: f } = await showScenario(c, nodePortEveryNode);
    expect(f.nodePort).toBeGreaterThanOrEqual(30000);
    expect(f.nodePort).toBeLessThanOrEqual(32767);
    expect(f.pods.map((p) => p.node)).not.toContain('node-3');
    expect(f.runs.map((r) => r.node)).toEqual(['node-1', 'node-2', 'node-3']);
    for (const r of f.runs) {
      expect(Object.fromEntries(f.pods.map((p) => [p.name, r.spread.pods[p.name]])), `through ${r.node}`).toEqual(Object.fromEntries(f.pods.map((p) => [p.name, 10])));
      expect(r.spread.clientIPs, `the address the pods saw through ${r.node}`).toEqual({ [r.ip]: 30 });
    }
    expect(f.runs.find((r) => r.node === 'node-3')!.localPods).toBe(0);
  });

  it("07: with externalTrafficPolicy Local only local pods answer, with the client's address; a node without pods refuses; health checks 200/200/503", async () => {
    const { findings: f } = await showScenario(c, externalTrafficPolicyLocal);
    const byNode = Object.fromEntries(f.local.map((r) => [r.node, r]));
    expect(byNode['node-1']!.spread.pods).toEqual({ 'web-a': 6, 'web-b': 6 });
    expect(byNode['node-2']!.spread.pods).toEqual({ 'web-c': 12 });
    expect(byNode['node-3']!.spread.answers).toHaveLength(0);
    expect((byNode['node-3']!.spread.errors.ECONNREFUSED ?? 0) + (byNode['node-3']!.spread.errors.ECONNRESET ?? 0)).toBe(12);
    for (const r of f.local) for (const a of r.spread.answers) expect(a.clientIP).toBe(EXTERNAL_CLIENT);
    expect(f.cluster.spread.clientIPs).toEqual({ [nodeIP('node-3')]: 12 });
    expect(f.healthChecks.map((h) => [h.node, h.status, h.localEndpoints])).toEqual([
      ['node-1', 200, 2],
      ['node-2', 200, 1],
      ['node-3', 503, 0],
    ]);
  });

  it('08: a LoadBalancer is <pending>, then gets an IP from the pool; it spreads over the nodes; with Local, 2+1 pods get 25/25/50', async () => {
    const { findings: f } = await showScenario(c, loadBalancer);
    expect(f.externalIPAtCreation).toBe('');
    expect(cidrContains(parseCidr(c.config.loadBalancerPool)!, parseIPv4(f.externalIP)!)).toBe(true);
    expect(f.perNode).toEqual({ 'node-1': 12, 'node-2': 12, 'node-3': 12 });
    expect(Object.values(f.spread.pods)).toEqual([12, 12, 12]);
    expect(f.local.spread.pods).toEqual({ 'local-a': 10, 'local-b': 10, 'local-c': 20 });
    expect(f.local.shares).toEqual({ 'local-a': 25, 'local-b': 25, 'local-c': 50 });
    expect(f.local.spread.clientIPs).toEqual({ [EXTERNAL_CLIENT]: 40 });
  });
});

describe('loopkube demo', () => {
  it('lists the scenarios', async () => {
    const r = await c.loopkube(['demo']);
    expect(r.code).toBe(0);
    for (const name of ['multi-container-pod', 'labels-and-selectors', 'rc-recreates-pods', 'scheduling', 'clusterip-inside-only', 'nodeport-every-node', 'external-traffic-policy-local', 'loadbalancer']) {
      expect(r.stdout).toContain(name);
    }
  });

  it('rejects an unknown scenario with a usage error', async () => {
    const r = await c.loopkube(['demo', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown scenario "nope"');
  });

  it('runs a scenario on the running cluster it is pointed at, prints the story and exits 0', async () => {
    const r = await c.loopkube(['demo', '01', '--name', c.name], { timeoutMs: 120_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`Using the running cluster "${c.name}"`);
    expect(r.stdout).toContain('duplicate port definition with spec.containers[0].ports[0]');
    expect(r.stdout).toContain('✓ 01 multi-container-pod: the cluster behaved as expected');
    expect((await c.kubectl(['get', 'ns', 'multi-container-pod'])).code).toBe(1);
  });

  it('refuses a running cluster that does not suit the scenario, saying why', async () => {
    const r = await c.loopkube(['demo', 'scheduling', '--name', c.name]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cluster "${c.name}" is running but does not suit scenario scheduling: node-1 has memory 8Gi, the scenario needs 4Gi`);
  });
});

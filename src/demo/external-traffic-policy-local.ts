// 07: `externalTrafficPolicy: Local`. A node hands NodePort connections only to the service's
// pods on that same node, so the pod sees the client's own address (no SNAT); a node without
// such a pod refuses; the healthCheckNodePort tells a load balancer which nodes have local pods
// (200) and which do not (503). The same pods behind a Cluster-policy Service, for contrast.
import type { Service } from '../api/types.js';
import { getText, spread, type Spread } from './http.js';
import { waitForEndpoints, waitForReadyPods } from './kube.js';
import { applyFile } from './manifests.js';
import { evenlyOver, formatCounts, printSpreads, waitUntilServedBy } from './traffic.js';
import type { Scenario } from './types.js';
import { waitUntil } from './wait.js';

/** The address the demo's "external client" connects from: outside every node, pod and service range. */
export const EXTERNAL_CLIENT = '127.0.0.77';
export const CONNECTIONS_PER_NODE = 12;

export interface LocalRun {
  node: string;
  ip: string;
  localPods: string[];
  spread: Spread;
}

export interface HealthCheck {
  node: string;
  status: number;
  localEndpoints: number | null;
}

export interface LocalPolicyFindings {
  nodePort: number;
  healthCheckNodePort: number;
  pods: Array<{ name: string; node: string }>;
  /** Connections from EXTERNAL_CLIENT to each node at web-local's NodePort. */
  local: LocalRun[];
  /** The Cluster-policy Service through a node without pods, for contrast. */
  cluster: { node: string; ip: string; spread: Spread };
  healthChecks: HealthCheck[];
}

export const externalTrafficPolicyLocal: Scenario<LocalPolicyFindings> = {
  name: 'external-traffic-policy-local',
  number: '07',
  title: 'externalTrafficPolicy: Local: only local pods, the client address preserved',
  claim: 'with externalTrafficPolicy: Local, a node hands the connection only to pods on that same node.',
  cluster: { nodes: 3 },
  async run(ctx) {
    const { out } = ctx;
    const nodes = ctx.config.nodes;

    out.step('Create 3 pods: web-a and web-b on node-1, web-c on node-2, none on node-3 (pods.yaml)');
    await applyFile(ctx, 'pods.yaml');
    const ready = await waitForReadyPods(ctx, 'app=web', 3);
    const pods = ready.map((p) => ({ name: p.metadata.name ?? '', node: p.spec.nodeName ?? '' }));
    out.table(['POD', 'IP', 'NODE'], ready.map((p) => [p.metadata.name, p.status?.podIP, p.spec.nodeName]));

    out.step('Create two Services over them (services.yaml): web-local (LoadBalancer, Local) and web-cluster (NodePort, Cluster)');
    const created = await applyFile(ctx, 'services.yaml');
    const local = created.find((o) => o.metadata.name === 'web-local') as Service;
    const cluster = created.find((o) => o.metadata.name === 'web-cluster') as Service;
    const nodePort = local.spec.ports![0]!.nodePort!;
    const hcPort = local.spec.healthCheckNodePort ?? 0;
    const clusterNodePort = cluster.spec.ports![0]!.nodePort!;
    await waitForEndpoints(ctx, 'web-local', pods.map((p) => p.name));
    await waitForEndpoints(ctx, 'web-cluster', pods.map((p) => p.name));
    out.say(`web-local: NodePort ${nodePort}, healthCheckNodePort ${hcPort || '(none)'}; web-cluster: NodePort ${clusterNodePort}`);

    out.step(`${CONNECTIONS_PER_NODE} new connections to each node at web-local's NodePort ${nodePort}, from a client at ${EXTERNAL_CLIENT}`);
    const localPodsOf = (node: string): string[] => pods.filter((p) => p.node === node).map((p) => p.name);
    for (const n of nodes) {
      const mine = localPodsOf(n.name);
      if (mine.length) await waitUntilServedBy(n.ip, nodePort, mine, { from: EXTERNAL_CLIENT });
    }
    const runs: LocalRun[] = [];
    for (const n of nodes) {
      runs.push({ node: n.name, ip: n.ip, localPods: localPodsOf(n.name), spread: await spread(CONNECTIONS_PER_NODE, n.ip, nodePort, { from: EXTERNAL_CLIENT }) });
    }
    printSpreads(out, runs.map((r) => ({ label: `VIA ${r.node.toUpperCase()}`, spread: r.spread })), pods);
    out.say(`Client address the pods saw: ${formatCounts(Object.assign({}, ...runs.map((r) => r.spread.clientIPs)) as Record<string, number>)}`);

    const crossed = runs.filter((r) => Object.keys(r.spread.pods).some((p) => !r.localPods.includes(p)));
    ctx.check(
      'a node hands connections only to the pods on itself',
      crossed.length === 0 && runs.filter((r) => r.localPods.length).every((r) => evenlyOver(r.spread.pods, r.localPods, CONNECTIONS_PER_NODE / r.localPods.length)),
      runs.map((r) => `${r.node}: ${formatCounts(r.spread.pods)}`).join('; '),
    );
    const notPreserved = runs.flatMap((r) => r.spread.answers).filter((a) => a.clientIP !== EXTERNAL_CLIENT);
    ctx.check(
      "the pod sees the client's own address",
      notPreserved.length === 0 && runs.some((r) => r.spread.answers.length > 0),
      notPreserved.length ? `${notPreserved.length} answers saw ${[...new Set(notPreserved.map((a) => a.clientIP))].join(', ')}` : `every answer saw ${EXTERNAL_CLIENT}`,
    );
    const emptyRuns = runs.filter((r) => r.localPods.length === 0);
    ctx.check(
      'a node without such a pod refuses the connection',
      emptyRuns.length > 0 && emptyRuns.every((r) => r.spread.answers.length === 0 && (r.spread.errors.ECONNREFUSED ?? 0) + (r.spread.errors.ECONNRESET ?? 0) === CONNECTIONS_PER_NODE),
      emptyRuns.map((r) => `${r.node}: ${r.spread.answers.length ? formatCounts(r.spread.pods) : formatCounts(r.spread.errors)}`).join('; ') || 'every node runs a pod',
    );

    const empty = emptyRuns[0] ?? runs[runs.length - 1]!;
    out.step(`For contrast, web-cluster (externalTrafficPolicy: Cluster) through ${empty.node}: ${CONNECTIONS_PER_NODE} connections to ${empty.ip}:${clusterNodePort}`);
    await waitUntilServedBy(empty.ip, clusterNodePort, pods.map((p) => p.name), { from: EXTERNAL_CLIENT });
    const viaCluster = await spread(CONNECTIONS_PER_NODE, empty.ip, clusterNodePort, { from: EXTERNAL_CLIENT });
    printSpreads(out, [{ label: 'ANSWERS', spread: viaCluster }], pods);
    out.say(`Client address the pods saw: ${formatCounts(viaCluster.clientIPs)} (the node's, not the client's: SNAT)`);
    ctx.check(
      `with the Cluster policy, ${empty.node} serves too, and the pods see its address instead of the client's`,
      viaCluster.answers.length === CONNECTIONS_PER_NODE && Object.keys(viaCluster.clientIPs).join(',') === empty.ip,
      `${formatCounts(viaCluster.pods)}; client address seen: ${formatCounts(viaCluster.clientIPs)}`,
    );

    out.step(`The healthCheckNodePort ${hcPort} on every node, as a cloud load balancer polls it`);
    const healthChecks: HealthCheck[] = [];
    if (hcPort) {
      await waitUntil('the health check to answer on node-1', async () => (await getText(nodes[0]!.ip, hcPort)).status > 0).catch(() => undefined);
      for (const n of nodes) {
        const expected = localPodsOf(n.name).length;
        let got: HealthCheck = { node: n.name, status: 0, localEndpoints: null };
        // the proxy applies endpoint changes in milliseconds; give it a moment to agree
        await waitUntil(`${n.name}'s health check to count ${expected} local endpoints`, async () => {
          got = await readHealthCheck(n.name, n.ip, hcPort);
          return got.localEndpoints === expected;
        }, { timeoutMs: 10_000 }).catch(() => undefined);
        healthChecks.push(got);
      }
    }
    out.table(['NODE', 'STATUS', 'localEndpoints'], healthChecks.map((h) => [h.node, h.status || 'no answer', h.localEndpoints ?? '-']));
    ctx.check(
      'the health check answers 200 where the node has local pods and 503 where it has none',
      healthChecks.length === nodes.length && healthChecks.every((h) => h.status === (localPodsOf(h.node).length > 0 ? 200 : 503) && h.localEndpoints === localPodsOf(h.node).length),
      healthChecks.map((h) => `${h.node} ${h.status} (${h.localEndpoints ?? '-'})`).join(', ') || 'no healthCheckNodePort',
    );

    for (const n of nodes) out.hint(`curl --interface ${EXTERNAL_CLIENT} http://${n.ip}:${nodePort}/`);
    for (const n of nodes) out.hint(`curl -i http://${n.ip}:${hcPort}/`);
    return {
      nodePort,
      healthCheckNodePort: hcPort,
      pods,
      local: runs,
      cluster: { node: empty.node, ip: empty.ip, spread: viaCluster },
      healthChecks,
    };
  },
};

async function readHealthCheck(node: string, ip: string, port: number): Promise<HealthCheck> {
  try {
    const r = await getText(ip, port);
    let localEndpoints: number | null = null;
    try {
      localEndpoints = (JSON.parse(r.body) as { localEndpoints?: number }).localEndpoints ?? null;
    } catch {
      // not kube-proxy's body
    }
    return { node, status: r.status, localEndpoints };
  } catch {
    return { node, status: 0, localEndpoints: null };
  }
}

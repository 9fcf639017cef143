// 06: a NodePort Service opens the same port on every node, also on a node that runs none of its
// pods; a connection to any node's IP at that port reaches one of the pods wherever it runs,
// round-robin (30 connections over 3 pods: 10 each, through every node).
import type { Service } from '../api/types.js';
import { spread, type Spread } from './http.js';
import { waitForEndpoints, waitForReadyPods } from './kube.js';
import { applyFile } from './manifests.js';
import { evenlyOver, formatCounts, printSpreads, waitUntilServedBy } from './traffic.js';
import type { Scenario } from './types.js';

export interface NodeRun {
  node: string;
  ip: string;
  /** Pods of the service on this node. */
  localPods: number;
  spread: Spread;
}

export interface NodePortFindings {
  nodePort: number;
  pods: Array<{ name: string; node: string; ip: string }>;
  /** 30 connections to each node's IP at the NodePort. */
  runs: NodeRun[];
}

export const CONNECTIONS_PER_NODE = 30;

export const nodePortEveryNode: Scenario<NodePortFindings> = {
  name: 'nodeport-every-node',
  number: '06',
  title: 'NodePort: the same port on every node, whether or not it runs a pod',
  claim:
    "NodePort opens the same port on every node of the cluster, whether or not that node runs one of the service's pods; " +
    "a connection to any node's IP at that port reaches one of its pods, wherever it runs; NodePorts come from 30000-32767.",
  cluster: { nodes: 3 },
  async run(ctx) {
    const { out } = ctx;
    const nodes = ctx.config.nodes;

    out.step('Create the RC web (3 pods, kept off node-3 by a node affinity rule) and the NodePort Service web (web.yaml)');
    const created = await applyFile(ctx, 'web.yaml');
    const svc = created.find((o) => o.kind === 'Service') as Service;
    const nodePort = svc.spec.ports![0]!.nodePort!;
    const ready = await waitForReadyPods(ctx, 'app=web', 3);
    const pods = ready.map((p) => ({ name: p.metadata.name ?? '', node: p.spec.nodeName ?? '', ip: p.status?.podIP ?? '' }));
    await waitForEndpoints(ctx, 'web', pods.map((p) => p.name));
    out.table(['POD', 'IP', 'NODE'], pods.map((p) => [p.name, p.ip, p.node]));
    const { min, max } = ctx.config.nodePortRange;
    out.say(`svc/web: port ${svc.spec.ports![0]!.port}, NodePort ${nodePort} (picked from ${min}-${max})`);
    const empty = nodes.filter((n) => !pods.some((p) => p.node === n.name)).map((n) => n.name);
    if (empty.length) out.say(`${empty.join(', ')} runs none of the pods.`);
    ctx.check('the NodePort comes from the NodePort range', nodePort >= min && nodePort <= max, `${nodePort} in ${min}-${max}`);

    out.step(`${CONNECTIONS_PER_NODE} new connections to each node's IP at port ${nodePort}`);
    const runs: NodeRun[] = [];
    for (const n of nodes) {
      await waitUntilServedBy(n.ip, nodePort, pods.map((p) => p.name));
      runs.push({ node: n.name, ip: n.ip, localPods: pods.filter((p) => p.node === n.name).length, spread: await spread(CONNECTIONS_PER_NODE, n.ip, nodePort) });
    }
    printSpreads(
      out,
      runs.map((r) => ({ label: `${r.ip}:${nodePort}`, spread: r.spread })),
      pods,
    );
    out.say(
      `Each pod saw the address of the node that took the connection (SNAT, externalTrafficPolicy: Cluster): ${runs
        .map((r) => `via ${r.node}: ${Object.keys(r.spread.clientIPs).join(', ') || '-'}`)
        .join('; ')}`,
    );

    const each = CONNECTIONS_PER_NODE / pods.length;
    const failed = runs.filter((r) => Object.keys(r.spread.errors).length > 0);
    ctx.check(
      'every node answers on the same NodePort',
      failed.length === 0 && runs.every((r) => r.spread.answers.length === CONNECTIONS_PER_NODE),
      failed.length ? failed.map((r) => `${r.node}: ${formatCounts(r.spread.errors)}`).join('; ') : `${runs.length} nodes, ${CONNECTIONS_PER_NODE} answers each`,
    );
    const emptyRuns = runs.filter((r) => r.localPods === 0);
    ctx.check(
      'a node without any of the pods still serves the NodePort, handing connections to pods elsewhere',
      emptyRuns.length > 0 && emptyRuns.every((r) => r.spread.answers.length === CONNECTIONS_PER_NODE),
      emptyRuns.length ? emptyRuns.map((r) => `${r.node}: ${formatCounts(r.spread.pods)}`).join('; ') : 'every node runs a pod (the affinity rule did not hold)',
    );
    const uneven = runs.filter((r) => !evenlyOver(r.spread.pods, pods.map((p) => p.name), each));
    ctx.check(
      `round-robin: ${CONNECTIONS_PER_NODE} connections through each node give ${each} to each pod`,
      uneven.length === 0,
      uneven.length ? uneven.map((r) => `${r.node}: ${formatCounts(r.spread.pods)}`).join('; ') : `${each} each, through every node`,
    );
    const notSnat = runs.filter((r) => Object.keys(r.spread.clientIPs).join(',') !== r.ip);
    ctx.check(
      "the pods see the address of the node that took the connection",
      notSnat.length === 0,
      notSnat.length ? notSnat.map((r) => `via ${r.node}: ${formatCounts(r.spread.clientIPs)}`).join('; ') : 'each node its own',
    );

    for (const n of nodes) out.hint(`curl http://${n.ip}:${nodePort}/`);
    out.hint(`loopkube load svc/web -n ${ctx.namespace} --via node-port --node ${emptyRuns[0]?.node ?? nodes[0]!.name} --new-connection --requests 300`);
    return { nodePort, pods, runs };
  },
};

// 08: a LoadBalancer Service. Its external IP is <pending> at first, then assigned from the
// address pool by loopkube's address-pool controller (the "plugin"); connections to it are spread
// across the nodes, each node then following its NodePort rules. With externalTrafficPolicy:
// Local and 2 pods on node-1, 1 on node-2, the pods get 25% / 25% / 50%, as on a real cluster.
import type { Service } from '../api/types.js';
import { cidrContains, parseCidr, parseIPv4 } from '../cluster/cidr.js';
import { spread, type Spread } from './http.js';
import { getService, waitForEndpoints, waitForReadyPods } from './kube.js';
import { applyFile, createObject, manifest } from './manifests.js';
import { evenlyOver, formatCounts, printSpreads, waitUntilServedBy } from './traffic.js';
import type { DemoContext, Scenario } from './types.js';
import { waitUntil } from './wait.js';
import { EXTERNAL_CLIENT } from './external-traffic-policy-local.js';

export const CLUSTER_POLICY_CONNECTIONS = 36;
export const LOCAL_POLICY_CONNECTIONS = 40;

export interface LoadBalancerFindings {
  /** EXTERNAL-IP right after creation ('' = <pending>). */
  externalIPAtCreation: string;
  externalIP: string;
  pool: string;
  port: number;
  pods: Array<{ name: string; node: string }>;
  /** 36 connections to the external IP (externalTrafficPolicy: Cluster). */
  spread: Spread;
  /** Connections per node that forwarded them (the node address the pods saw). */
  perNode: Record<string, number>;
  local: {
    externalIP: string;
    pods: Array<{ name: string; node: string }>;
    /** 40 connections (externalTrafficPolicy: Local). */
    spread: Spread;
    /** Each pod's share, in percent. */
    shares: Record<string, number>;
  };
}

function inPool(ip: string, pool: string): boolean {
  const c = parseCidr(pool);
  const n = parseIPv4(ip);
  return c !== null && n !== null && cidrContains(c, n);
}

const externalIP = (svc: Service): string => svc.status?.loadBalancer?.ingress?.[0]?.ip ?? '';

async function waitForExternalIP(ctx: DemoContext, name: string): Promise<string> {
  return waitUntil(`svc/${name} to get an external IP`, async () => externalIP(await getService(ctx, name)) || false);
}

export const loadBalancer: Scenario<LoadBalancerFindings> = {
  name: 'loadbalancer',
  number: '08',
  title: 'LoadBalancer: an external IP from the pool, traffic spread across the nodes',
  claim:
    'LoadBalancer spreads traffic across the nodes; its external IP is not set at first, a plugin (a cloud provider, or an ' +
    'address-pool controller on bare metal) must assign it; a service is exposed to outside systems by setting its type to LoadBalancer.',
  cluster: { nodes: 3 },
  async run(ctx) {
    const { out } = ctx;
    const nodes = ctx.config.nodes;
    const nodeByIP = new Map(nodes.map((n) => [n.ip, n.name]));
    const pool = ctx.config.loadBalancerPool;

    out.step('Create the RC web (3 pods) and the LoadBalancer Service web (web.yaml)');
    const created = await applyFile(ctx, 'web.yaml');
    const svc = created.find((o) => o.kind === 'Service') as Service;
    const atCreation = externalIP(svc);
    out.say(`Right after creation: kubectl get svc web -> EXTERNAL-IP ${atCreation || '<pending>'}`);
    const ip = await waitForExternalIP(ctx, 'web');
    out.say(`Then the address-pool controller assigns one from ${pool}: EXTERNAL-IP ${ip}`);
    ctx.check('the external IP is <pending> at first, then assigned from the pool', atCreation === '' && inPool(ip, pool), `${atCreation || '<pending>'} -> ${ip} (pool ${pool})`);

    const port = svc.spec.ports![0]!.port;
    const ready = await waitForReadyPods(ctx, 'app=web', 3);
    const pods = ready.map((p) => ({ name: p.metadata.name ?? '', node: p.spec.nodeName ?? '' }));
    await waitForEndpoints(ctx, 'web', pods.map((p) => p.name));
    await waitUntilServedBy(ip, port, pods.map((p) => p.name), { from: EXTERNAL_CLIENT });

    out.step(`${CLUSTER_POLICY_CONNECTIONS} new connections to ${ip}:${port} from a client at ${EXTERNAL_CLIENT}`);
    const s = await spread(CLUSTER_POLICY_CONNECTIONS, ip, port, { from: EXTERNAL_CLIENT });
    // externalTrafficPolicy Cluster: the pod sees the address of the node that forwarded it.
    const perNode: Record<string, number> = {};
    for (const [addr, n] of Object.entries(s.clientIPs)) perNode[nodeByIP.get(addr) ?? addr] = n;
    printSpreads(out, [{ label: 'ANSWERS', spread: s }], pods);
    out.say('Which node each connection went through (the node address the pods saw):');
    out.table(['NODE', 'CONNECTIONS'], nodes.map((n) => [n.name, perNode[n.name] ?? 0]));
    const perNodeEach = CLUSTER_POLICY_CONNECTIONS / nodes.length;
    ctx.check(
      'the load balancer spreads connections across the nodes',
      evenlyOver(perNode, nodes.map((n) => n.name), perNodeEach),
      formatCounts(perNode),
    );
    ctx.check(
      'every pod takes its share',
      evenlyOver(s.pods, pods.map((p) => p.name), CLUSTER_POLICY_CONNECTIONS / pods.length),
      formatCounts(s.pods),
    );

    out.step('Now with externalTrafficPolicy: Local: local-a and local-b on node-1, local-c on node-2 (local.yaml)');
    const localObjects = manifest(ctx, 'local.yaml');
    for (const obj of localObjects) await createObject(ctx, obj);
    const localReady = await waitForReadyPods(ctx, 'app=local', 3);
    const localPods = localReady.map((p) => ({ name: p.metadata.name ?? '', node: p.spec.nodeName ?? '' }));
    await waitForEndpoints(ctx, 'web-local', localPods.map((p) => p.name));
    const localIP = await waitForExternalIP(ctx, 'web-local');
    const localPort = (await getService(ctx, 'web-local')).spec.ports![0]!.port;
    out.say(`svc/web-local: EXTERNAL-IP ${localIP}; node-3 has no local pod, so its health check fails and the load balancer leaves it out`);
    await waitUntilServedBy(localIP, localPort, localPods.map((p) => p.name), { from: EXTERNAL_CLIENT });
    out.say(`${LOCAL_POLICY_CONNECTIONS} new connections to ${localIP}:${localPort} from ${EXTERNAL_CLIENT}:`);
    const ls = await spread(LOCAL_POLICY_CONNECTIONS, localIP, localPort, { from: EXTERNAL_CLIENT });
    printSpreads(out, [{ label: 'ANSWERS', spread: ls }], localPods);
    const shares: Record<string, number> = {};
    for (const p of localPods) shares[p.name] = Math.round(((ls.pods[p.name] ?? 0) / LOCAL_POLICY_CONNECTIONS) * 100);
    const expected: Record<string, number> = { 'local-a': 25, 'local-b': 25, 'local-c': 50 };
    ctx.check(
      'with Local, half the traffic per node: the 2 pods of node-1 get 25% each, the one pod of node-2 gets 50%',
      Object.keys(expected).every((k) => shares[k] === expected[k]) && Object.keys(ls.errors).length === 0,
      `${Object.entries(shares)
        .map(([k, v]) => `${k} ${v}%`)
        .join(', ')}${Object.keys(ls.errors).length ? `; failures: ${formatCounts(ls.errors)}` : ''}`,
    );
    ctx.check(
      "with Local, the pods see the client's own address",
      ls.answers.length > 0 && Object.keys(ls.clientIPs).join(',') === EXTERNAL_CLIENT,
      `client address seen: ${formatCounts(ls.clientIPs)}`,
    );

    out.hint(`kubectl get svc -n ${ctx.namespace} -w     # EXTERNAL-IP <pending>, then the pool's address`);
    out.hint(`curl http://${ip}:${port}/`);
    out.hint(`loopkube load svc/web -n ${ctx.namespace} --via load-balancer --new-connection --requests 1000`);
    out.hint(`loopkube load svc/web-local -n ${ctx.namespace} --via load-balancer --new-connection --requests 1000`);
    return {
      externalIPAtCreation: atCreation,
      externalIP: ip,
      pool,
      port,
      pods,
      spread: s,
      perNode,
      local: { externalIP: localIP, pods: localPods, spread: ls, shares },
    };
  },
};

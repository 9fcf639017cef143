// 05: a ClusterIP Service is reachable only from inside the cluster: from a node's address it
// balances over its pods (which see the node's address), from the host's own 127.0.0.1 it is
// refused. Its IP stays while its pods come and go, it can be chosen by the user, and it has a
// DNS name.
import type { Pod, Service } from '../api/types.js';
import { cidrContains, formatIPv4, parseCidr, parseIPv4 } from '../cluster/cidr.js';
import { resolveIPv4 } from '../dns/client.js';
import { attempt, isRefusal, spread, type Spread } from './http.js';
import { getService, isPodReady, listPods, podState, podsPath, waitForEndpoints, waitForReadyPods } from './kube.js';
import { applyFile, createObject, manifest } from './manifests.js';
import { evenlyOver, formatCounts, printSpreads, waitUntilServedBy } from './traffic.js';
import type { DemoContext, Scenario } from './types.js';
import { waitUntil } from './wait.js';

export interface ClusterIPFindings {
  clusterIP: string;
  port: number;
  pods: string[];
  /** 20 connections from node-1's address. */
  fromNode: { address: string; spread: Spread };
  /** One connection from 127.0.0.1: the error code ('OK' if it was served). */
  fromHost: { address: string; outcome: string };
  /** The DNS answer for NAME.NS.svc.cluster.local (null when the cluster runs no DNS). */
  dns: { name: string; addresses: string[] } | null;
  /** The user-chosen ClusterIP. */
  chosen: { requested: string; assigned: string; answeredBy: string };
  /** After every pod was replaced: the Service's IP then, and who answered. */
  afterReplacement: { clusterIP: string; pods: string[]; spread: Spread };
}

export const OUTSIDE_ADDRESS = '127.0.0.1';

/** The manifest's address moved into the cluster's service CIDR (same host part) when it lies outside. */
export function addressInServiceCIDR(requested: string, serviceCIDR: string): string {
  const cidr = parseCidr(serviceCIDR);
  const ip = parseIPv4(requested);
  if (!cidr || ip === null || cidrContains(cidr, ip)) return requested;
  const hostMask = cidr.prefix === 32 ? 0 : (2 ** (32 - cidr.prefix) - 1) >>> 0;
  return formatIPv4((cidr.base | (ip & hostMask)) >>> 0);
}

export const clusterIPInsideOnly: Scenario<ClusterIPFindings> = {
  name: 'clusterip-inside-only',
  number: '05',
  title: 'ClusterIP: a fixed address, reachable only from inside the cluster',
  claim:
    'pod IPs change, so clients need a fixed endpoint: a Service keeps its IP until a user deletes it (the IP can be chosen), ' +
    'groups pods by label, balances across them and has its own DNS name; ClusterIP, the default type, is reachable only from inside the cluster.',
  cluster: { nodes: 2 },
  async run(ctx) {
    const { out, namespace } = ctx;
    const node = ctx.config.nodes[0]!;

    out.step('Create the dashboard: an RC of 2 pods and a ClusterIP Service (dashboard.yaml)');
    const created = await applyFile(ctx, 'dashboard.yaml');
    const svc = created.find((o) => o.kind === 'Service') as Service;
    const clusterIP = svc.spec.clusterIP!;
    const port = svc.spec.ports![0]!.port;
    const pods = (await waitForReadyPods(ctx, 'app=dashboard', 2)).map((p) => p.metadata.name ?? '');
    await waitForEndpoints(ctx, 'dashboard', pods);
    out.say(`svc/dashboard: ClusterIP ${clusterIP}, port ${port}, endpoints ${pods.join(', ')}`);

    out.step(`From inside: 20 new connections to ${clusterIP}:${port} from ${node.name}'s address ${node.ip} (curl --interface ${node.ip})`);
    await waitUntilServedBy(clusterIP, port, pods, { from: node.ip });
    const fromNode = await spread(20, clusterIP, port, { from: node.ip });
    printSpreads(out, [{ label: 'ANSWERS', spread: fromNode }], pods.map((name) => ({ name })));
    out.say(`The pods saw the client address ${formatCounts(fromNode.clientIPs)} (the node's own).`);
    ctx.check('from a node, the ClusterIP balances over the pods', evenlyOver(fromNode.pods, pods, 10), formatCounts(fromNode.pods));
    ctx.check(
      "the pods see the node's address",
      Object.keys(fromNode.clientIPs).join(',') === node.ip,
      `client addresses seen: ${formatCounts(fromNode.clientIPs)}`,
    );

    out.step(`From outside: the same address from ${OUTSIDE_ADDRESS}, the host's own (curl http://${clusterIP}:${port}/)`);
    const outside = await attempt(clusterIP, port, { from: OUTSIDE_ADDRESS });
    const outcome = outside.ok ? `answered by ${outside.answer.pod}` : outside.code;
    out.say(`-> ${outcome}`);
    ctx.check('from outside the cluster, the ClusterIP refuses the connection', isRefusal(outside), outcome);

    let dns: ClusterIPFindings['dns'] = null;
    if (ctx.config.dns?.port > 0) {
      const name = `dashboard.${namespace}.svc.cluster.local`;
      out.step(`Its DNS name: ${name}, asked of the cluster DNS at ${ctx.config.dns.ip}:${ctx.config.dns.port}`);
      try {
        const r = await resolveIPv4(name, { server: ctx.config.dns.ip, port: ctx.config.dns.port, timeoutMs: 1000, attempts: 3 });
        dns = { name, addresses: r.addresses };
        out.say(`-> ${r.addresses.join(', ') || '(no address)'}`);
      } catch (err) {
        dns = { name, addresses: [] };
        out.say(`-> ${(err as Error).message}`);
      }
      ctx.check('the Service has its own DNS name', dns.addresses.length === 1 && dns.addresses[0] === clusterIP, `${name} -> ${dns.addresses.join(', ') || 'nothing'}`);
      out.hint(`dig @${ctx.config.dns.ip} -p ${ctx.config.dns.port} ${name}`);
    }

    const [fixedManifest] = manifest(ctx, 'fixed-ip.yaml') as Service[];
    const requested = addressInServiceCIDR(fixedManifest!.spec.clusterIP!, ctx.config.serviceCIDR);
    out.step(`A second Service over the same pods, with a ClusterIP the user chose: ${requested} (fixed-ip.yaml)`);
    if (requested !== fixedManifest!.spec.clusterIP) out.say(`(this cluster's service CIDR is ${ctx.config.serviceCIDR}, so ${fixedManifest!.spec.clusterIP} becomes ${requested})`);
    const fixed = await createObject<Service>(ctx, { ...fixedManifest!, spec: { ...fixedManifest!.spec, clusterIP: requested } });
    const fixedIP = fixed.spec.clusterIP ?? '';
    await waitUntilServedBy(fixedIP, port, pods, { from: node.ip });
    const viaFixed = await attempt(fixedIP, port, { from: node.ip });
    const answeredBy = viaFixed.ok ? viaFixed.answer.pod : viaFixed.code;
    out.say(`svc/dashboard-fixed: ClusterIP ${fixedIP}; a connection from ${node.ip} was answered by ${answeredBy}`);
    ctx.check('the ClusterIP can be chosen by the user', fixedIP === requested && viaFixed.ok, `asked for ${requested}, got ${fixedIP}, ${answeredBy}`);

    out.step('Replace every pod (kubectl delete pod --all): the pods get new IPs, the Service keeps its own');
    for (const p of pods) await ctx.client.delete(podsPath(namespace, p));
    const fresh = await waitUntilFreshPods(ctx, pods);
    const newNames = fresh.map((p) => p.metadata.name ?? '');
    await waitForEndpoints(ctx, 'dashboard', newNames);
    const again = await getService(ctx, 'dashboard');
    await waitUntilServedBy(again.spec.clusterIP!, port, newNames, { from: node.ip });
    const afterSpread = await spread(20, again.spec.clusterIP!, port, { from: node.ip });
    out.table(
      ['', 'PODS (IP)', 'SERVICE IP'],
      [
        ['before', pods.join(', '), clusterIP],
        ['after', fresh.map((p) => `${p.metadata.name} (${p.status?.podIP})`).join(', '), again.spec.clusterIP],
      ],
    );
    printSpreads(out, [{ label: 'ANSWERS', spread: afterSpread }], newNames.map((name) => ({ name })));
    ctx.check(
      'the Service keeps its IP while its pods are replaced, and reaches the new ones',
      again.spec.clusterIP === clusterIP && evenlyOver(afterSpread.pods, newNames, 10),
      `IP ${clusterIP} -> ${again.spec.clusterIP}; ${formatCounts(afterSpread.pods)}`,
    );

    out.hint(`curl --interface ${node.ip} http://${clusterIP}:${port}/   # from a node: answered`);
    out.hint(`curl http://${clusterIP}:${port}/                          # from the host: refused`);
    out.hint(`loopkube load svc/dashboard -n ${namespace} --requests 1000`);
    return {
      clusterIP,
      port,
      pods,
      fromNode: { address: node.ip, spread: fromNode },
      fromHost: { address: OUTSIDE_ADDRESS, outcome: outside.ok ? 'OK' : outside.code },
      dns,
      chosen: { requested, assigned: fixedIP, answeredBy },
      afterReplacement: { clusterIP: again.spec.clusterIP ?? '', pods: newNames, spread: afterSpread },
    };
  },
};

/** Waits for as many ready dashboard pods as before, none of them one of `old`. */
async function waitUntilFreshPods(ctx: DemoContext, old: string[]): Promise<Pod[]> {
  let seen: Pod[] = [];
  return waitUntil(
    `${old.length} new ready pods replacing ${old.join(', ')}`,
    async () => {
      seen = (await listPods(ctx, 'app=dashboard')).filter((p) => !p.metadata.deletionTimestamp);
      return seen.length === old.length && seen.every((p) => isPodReady(p) && !old.includes(p.metadata.name ?? '')) && seen;
    },
    { timeoutMs: 60_000, describeLast: () => seen.map((p) => `${p.metadata.name} ${podState(p)}`).join(', ') },
  );
}

// 14: your own server as pods (`loopkube up --host-processes`): a Deployment of Python's
// http.server, a real process on each pod's IP, behind a LoadBalancer Service, answers through
// the ClusterIP (from a node's address), the NodePort on every node and the load-balancer IP,
// round-robin over its pods; a kill -9 of one server is a container restart with exit code 137,
// as kubelet reports a container killed by SIGKILL.
import type { Pod, Service } from '../api/types.js';
import { markedProcesses } from '../cluster/host-process-leftovers.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { spread, type Spread } from './http.js';
import { getService, podsPath, waitForEndpoints, waitForReadyPods } from './kube.js';
import { applyFile } from './manifests.js';
import { evenlyOver, formatCounts, printSpreads, waitUntilServedBy } from './traffic.js';
import type { Scenario } from './types.js';
import { waitUntil } from './wait.js';

export const CONNECTIONS_PER_FRONTEND = 12;

export interface HostProcessFindings {
  pods: Array<{ name: string; node: string; ip: string }>;
  /** New connections through each frontend (ClusterIP, NodePort per node, load-balancer IP). */
  runs: Array<{ label: string; spread: Spread }>;
  /** The pod whose server was killed, and its container status after the restart. */
  killed: { pod: string; pid: number; exitCode?: number; reason?: string; restartCount: number };
}

/** The pid of the pod's server: the host process whose environment names the pod (POD_NAME, set by web.yaml). */
function serverPid(home: string, podName: string): number | undefined {
  const nodes = path.join(home, 'nodes') + path.sep;
  return markedProcesses((m) => m.startsWith(nodes)).find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`POD_NAME=${podName}`);
    } catch {
      return false;
    }
  });
}

export const hostProcesses: Scenario<HostProcessFindings> = {
  name: 'host-processes',
  number: '14',
  title: 'Your own server as pods: python3 -m http.server behind a Service',
  claim:
    "With host processes allowed, a container's command runs as a real process bound to its pod's IP; a Service " +
    'balances over those processes through its ClusterIP, NodePort and load-balancer IP, and a process that dies is restarted, with its exit code in the status.',
  cluster: { nodes: 2, clusterFile: '14-host-processes/cluster.yaml' },
  async run(ctx) {
    const { out } = ctx;
    out.step('Create the Deployment web (3 pods of python3 -m http.server $PORT --bind $HOST) and the LoadBalancer Service web (web.yaml)');
    await applyFile(ctx, 'web.yaml');
    const ready = await waitForReadyPods(ctx, 'app=web', 3, 90_000);
    const pods = ready.map((p) => ({ name: p.metadata.name ?? '', node: p.spec.nodeName ?? '', ip: p.status?.podIP ?? '' }));
    await waitForEndpoints(ctx, 'web', pods.map((p) => p.name));
    out.table(['POD', 'IP', 'NODE'], pods.map((p) => [p.name, p.ip, p.node]));

    let svc: Service = await getService(ctx, 'web');
    await waitUntil('a load-balancer IP for svc/web', async () => {
      svc = await getService(ctx, 'web');
      return !!svc.status?.loadBalancer?.ingress?.[0]?.ip;
    });
    const port = svc.spec.ports![0]!;
    const nodes = ctx.config.nodes;
    const frontends = [
      { label: `ClusterIP ${svc.spec.clusterIP}:${port.port} (from ${nodes[0]!.ip})`, host: svc.spec.clusterIP!, port: port.port, from: nodes[0]!.ip },
      ...nodes.map((n) => ({ label: `NodePort ${n.ip}:${port.nodePort}`, host: n.ip, port: port.nodePort!, from: undefined })),
      { label: `LB ${svc.status!.loadBalancer!.ingress![0]!.ip}:${port.port}`, host: svc.status!.loadBalancer!.ingress![0]!.ip!, port: port.port, from: undefined },
    ];
    out.step(`${CONNECTIONS_PER_FRONTEND} new connections through each of the Service's frontends; python's answer names its pod (web.yaml writes it into index.html)`);
    const runs: HostProcessFindings['runs'] = [];
    for (const f of frontends) {
      const opts = f.from ? { from: f.from } : {};
      await waitUntilServedBy(f.host, f.port, pods.map((p) => p.name), opts);
      runs.push({ label: f.label, spread: await spread(CONNECTIONS_PER_FRONTEND, f.host, f.port, opts) });
    }
    printSpreads(out, runs, pods);
    const each = CONNECTIONS_PER_FRONTEND / pods.length;
    const failed = runs.filter((r) => Object.keys(r.spread.errors).length > 0);
    ctx.check(
      'every frontend (ClusterIP, NodePort on each node, load-balancer IP) reaches the python servers',
      failed.length === 0 && runs.every((r) => r.spread.answers.length === CONNECTIONS_PER_FRONTEND),
      failed.length ? failed.map((r) => `${r.label}: ${formatCounts(r.spread.errors)}`).join('; ') : `${runs.length} frontends, ${CONNECTIONS_PER_FRONTEND} answers each`,
    );
    ctx.check(
      'round-robin: each pod answers the same share through every frontend',
      runs.every((r) => evenlyOver(r.spread.pods, pods.map((p) => p.name), each)),
      runs.map((r) => `${r.label}: ${formatCounts(r.spread.pods)}`).join('; '),
    );

    const victim = pods[0]!;
    const pid = serverPid(ctx.config.home, victim.name);
    out.step(`kill -9 ${pid ?? '?'}: the python server of ${victim.name}`);
    if (pid === undefined) throw new Error(`no host process of pod ${victim.name} found (is the cluster started with --host-processes?)`);
    process.kill(pid, 'SIGKILL');
    let after: Pod | undefined;
    await waitUntil(`${victim.name} restarted and ready`, async () => {
      after = await ctx.client.get<Pod>(podsPath(ctx.namespace, victim.name));
      const s = after.status?.containerStatuses?.[0];
      return !!s && (s.restartCount ?? 0) >= 1 && s.ready === true;
    }, { timeoutMs: 60_000 });
    const s = after!.status!.containerStatuses![0]!;
    const last = s.lastState?.terminated;
    out.say(`${victim.name}: restartCount ${s.restartCount}, lastState.terminated: exitCode ${last?.exitCode}, reason ${last?.reason}; same pod IP ${after!.status?.podIP}`);
    ctx.check('the killed server is restarted in place, exit code 137 (128 + SIGKILL) in lastState', last?.exitCode === 137 && after!.status?.podIP === victim.ip, `exitCode ${last?.exitCode}, IP ${after!.status?.podIP}`);
    out.say('Look yourself: kubectl logs deploy/web (python\'s own access log), kubectl exec deploy/web -- sh -c \'echo $HOST:$PORT; pwd\'');
    return { pods, runs, killed: { pod: victim.name, pid, ...(last ? { exitCode: last.exitCode, reason: last.reason } : {}), restartCount: s.restartCount ?? 0 } };
  },
};

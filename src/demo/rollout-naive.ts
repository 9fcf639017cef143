// 09: a rolling update that loses requests. The app exits the moment it gets SIGTERM, with no
// preStop hook and no readiness probe: the requests on its kept-alive connections are cut, and
// fresh connections the proxy still sends it (until its endpoint is gone from every proxy) are
// refused. `loopkube load --during 'kubectl rollout restart'` measures it and its verdict says why.
import type { Pod } from '../api/types.js';
import { getService, waitForReadyPods } from './kube.js';
import { applyFile } from './manifests.js';
import { failedRequests, runLoad, tellLoad, type LoadResult } from './rollout-load.js';
import { waitUntilServedBy } from './traffic.js';
import type { DemoContext, Scenario } from './types.js';

export interface RolloutRun {
  /** The pods before the rollout. */
  oldPods: string[];
  failed: number;
  attempts: number;
  /** The pods the verdict blamed failures on (by name: a refused connection while several were going away names none), and the causes it named. */
  blamedPods: string[];
  causes: Record<string, number>;
  sentence: string;
}

export function rolloutRun(oldPods: Pod[], r: LoadResult): RolloutRun {
  const v = r.verdict;
  return {
    oldPods: oldPods.map((p) => p.metadata.name ?? ''),
    failed: failedRequests(r),
    attempts: r.attempts,
    blamedPods: Object.keys(v?.pods ?? {}).filter((p) => p !== '').sort(),
    causes: Object.fromEntries(Object.entries(v?.causes ?? {}).filter(([, n]) => n > 0)),
    sentence: v?.sentence ?? '',
  };
}

/** Restarts the Deployment and waits for it, in the scenario's namespace. */
export function restartCommand(ctx: Pick<DemoContext, 'namespace'>): string {
  return `kubectl rollout restart deploy/web -n ${ctx.namespace} && kubectl rollout status deploy/web -n ${ctx.namespace} --timeout=60s`;
}

/**
 * Waits until exactly `count` pods of app=web exist, all Ready (the rollout's old pods are gone),
 * and the Service web sends new connections to each of them. Ready is not routed: with production
 * propagation a pod's endpoint reaches the proxies up to a batch period and a minSyncPeriod after
 * it turned Ready, and a load started meanwhile finds the Service with no endpoint at all.
 */
export async function settledPods(ctx: DemoContext, count: number): Promise<Pod[]> {
  const pods = await waitForReadyPods(ctx, 'app=web', count, 90_000);
  const svc = await getService(ctx, 'web');
  const from = ctx.config.nodes[0]!.ip;
  await waitUntilServedBy(svc.spec.clusterIP!, svc.spec.ports![0]!.port, pods.map((p) => p.metadata.name ?? ''), { from });
  return pods;
}

export const rolloutNaive: Scenario<RolloutRun> = {
  name: 'rollout-naive',
  number: '09',
  title: 'A rolling update that loses requests: an app that exits on SIGTERM, no preStop, no readiness probe',
  claim:
    'during a rolling update the kubelet\'s SIGTERM and the endpoint\'s removal from every proxy race each other: ' +
    'an app that exits at once loses the requests in flight on its connections, and fresh ones sent to it before its endpoint is gone.',
  cluster: { nodes: 2, clusterFile: '09-rollout-naive/cluster.yaml' },
  async run(ctx) {
    const { out } = ctx;
    out.step('Create the Deployment web (3 replicas, ON_SIGTERM=exit) and its Service (web.yaml)');
    await applyFile(ctx, 'web.yaml');
    const before = await settledPods(ctx, 3);
    out.table(['POD', 'IP', 'NODE'], before.map((p) => [p.metadata.name, p.status?.podIP, p.spec.nodeName]));
    out.step('Send keep-alive load through the Service and restart the Deployment meanwhile');
    const r = await runLoad(ctx, { service: 'web', duration: '10s', connections: 8, during: restartCommand(ctx) });
    tellLoad(ctx, r);
    const run = rolloutRun(before, r);
    ctx.check('requests fail during the rollout', run.failed > 0, `${run.failed} of ${run.attempts} failed`);
    const strangers = run.blamedPods.filter((p) => !run.oldPods.includes(p));
    ctx.check(
      'the verdict blames the pods that were going away',
      run.blamedPods.length > 0 && strangers.length === 0,
      `blamed: ${run.blamedPods.join(', ') || 'none'}; the old pods: ${run.oldPods.join(', ')}`,
    );
    const causes = Object.keys(run.causes);
    ctx.check(
      'the causes are the terminating pods (their connections cut, or fresh connections sent to them)',
      causes.length > 0 && causes.every((c) => c === 'terminating' || c === 'keep-alive'),
      Object.entries(run.causes).map(([k, n]) => `${k} ${n}`).join(', ') || 'none',
    );
    return run;
  },
};

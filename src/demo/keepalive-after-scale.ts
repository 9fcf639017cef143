// 11: scaling out does not spread load that rides on kept-alive connections. An L4 proxy
// (kube-proxy, and loopkube's) picks an endpoint per connection, not per request: under
// keep-alive load, pods added by a scale-up get nothing until the clients open new connections.
// With one connection per request the same pods share the load about evenly.
import type { Pod } from '../api/types.js';
import { waitForReadyPods } from './kube.js';
import { applyFile } from './manifests.js';
import { runLoad, tellLoad, type LoadResult } from './rollout-load.js';
import type { Scenario } from './types.js';

export interface ScaleFindings {
  /** The pods before the scale-up. */
  oldPods: string[];
  /** Keep-alive load during the scale 2 -> 6: the share (0..1) the new pods answered. */
  keepAliveNewShare: number;
  /** One connection per request on the 6 pods: each pod's share, by pod. */
  newConnectionShares: Record<string, number>;
}

const names = (pods: Pod[]): string[] => pods.map((p) => p.metadata.name ?? '');

function shareOf(r: LoadResult, pods: (pod: string) => boolean): number {
  return r.pods.filter((p) => pods(p.pod)).reduce((a, p) => a + p.share, 0);
}

export const keepaliveAfterScale: Scenario<ScaleFindings> = {
  name: 'keepalive-after-scale',
  number: '11',
  title: 'Scaling out under keep-alive load: the new pods get no traffic until connections are recycled',
  claim:
    'a Service balances connections, not requests: pods added under keep-alive load get nothing until clients open new connections; ' +
    'with one connection per request the load spreads over all of them.',
  cluster: { nodes: 2 },
  async run(ctx) {
    const { out, namespace } = ctx;
    out.step('Create the Deployment web (2 replicas) and its Service (web.yaml)');
    await applyFile(ctx, 'web.yaml');
    const before = names(await waitForReadyPods(ctx, 'app=web', 2));
    out.step('Keep-alive load, scaling to 6 replicas meanwhile');
    const during = `kubectl scale deploy/web --replicas=6 -n ${namespace} && kubectl rollout status deploy/web -n ${namespace} --timeout=60s`;
    const kept = await runLoad(ctx, { service: 'web', duration: '8s', connections: 8, during });
    tellLoad(ctx, kept);
    out.table(['POD', 'REQUESTS', 'SHARE'], kept.pods.map((p) => [p.pod, p.requests, `${(p.share * 100).toFixed(1)}%`]));
    const keepAliveNewShare = shareOf(kept, (p) => !before.includes(p));
    ctx.check('under keep-alive load the new pods get (almost) nothing', keepAliveNewShare < 0.02, `the 4 new pods answered ${(keepAliveNewShare * 100).toFixed(2)}%`);

    const six = names(await waitForReadyPods(ctx, 'app=web', 6));
    out.step('The same load with one connection per request (--new-connection)');
    const fresh = await runLoad(ctx, { service: 'web', duration: '5s', connections: 8, newConnection: true });
    tellLoad(ctx, fresh);
    out.table(['POD', 'REQUESTS', 'SHARE'], fresh.pods.map((p) => [p.pod, p.requests, `${(p.share * 100).toFixed(1)}%`]));
    const newConnectionShares = Object.fromEntries(six.map((p) => [p, fresh.pods.find((s) => s.pod === p)?.share ?? 0]));
    const even = 1 / six.length;
    const skewed = Object.entries(newConnectionShares).filter(([, s]) => s < even / 2 || s > even * 2);
    ctx.check(
      'with one connection per request every pod gets about its even share',
      skewed.length === 0,
      Object.entries(newConnectionShares).map(([p, s]) => `${p} ${(s * 100).toFixed(1)}%`).join(', '),
    );
    return { oldPods: before, keepAliveNewShare, newConnectionShares };
  },
};

// 10: the same rolling update with the settings that stop the losses: a preStop sleep longer
// than the propagation delay, a draining app, a readiness probe and maxUnavailable 0. Three
// rollouts under keep-alive load, each measured: not one request fails.
import { applyFile } from './manifests.js';
import { restartCommand, rolloutRun, settledPods, type RolloutRun } from './rollout-naive.js';
import { runLoad, tellLoad } from './rollout-load.js';
import type { Scenario } from './types.js';

export interface SafeFindings {
  runs: RolloutRun[];
}

export const ROLLOUTS = 3;

export const rolloutSafe: Scenario<SafeFindings> = {
  name: 'rollout-safe',
  number: '10',
  title: 'A rolling update that loses nothing: preStop sleep, a draining app, a readiness probe, maxUnavailable 0',
  claim:
    'a preStop sleep longer than the propagation delay keeps a pod serving until every proxy has let go of it; a draining app ' +
    'finishes what is in flight and closes its keep-alive connections cleanly; a readiness probe and maxUnavailable 0 send traffic only to pods that answer.',
  cluster: { nodes: 2, clusterFile: '10-rollout-safe/cluster.yaml' },
  async run(ctx) {
    const { out } = ctx;
    out.step('Create the Deployment web (3 replicas, preStop sleep 3 s, readiness probe, maxUnavailable 0) and its Service (web.yaml)');
    await applyFile(ctx, 'web.yaml');
    const runs: RolloutRun[] = [];
    for (let i = 1; i <= ROLLOUTS; i++) {
      const before = await settledPods(ctx, 3);
      out.step(`Rollout ${i} of ${ROLLOUTS} under keep-alive load`);
      const r = await runLoad(ctx, { service: 'web', duration: '12s', connections: 8, during: restartCommand(ctx) });
      tellLoad(ctx, r);
      const run = rolloutRun(before, r);
      runs.push(run);
      ctx.check(`rollout ${i}: no request fails`, run.failed === 0 && r.during?.exitCode === 0, `${run.failed} of ${run.attempts} failed; the rollout command exited ${r.during?.exitCode ?? 'not at all'}`);
    }
    return { runs };
  },
};

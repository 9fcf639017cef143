// Runs one scenario on a cluster: a fresh namespace named after it, the scenario's steps, each
// claim's verdict, and (unless kept) the namespace deleted again. Never throws: a step that
// cannot go on ends the run with the reason, as a failed result.
import path from 'node:path';
import { createDemoOutput, type DemoOutput } from './output.js';
import { deleteNamespace, freshNamespace, waitForNodesReady } from './kube.js';
import { examplesRoot } from './manifests.js';
import { exampleFolder, type Check, type DemoCluster, type DemoContext, type Scenario, type ScenarioResult } from './types.js';

export interface RunOptions {
  /** Where the story goes (default: collected in memory only). */
  out?: DemoOutput;
  /** Leave the namespace and its objects for a look (default: delete them). */
  keep?: boolean;
  /** Namespace to run in (default: the scenario's name). */
  namespace?: string;
}

export async function runScenario<F>(scenario: Scenario<F>, cluster: DemoCluster, opts: RunOptions = {}): Promise<ScenarioResult<F>> {
  const out = opts.out ?? createDemoOutput();
  const namespace = opts.namespace ?? scenario.name;
  const checks: Check[] = [];
  const folder = exampleFolder(scenario);
  const ctx: DemoContext = {
    client: cluster.client,
    config: cluster.config,
    namespace,
    out,
    exampleDir: path.join(examplesRoot(), folder),
    check(claim, ok, detail) {
      checks.push({ claim, ok, detail });
      out.verdict(ok, claim, detail);
      return ok;
    },
  };

  out.heading(`${scenario.number} ${scenario.title}`);
  out.say(`Expected, as in Kubernetes: ${scenario.claim}`);
  out.say(`Manifests: examples/${folder}/, applied in namespace ${namespace}`);

  if (cluster.kubeconfig) out.hint(`export KUBECONFIG=${cluster.kubeconfig}`);
  out.hint(`kubectl get pods,services,rc -n ${namespace} -o wide`);
  out.hint(`kubectl get events -n ${namespace}`);

  let findings: F | undefined;
  let error: string | undefined;
  try {
    await waitForNodesReady(cluster.client, scenario.cluster.nodes);
    await freshNamespace(cluster.client, namespace);
    findings = await scenario.run(ctx);
  } catch (err) {
    error = (err as Error).message ?? String(err);
    out.say('');
    out.say(`✗ stopped: ${error}`);
  }

  out.finish();
  if (!opts.keep) {
    try {
      await deleteNamespace(cluster.client, namespace);
    } catch (err) {
      out.say(`(could not delete namespace ${namespace}: ${(err as Error).message})`);
    }
  }

  const ok = !error && checks.length > 0 && checks.every((c) => c.ok);
  return { scenario: scenario.name, ok, checks, ...(findings !== undefined ? { findings } : {}), ...(error ? { error } : {}) };
}

/** Why a result is not ok, in a few lines (for the CLI's exit message and the tests' failures). */
export function describeFailure(result: ScenarioResult): string {
  const lines: string[] = [];
  if (result.error) lines.push(`stopped: ${result.error}`);
  for (const c of result.checks) if (!c.ok) lines.push(`${c.claim}: ${c.detail}`);
  if (!lines.length && result.checks.length === 0) lines.push('no claim was checked');
  return lines.join('\n');
}

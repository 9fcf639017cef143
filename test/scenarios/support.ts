// What the scenario tests share: run a demo scenario (the very code `loopkube demo` runs) on a
// test cluster, and fail with the scenario's own story when it did not show what it claims.
import { expect } from 'vitest';
import { createDemoOutput } from '../../src/demo/output.js';
import { describeFailure, runScenario } from '../../src/demo/run.js';
import type { Scenario, ScenarioResult } from '../../src/demo/types.js';
import type { TestCluster } from '../support/cluster.js';

export interface ScenarioRun<F> {
  result: ScenarioResult<F>;
  /** What `loopkube demo` would have printed. */
  text: string;
  findings: F;
}

/** Runs the scenario on the cluster and expects every claim to hold; returns what it saw. */
export async function showScenario<F>(c: TestCluster, scenario: Scenario<F>): Promise<ScenarioRun<F>> {
  const out = createDemoOutput();
  const result = await runScenario(scenario, { client: c.client, config: c.config, kubeconfig: c.kubeconfig }, { out });
  const text = out.text();
  expect(result.ok, `scenario ${scenario.name} did not show what it claims:\n${describeFailure(result)}\n\n--- what the demo printed ---\n${text}`).toBe(true);
  return { result, text, findings: result.findings as F };
}

// What a demo scenario is: one behaviour of the source notes, the cluster it needs, and the steps
// that show it end to end over real TCP. `loopkube demo NAME` and test/scenarios run the same
// scenario functions, so what the demo prints and what the tests assert cannot drift apart.
import type { ClusterFile } from '../cluster/cluster-file.js';
import type { ClusterConfig } from '../cluster/config.js';
import type { ApiClient } from '../client/client.js';
import type { DemoOutput } from './output.js';

/** What a scenario needs from the cluster it runs on. */
export interface ClusterNeeds {
  /** Worker nodes (node-1..node-N). */
  nodes: number;
  /**
   * A cluster file (examples/<scenario>/cluster.yaml, relative to the examples folder) when the
   * scenario needs special nodes; the demo starts the cluster with it, and a running cluster is
   * reused only when its nodes match it.
   */
  clusterFile?: string;
}

/** One claim of the scenario, checked against what happened. */
export interface Check {
  /** What the source notes say, in a line: "every node answers on the NodePort". */
  claim: string;
  ok: boolean;
  /** What was seen (and, when it failed, what was expected). */
  detail: string;
}

export interface DemoContext {
  client: ApiClient;
  config: ClusterConfig;
  /** The scenario's own namespace (created empty before it runs). */
  namespace: string;
  out: DemoOutput;
  /** `examples/<scenario folder>`, absolute. */
  exampleDir: string;
  /** Records a claim's verdict (printed as ✓ / ✗); returns `ok`. */
  check(claim: string, ok: boolean, detail: string): boolean;
}

export interface Scenario<F = unknown> {
  /** `nodeport-every-node`: the `loopkube demo` name and the namespace the scenario runs in. */
  name: string;
  /** `06`: its number in examples/. */
  number: string;
  /** One line: "NodePort: the same port on every node". */
  title: string;
  /** The source notes' words this scenario shows. */
  claim: string;
  cluster: ClusterNeeds;
  /** Runs the steps; returns what was seen (the tests assert on it). Throws when it cannot go on. */
  run(ctx: DemoContext): Promise<F>;
}

/** The examples folder of a scenario: `06-nodeport-every-node`. */
export function exampleFolder(s: Pick<Scenario, 'number' | 'name'>): string {
  return `${s.number}-${s.name}`;
}

export interface ScenarioResult<F = unknown> {
  scenario: string;
  /** Every check passed and the steps ran to the end. */
  ok: boolean;
  checks: Check[];
  /** What the scenario saw; undefined when it stopped early. */
  findings?: F;
  /** Why it stopped early (a step that timed out, an API error). */
  error?: string;
}

/** The cluster a scenario runs on (what `loopkube demo` started or reused, or a test's cluster). */
export interface DemoCluster {
  client: ApiClient;
  config: ClusterConfig;
  /** For the "look yourself" hints: how kubectl reaches this cluster. */
  kubeconfig?: string;
}

/** A cluster file, as a test helper merges it with its own address block. */
export type ScenarioClusterFile = Partial<ClusterFile>;

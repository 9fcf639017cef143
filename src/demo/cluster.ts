// The cluster a scenario needs: how many nodes, and (for scenarios with special nodes) the
// cluster file in its examples folder; whether a running cluster will do; and, for a cluster the
// demo starts next to another one, an address block of its own.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseQuantity } from '../api/quantity.js';
import { parseClusterFile, type ClusterFile } from '../cluster/cluster-file.js';
import type { ClusterConfig } from '../cluster/config.js';
import { examplesRoot } from './manifests.js';
import type { Scenario } from './types.js';

/** The scenario's cluster file (examples/<folder>/cluster.yaml), if it has one. */
export function scenarioClusterFile(s: Pick<Scenario, 'cluster'>): ClusterFile | undefined {
  if (!s.cluster.clusterFile) return undefined;
  const file = path.join(examplesRoot(), s.cluster.clusterFile);
  return parseClusterFile(readFileSync(file, 'utf8'), `cluster file ${file}`);
}

const sameQuantity = (a: string | undefined, b: string | undefined): boolean => {
  if (a === undefined || b === undefined) return a === b;
  try {
    return parseQuantity(a) === parseQuantity(b);
  } catch {
    return a === b;
  }
};

/** Why a running cluster will not do for the scenario (undefined: it will). */
export function clusterMismatch(s: Pick<Scenario, 'cluster'>, config: ClusterConfig): string | undefined {
  const need = s.cluster.nodes;
  const names = config.nodes.map((n) => n.name);
  if (config.nodes.length < need) return `it has ${config.nodes.length} node(s), the scenario needs ${need}`;
  const wanted = Array.from({ length: need }, (_, i) => `node-${i + 1}`);
  const missing = wanted.filter((n) => !names.includes(n));
  if (missing.length) return `the scenario uses nodes named ${wanted.join(', ')}, the cluster has ${names.join(', ')}`;
  const file = scenarioClusterFile(s);
  const preset = file?.propagation?.preset;
  if (preset && (config.propagation?.preset ?? 'instant') !== preset) return `the scenario needs the ${preset} propagation preset, the cluster has ${config.propagation?.preset ?? 'instant'}`;
  if (file?.hostProcesses && !config.hostProcesses) return 'the scenario runs its own server as host processes, the cluster was not started with --host-processes';
  if (!file?.nodes) return undefined;
  if (file.nodes.length !== config.nodes.length) return `the scenario needs exactly the ${file.nodes.length} nodes of examples/${s.cluster.clusterFile}, the cluster has ${config.nodes.length}`;
  for (const [i, fn] of file.nodes.entries()) {
    const name = fn.name ?? `node-${i + 1}`;
    const node = config.nodes.find((n) => n.name === name);
    if (!node) return `examples/${s.cluster.clusterFile} has a node ${name}, the cluster does not`;
    for (const key of ['cpu', 'memory', 'pods'] as const) {
      const want = fn.capacity?.[key];
      if (want !== undefined && !sameQuantity(want, node.capacity[key])) return `${name} has ${key} ${node.capacity[key]}, the scenario needs ${want}`;
    }
    for (const [k, v] of Object.entries(fn.labels ?? {})) {
      if (node.labels[k] !== v) return `${name} lacks the label ${k}=${v}`;
    }
  }
  return undefined;
}

/**
 * The networking of a cluster started next to one that holds the default address plan
 * (127.10.0.0/24, 127.244.0.0/16, 127.96.0.0/12, 127.200.0.0/24): block `k` (1..50) gets node
 * addresses 127.10.k.0/24 and pod, service and load-balancer ranges the default plan does not use.
 */
export function addressBlock(k: number): NonNullable<ClusterFile['networking']> {
  return {
    nodeSubnet: `127.10.${k}.0/24`,
    podSubnet: `127.${150 + (k % 50)}.0.0/16`,
    serviceSubnet: `127.${112 + (k % 32)}.0.0/16`,
    loadBalancerPool: `127.240.${k}.0/24`,
  };
}

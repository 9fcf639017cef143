// The cluster's context in the user's kubeconfig: merged by `up` (unless --no-kubeconfig),
// removed by `down --purge`. Where it went, and which context was current before, is kept in
// `<home>/kubeconfig-merge.json`, so the purge cleans that file (and switches back) even when
// $KUBECONFIG has changed since.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  KubeconfigError,
  contextName,
  kubeconfigMergePath,
  mergeIntoKubeconfig,
  removeFromKubeconfig,
  type KubeconfigInput,
  type MergeResult,
} from '../pki/kubeconfig.js';
import { CliError } from './args.js';
import type { ClusterLocation } from './cluster-home.js';

interface MergeRecord {
  file: string;
  previousContext: string;
}

function recordFile(loc: ClusterLocation): string {
  return path.join(loc.home, 'kubeconfig-merge.json');
}

function readRecord(loc: ClusterLocation): MergeRecord | undefined {
  try {
    return JSON.parse(readFileSync(recordFile(loc), 'utf8')) as MergeRecord;
  } catch {
    return undefined;
  }
}

/** Merges the cluster's context into the user's kubeconfig and makes it current. */
export async function mergeUserKubeconfig(loc: ClusterLocation, input: KubeconfigInput): Promise<MergeResult> {
  const file = kubeconfigMergePath();
  const before = readRecord(loc);
  let result: MergeResult;
  try {
    result = await mergeIntoKubeconfig(file, input);
  } catch (err) {
    if (err instanceof KubeconfigError) {
      throw new CliError(
        `the cluster is running, but its context could not be added to your kubeconfig: ${err.message}\n` +
          `Use the cluster's own file instead: kubectl --kubeconfig ${loc.paths.kubeconfig} get nodes (or start with --no-kubeconfig)`,
      );
    }
    throw err;
  }
  // A second `up` finds its own context current: keep the one that was current before the first.
  const previousContext =
    result.previousContext === contextName(loc.name) && before?.file === result.file ? before.previousContext : result.previousContext;
  writeFileSync(recordFile(loc), `${JSON.stringify({ file: result.file, previousContext } satisfies MergeRecord)}\n`);
  return { ...result, previousContext };
}

export interface UnmergeResult {
  file: string;
  removed: boolean;
  currentContext?: string;
}

/** Removes the cluster's context from the kubeconfig(s) `up` merged it into, and from today's. */
export async function unmergeUserKubeconfig(loc: ClusterLocation): Promise<UnmergeResult[]> {
  const record = readRecord(loc);
  const files = [...new Set([record?.file, kubeconfigMergePath()].filter((f): f is string => !!f))];
  const out: UnmergeResult[] = [];
  for (const file of files) {
    try {
      const r = await removeFromKubeconfig(file, loc.name, record?.previousContext);
      if (r.removed || r.currentContext !== undefined) out.push({ file, ...r });
    } catch (err) {
      if (!(err instanceof KubeconfigError)) throw err;
      process.stderr.write(`warning: could not remove context ${contextName(loc.name)} from ${file}: ${err.message}\n`);
    }
  }
  rmSync(recordFile(loc), { force: true });
  return out;
}

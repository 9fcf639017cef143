// Stopping a cluster for `down` (and for an `up` that failed): mark the cluster as stopping (so
// none of its processes starts a supervisor again meanwhile), ask the supervisor to shut down,
// wait until every process of the cluster is gone, kill whatever is left.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { stoppingMarker } from '../cluster/parent-watch.js';
import { sendSupervisorRequest, supervisorSocket } from '../supervisor/control.js';
import { isClusterProcess, killLeftovers, listPidFiles, signal, waitForExit } from '../supervisor/pid-files.js';
import type { ProcessStatus } from '../supervisor/state.js';
import { readClusterConfig } from '../cluster/config.js';
import { deleteNftablesTable, nftablesTableExists, nftablesTableName } from '../cluster/nftables.js';
import type { ClusterLocation } from './cluster-home.js';
import { reapClusterLeftovers } from '../cluster/host-process-leftovers.js';

export interface StopResult {
  /** The processes that were running, as the supervisor last reported them. */
  stopped: ProcessStatus[];
  /** Names of processes that had to be killed because they did not go by themselves. */
  killed: string[];
}

/** Supervisor's grace (5 s) plus margin, before the CLI kills leftovers itself. */
const SHUTDOWN_WAIT_MS = 15_000;

export async function stopCluster(loc: ClusterLocation, supervisorPid: number | null): Promise<StopResult> {
  let stopped: ProcessStatus[] = [];
  const killed: string[] = [];
  if (existsSync(loc.home)) writeFileSync(stoppingMarker(loc.home), `${process.pid}\n`, { mode: 0o600 });
  if (supervisorPid !== null) {
    const pids = new Map<string, number>([['supervisor', supervisorPid]]);
    for (const [name, pid] of listPidFiles(loc.paths.pidsDir)) if (isClusterProcess(pid, loc.home)) pids.set(name, pid);
    try {
      const reply = await sendSupervisorRequest(supervisorSocket(loc.home), { op: 'shutdown' }, 5000);
      if (reply.ok) stopped = reply.state.processes.filter((p) => p.pid !== null);
    } catch {
      // not answering: stop it with a signal instead
      signal(supervisorPid, 'SIGTERM');
    }
    const stubborn = await waitForExit([...pids.values()], SHUTDOWN_WAIT_MS);
    for (const [name, pid] of pids) {
      if (stubborn.includes(pid)) {
        signal(pid, 'SIGKILL');
        killed.push(name);
      }
    }
    await waitForExit(stubborn, 5000);
  }
  // whatever a dead supervisor left behind (e.g. a redis-server, which cannot watch its parent)
  killed.push(...(await killLeftovers(loc.paths.pidsDir, loc.home)));
  // host containers' processes a node could not take down with it (a node killed, a child that left its group)
  if (reapClusterLeftovers(loc.home) > 0) killed.push('host processes');
  rmSync(supervisorSocket(loc.home), { force: true });
  removeKernelRules(loc);
  return { stopped, killed };
}

/**
 * The cluster's nftables table goes too, even if its proxy could not remove it (a crash), and
 * whichever data plane cluster.json names (a proxy may have been run on another, as the
 * benchmark does). Where nft is missing or not allowed there is nothing of ours to remove.
 */
function removeKernelRules(loc: ClusterLocation): void {
  let config;
  try {
    config = readClusterConfig(loc.home);
  } catch {
    return;
  }
  if (config.proxy.dataPlane === 'nftables' || nftablesTableExists(nftablesTableName(config))) deleteNftablesTable(nftablesTableName(config));
}

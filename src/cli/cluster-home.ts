// What the CLI knows about a cluster from its folder: whether its supervisor runs, and the
// files a previous `up` left.
import { existsSync, readFileSync } from 'node:fs';
import { clusterHome, clusterPaths, readClusterConfig, type ClusterConfig, type ClusterPaths } from '../cluster/config.js';
import { isClusterProcess, readPidFile } from '../supervisor/pid-files.js';
import { readAddressPlan, type AddressPlan } from './resolve-config.js';

export interface ClusterLocation {
  name: string;
  home: string;
  paths: ClusterPaths;
}

export function locateCluster(name: string): ClusterLocation {
  const home = clusterHome(name);
  return { name, home, paths: clusterPaths(home) };
}

/** The supervisor's pid when it is running for this cluster, else null. */
export function runningSupervisorPid(loc: ClusterLocation): number | null {
  const pid = readPidFile(loc.paths.supervisorPid);
  return pid !== null && isClusterProcess(pid, loc.home) ? pid : null;
}

export function readExistingCluster(loc: ClusterLocation): { config: ClusterConfig; plan: AddressPlan | null } | undefined {
  if (!existsSync(loc.paths.config)) return undefined;
  return { config: readClusterConfig(loc.home), plan: readAddressPlan(loc.home) };
}

/** The last `lines` lines of a log file ('' when there is none). */
export function tailFile(file: string, lines = 20): string {
  try {
    const text = readFileSync(file, 'utf8').trimEnd();
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export function notRunningMessage(name: string): string {
  return `cluster "${name}" is not running (start it with: loopkube up${name === 'default' ? '' : ` --name ${name}`})`;
}

export function nameFlag(name: string): string {
  return name === 'default' ? '' : ` --name ${name}`;
}

/** The CA and token `loopkube status` and `up` need to probe the API server's health. */
export function probeOptionsFor(loc: ClusterLocation): { caPem?: string; token?: string } {
  const read = (file: string): string | undefined => (existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined);
  const caPem = read(loc.paths.caCert);
  const token = read(loc.paths.token);
  return { ...(caPem ? { caPem } : {}), ...(token ? { token } : {}) };
}

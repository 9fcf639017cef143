// What the CLI knows about a cluster from its folder: whether its supervisor runs, and the
// files a previous `up` left. Also which cluster a command means when it is given no --name:
// the only one running, else the one `up` started last (remembered in $LOOPKUBE_HOME/.current,
// as kubectl remembers its current context), else `default`.
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { clusterHome, clusterPaths, loopkubeHome, readClusterConfig, type ClusterConfig, type ClusterPaths } from '../cluster/config.js';
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

export const DEFAULT_CLUSTER = 'default';

/** A cluster that has a folder under $LOOPKUBE_HOME. */
export interface KnownCluster extends ClusterLocation {
  running: boolean;
}

/** Every cluster with a folder (a cluster.json) under $LOOPKUBE_HOME, by name. */
export function knownClusters(): KnownCluster[] {
  let entries: string[];
  try {
    entries = readdirSync(loopkubeHome());
  } catch {
    return [];
  }
  const out: KnownCluster[] = [];
  for (const name of entries.sort()) {
    if (name.startsWith('.')) continue;
    const loc = locateCluster(name);
    if (!existsSync(loc.paths.config)) continue;
    out.push({ ...loc, running: runningSupervisorPid(loc) !== null });
  }
  return out;
}

function currentFile(): string {
  return path.join(loopkubeHome(), '.current');
}

/** The cluster `up` started last, when its folder still exists. */
export function rememberedCluster(): string | undefined {
  try {
    const name = readFileSync(currentFile(), 'utf8').trim();
    return name && existsSync(locateCluster(name).paths.config) ? name : undefined;
  } catch {
    return undefined;
  }
}

/** `up` remembers the cluster it started, so later commands mean it. */
export function rememberCluster(name: string): void {
  mkdirSync(loopkubeHome(), { recursive: true });
  writeFileSync(currentFile(), `${name}\n`);
}

/** `down --purge` forgets a cluster; if it was the remembered one, nothing is remembered. */
export function forgetCluster(name: string): void {
  try {
    if (readFileSync(currentFile(), 'utf8').trim() === name) rmSync(currentFile(), { force: true });
  } catch {
    // nothing remembered
  }
}

/** The name a command (other than `up`) means without --name. */
export function defaultClusterName(): string {
  const running = knownClusters().filter((c) => c.running);
  if (running.length === 1) return running[0]!.name;
  return rememberedCluster() ?? DEFAULT_CLUSTER;
}

/** The cluster a command means: the one named with --name, else defaultClusterName(). */
export function selectCluster(name: string | undefined): ClusterLocation {
  return locateCluster(name ?? defaultClusterName());
}

/** "a (running), b (stopped)", or '' when there is none. */
export function describeKnownClusters(): string {
  return knownClusters()
    .map((c) => `${c.name} (${c.running ? 'running' : 'stopped'})`)
    .join(', ');
}

/** Why a command cannot use cluster `name`, and what to do: start it, or pick a cluster that exists. */
export function notRunningMessage(name: string): string {
  if (existsSync(locateCluster(name).paths.config)) {
    return `cluster "${name}" is not running (start it with: loopkube up${nameFlag(name, true)})`;
  }
  const known = describeKnownClusters();
  return (
    `cluster "${name}" does not exist` +
    (known ? `; the clusters are: ${known} (pick one with --name, or see: loopkube list)` : '; there are no clusters yet') +
    `. Create it with: loopkube up${name === DEFAULT_CLUSTER ? '' : ` --name ${name}`}`
  );
}

/**
 * ` --name NAME` for a command shown to the user, or '' when the command would mean this
 * cluster anyway (`forUp`: as `up` picks, the remembered cluster or `default`).
 */
export function nameFlag(name: string, forUp = false): string {
  const implied = forUp ? (rememberedCluster() ?? DEFAULT_CLUSTER) : defaultClusterName();
  return name === implied ? '' : ` --name ${name}`;
}

/** The CA and token `loopkube status` and `up` need to probe the API server's health. */
export function probeOptionsFor(loc: ClusterLocation): { caPem?: string; token?: string } {
  const read = (file: string): string | undefined => (existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined);
  const caPem = read(loc.paths.caCert);
  const token = read(loc.paths.token);
  return { ...(caPem ? { caPem } : {}), ...(token ? { token } : {}) };
}

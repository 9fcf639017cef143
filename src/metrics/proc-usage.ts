// A host process container's usage from /proc, as cAdvisor reads a cgroup's: the CPU time
// (utime + stime of /proc/<pid>/stat, in clock ticks) and the resident memory (VmRSS of
// /proc/<pid>/status) summed over every live process of the container's process group. A
// process that ends between the scan and the read is skipped.
import { readdirSync, readFileSync } from 'node:fs';
import type { ContainerUsage } from './usage.js';

/** USER_HZ: the unit of /proc/<pid>/stat's times on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcStat {
  pid: number;
  pgrp: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  /** Start time after boot, in clock ticks. */
  startTicks: number;
}

/** Parses /proc/<pid>/stat (the command may hold spaces and parentheses: fields follow the last ')'). */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number(text.slice(0, text.indexOf(' ')));
  // after ')': state(3) ppid(4) pgrp(5) ... utime(14) stime(15) ... starttime(22)
  const f = text.slice(close + 2).trim().split(/\s+/);
  const field = (n: number): number => Number(f[n - 3]);
  const out = { pid, pgrp: field(5), cpuTicks: field(14) + field(15), startTicks: field(22) };
  return Object.values(out).every(Number.isFinite) ? out : undefined;
}

/** VmRSS of /proc/<pid>/status in bytes (0 for a zombie, which has none). */
export function parseVmRssBytes(text: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The live processes of a process group. */
export function processGroupStats(pgid: number, procRoot = '/proc'): ProcStat[] {
  const out: ProcStat[] = [];
  let entries: string[];
  try {
    entries = readdirSync(procRoot);
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const text = read(`${procRoot}/${e}/stat`);
    const s = text === undefined ? undefined : parseProcStat(text);
    if (s && s.pgrp === pgid) out.push(s);
  }
  return out;
}

/**
 * What a container whose processes form the process group `pgid` (its main process's pid, as
 * the node starts it detached) uses now. startedAtMs is the caller's: when it started the process.
 */
export function containerUsage(pod: { pgid: number; startedAtMs: number }, procRoot = '/proc'): ContainerUsage {
  let ticks = 0;
  let rss = 0;
  for (const s of processGroupStats(pod.pgid, procRoot)) {
    ticks += s.cpuTicks;
    const status = read(`${procRoot}/${s.pid}/status`);
    if (status !== undefined) rss += parseVmRssBytes(status);
  }
  return { cpuNanos: Math.round((ticks / CLOCK_TICKS_PER_SECOND) * 1e9), memoryBytes: rss, startedAtMs: pod.startedAtMs };
}

// Waiting for a cluster's processes to turn healthy, as `up` and `node start` do: ask the
// supervisor what runs, probe each process, until all answer or time runs out.
import { setTimeout as sleep } from 'node:timers/promises';
import { sendSupervisorRequest, supervisorSocket } from '../supervisor/control.js';
import { probeHealth } from '../supervisor/health.js';
import { pidAlive } from '../supervisor/pid-files.js';
import type { ProcessStatus, SupervisorState } from '../supervisor/state.js';
import { probeOptionsFor, type ClusterLocation } from './cluster-home.js';

export interface ReadyResult {
  ok: boolean;
  /** The supervisor exited while we waited. */
  supervisorGone: boolean;
  state: SupervisorState | null;
  /** Processes not healthy at the end (empty when ok). */
  unhealthy: ProcessStatus[];
  /** The waiting stopped early: these processes exited twice (a crash loop, not a slow start). */
  crashLooping: ProcessStatus[];
}

/** Exited twice since the supervisor started it: once restarted and gone again, or restarted twice. */
export function isCrashLooping(p: ProcessStatus): boolean {
  return p.restarts >= 2 || (p.restarts >= 1 && p.state === 'restarting');
}

export interface WaitOptions {
  timeoutMs: number;
  /** Only these processes (default: every process not put down on purpose). */
  only?: string[];
  onHealthy?: (p: ProcessStatus) => void;
  /** Stop waiting once a process exited twice (for a supervisor that has just started them all). */
  failOnCrashLoop?: boolean;
}

export async function waitUntilHealthy(loc: ClusterLocation, supervisorPid: number, options: WaitOptions): Promise<ReadyResult> {
  const deadline = Date.now() + options.timeoutMs;
  const probe = probeOptionsFor(loc);
  const seenHealthy = new Set<string>();
  let state: SupervisorState | null = null;
  let unhealthy: ProcessStatus[] = [];
  for (;;) {
    if (!pidAlive(supervisorPid)) return { ok: false, supervisorGone: true, state, unhealthy, crashLooping: [] };
    try {
      const reply = await sendSupervisorRequest(supervisorSocket(loc.home), { op: 'status' }, 2000);
      if (reply.ok) state = reply.state;
    } catch {
      // not listening yet
    }
    if (state) {
      const watched = state.processes.filter((p) => (options.only ? options.only.includes(p.name) : p.state !== 'stopped'));
      const results = await Promise.all(
        watched.map(async (p) => ({ p, healthy: p.state === 'running' && (await probeHealth(p.health, { ...probe, timeoutMs: 1000 })) })),
      );
      for (const { p, healthy } of results) {
        if (healthy && !seenHealthy.has(p.name)) {
          seenHealthy.add(p.name);
          options.onHealthy?.(p);
        }
      }
      unhealthy = results.filter((r) => !r.healthy).map((r) => r.p);
      if (!unhealthy.length) return { ok: true, supervisorGone: false, state, unhealthy, crashLooping: [] };
      const crashLooping = options.failOnCrashLoop ? unhealthy.filter(isCrashLooping) : [];
      if (crashLooping.length) return { ok: false, supervisorGone: false, state, unhealthy, crashLooping };
    }
    if (Date.now() >= deadline) return { ok: false, supervisorGone: false, state, unhealthy, crashLooping: [] };
    await sleep(50);
  }
}

// A probe worker, as kubelet runs one per container and probe: nothing before
// initialDelaySeconds, then one probe every periodSeconds; the result flips to success after
// successThreshold passes in a row and to failure after failureThreshold failures in a row.
// Readiness starts as failure (not ready until a probe passes); liveness and startup start as
// success.
import type { Probe } from '../src/api/types.js';
import type { ProbeKind } from './control.js';
import type { ProbeResult } from './probes.js';

export interface ProbeWorkerOptions {
  kind: ProbeKind;
  probe: Probe;
  /** Runs the probe once. */
  run(): Promise<ProbeResult>;
  /** The thresholded result changed. */
  onResult(ok: boolean): void;
  /** One attempt failed (kubelet records an `Unhealthy` event for each). */
  onFailure(message: string): void;
  /** Seconds are multiplied by this; 1000 unless a test wants it faster. */
  msPerSecond?: number;
}

export interface ProbeWorker {
  readonly kind: ProbeKind;
  /** The current thresholded result. */
  ok(): boolean;
  stop(): void;
}

export interface ProbeTiming {
  initialDelayMs: number;
  periodMs: number;
  successThreshold: number;
  failureThreshold: number;
}

/** The probe's timing with upstream's defaults (period 10s, success 1, failure 3). */
export function probeTiming(probe: Probe, kind: ProbeKind, msPerSecond = 1000): ProbeTiming {
  const positive = (v: number | undefined, d: number): number => (v !== undefined && Number.isFinite(v) && v > 0 ? v : d);
  return {
    initialDelayMs: Math.max(0, probe.initialDelaySeconds ?? 0) * msPerSecond,
    periodMs: positive(probe.periodSeconds, 10) * msPerSecond,
    // Liveness and startup probes must use a success threshold of 1 (validation enforces it upstream).
    successThreshold: kind === 'readiness' ? positive(probe.successThreshold, 1) : 1,
    failureThreshold: positive(probe.failureThreshold, 3),
  };
}

export function startProbeWorker(opts: ProbeWorkerOptions): ProbeWorker {
  const timing = probeTiming(opts.probe, opts.kind, opts.msPerSecond);
  let ok = opts.kind !== 'readiness';
  let successes = 0;
  let failures = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const schedule = (ms: number): void => {
    if (!stopped) timer = setTimeout(tick, ms);
  };

  async function tick(): Promise<void> {
    if (stopped) return;
    let result: ProbeResult;
    try {
      result = await opts.run();
    } catch (err) {
      result = { ok: false, message: (err as Error).message };
    }
    if (stopped) return;
    if (result.ok) {
      failures = 0;
      successes++;
      if (!ok && successes >= timing.successThreshold) {
        ok = true;
        opts.onResult(true);
      }
    } else {
      successes = 0;
      failures++;
      opts.onFailure(result.message);
      if (stopped) return;
      if (ok && failures >= timing.failureThreshold) {
        ok = false;
        opts.onResult(false);
      }
    }
    schedule(timing.periodMs);
  }

  schedule(timing.initialDelayMs);
  return {
    kind: opts.kind,
    ok: () => ok,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

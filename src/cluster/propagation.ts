// How fast a change (a pod going away, a Service created) reaches the data plane: the knobs that
// in Kubernetes belong to kube-controller-manager and kube-proxy, and two presets.
//
//   endpointUpdatesBatchPeriod  kube-controller-manager --endpoint-updates-batch-period (and the
//                               EndpointSlice controller's --endpointslice-updates-batch-period):
//                               a pod change is acted on this long after it arrives, together
//                               with the changes that arrive meanwhile
//   minSyncPeriod               kube-proxy's minSyncPeriod: at most one sync per period (after a
//                               burst of 2, as kube-proxy's burstSyncs), changes in between wait
//   syncPeriod                  kube-proxy's syncPeriod: a full resync at least this often
//   syncDelay                   loopkube's own: how long a change waits before the proxy applies
//                               it, modelling a node's rule-programming time (kube-proxy has no
//                               such knob; on a big cluster iptables-restore alone takes seconds)
//
// Presets:
//   instant     today's loopkube: every change applied as soon as it arrives (the default)
//   production  kube-proxy's defaults, minSyncPeriod 1s and syncPeriod 30s
//               (pkg/proxy/apis/config/v1alpha1/defaults.go), and 1s of endpoint batching.
//               Upstream's batch period defaults to 0; 1s is the delay the EndpointSlice
//               controller itself waits before acting on a slice change
//               (endpointSliceChangeMinSyncDelay in pkg/controller/endpointslice).
import type { ClusterConfig } from './config.js';

export type PropagationPreset = 'instant' | 'production';
export const PROPAGATION_PRESETS: readonly PropagationPreset[] = ['instant', 'production'];

export interface PropagationTimings {
  endpointUpdatesBatchPeriodMs: number;
  minSyncPeriodMs: number;
  syncPeriodMs: number;
  syncDelayMs: number;
}

export interface Propagation extends PropagationTimings {
  /** The preset the timings started from (a field set on its own overrides it). */
  preset: PropagationPreset;
}

export const PRESET_TIMINGS: Readonly<Record<PropagationPreset, Readonly<PropagationTimings>>> = {
  instant: { endpointUpdatesBatchPeriodMs: 0, minSyncPeriodMs: 0, syncPeriodMs: 30_000, syncDelayMs: 0 },
  production: { endpointUpdatesBatchPeriodMs: 1000, minSyncPeriodMs: 1000, syncPeriodMs: 30_000, syncDelayMs: 0 },
};

/** kube-proxy's burstSyncs (pkg/proxy/iptables and nftables proxier.go). */
export const BURST_SYNCS = 2;

export const DEFAULT_PROPAGATION: Readonly<Propagation> = { preset: 'instant', ...PRESET_TIMINGS.instant };

/** The timings a cluster runs with (clusters made before they existed: instant). */
export function propagationOf(config: Pick<ClusterConfig, 'propagation'>): Propagation {
  return { ...DEFAULT_PROPAGATION, ...config.propagation };
}

export const TIMING_FIELDS: ReadonlyArray<{ key: keyof PropagationTimings; field: string; flag: string; maxMs: number }> = [
  { key: 'endpointUpdatesBatchPeriodMs', field: 'endpointUpdatesBatchPeriod', flag: '--endpoint-updates-batch-period', maxMs: 10 * 60_000 },
  { key: 'minSyncPeriodMs', field: 'minSyncPeriod', flag: '--min-sync-period', maxMs: 10 * 60_000 },
  { key: 'syncPeriodMs', field: 'syncPeriod', flag: '--sync-period', maxMs: 24 * 3_600_000 },
  { key: 'syncDelayMs', field: 'syncDelay', flag: '--sync-delay', maxMs: 10 * 60_000 },
];

/** `1s`, `500ms`, `1m30s`, `1.5h` (Go's time.ParseDuration, without the units below a millisecond) -> ms; null when not one. */
export function parseDuration(text: string): number | null {
  const s = text.trim();
  if (s === '0') return 0;
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(s)) return null;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(m[1]) * unit[m[2]!]!;
  return Math.round(total);
}

/** `1.5s`, `250ms`, `0s`, as a person would write them. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % 1000 !== 0) return `${ms}ms`;
  return `${ms / 1000}s`;
}

/** What is wrong with a set of timings, as Kubernetes words kube-proxy's config validation. */
export function timingProblems(t: PropagationTimings, fieldOf: (key: keyof PropagationTimings) => string): Array<{ field: string; value: string; detail: string }> {
  const out: Array<{ field: string; value: string; detail: string }> = [];
  if (t.syncPeriodMs <= 0) out.push({ field: fieldOf('syncPeriodMs'), value: formatDuration(t.syncPeriodMs), detail: 'must be greater than 0' });
  else if (t.minSyncPeriodMs > t.syncPeriodMs) {
    out.push({ field: fieldOf('syncPeriodMs'), value: formatDuration(t.syncPeriodMs), detail: `must be greater than or equal to ${fieldOf('minSyncPeriodMs')}` });
  }
  return out;
}

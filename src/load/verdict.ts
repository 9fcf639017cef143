// The verdict at the end of a run with `--during`: how many requests failed while the command's
// change rolled through the Service, why, and the setting that stops it. Each failure the client
// saw (its time, kind, and the pod that had answered on that connection) is joined with what the
// API said meanwhile (lifecycle.ts: when each pod began terminating and was gone, when its
// endpoint changed in the EndpointSlices, how many endpoints were ready):
//
//   keep-alive   a kept-alive connection, answered on before, that the pod closed or reset under
//                a request: the app went away without draining its connections
//   terminating  a fresh connection reset or refused while a pod was terminating but still
//                routed to (the proxy had not yet let go of its endpoint): no preStop delay
//   not ready    a failure just after a pod was marked Ready, on a pod without a readiness probe
//   no endpoint  a fresh connection reset or refused while the Service had no ready endpoint:
//                the rollout (or a drain) took all capacity
//   5xx          answers with a server error, by pod
//   timeout      no answer in time
// and the rest, unattributed. Each cause found brings its fix, worded from what was measured.
import type { Failure } from './stats.js';
import type { Lifecycle, PodHistory } from './lifecycle.js';
import type { DuringResult } from './during.js';
import type { TimelineRow } from './timeline.js';

export type Cause = 'keep-alive' | 'terminating' | 'not ready' | 'no endpoint' | '5xx' | 'timeout' | 'unattributed';

export interface Verdict {
  /** Seconds from the start of the load: the rollout window (the command, and the changes it set off). */
  window: { start: number; end: number };
  /** Requests tried within the window. */
  attempts: number;
  failed: number;
  /** failed / attempts, 0..1. */
  share: number;
  causes: Record<Cause, number>;
  /** Failures per pod (cause by cause), '' for unknown. */
  pods: Record<string, Partial<Record<Cause, number>>>;
  /** Failures outside the window. */
  outside: number;
  /** Of those, the ones before the window opened (the load had failures before the command ran). */
  outsideBefore: number;
  /** Milliseconds from a pod beginning to terminate to its endpoint leaving the slices (or turning not ready), max over pods; null when none went. */
  endpointDelayMs: number | null;
  /** Milliseconds from a pod beginning to terminate to the last failure blamed on it, max over pods. */
  failingForMs: number | null;
  /** The one-sentence verdict and the fixes that apply. */
  sentence: string;
  fixes: string[];
}

/** How long after the command ended (or after the last pod change it set off) the window stays open. */
const SETTLE_MS = 1000;
/** A failure this soon after a pod turned Ready may be the pod not serving yet. */
const READY_SLACK_MS = 2000;
/** A terminating pod may still be routed to this long after its object is gone (the proxy's lag). */
const GONE_SLACK_MS = 2000;
/** Our watch may hear of a deletion this much later than the node that acts on it. */
const WATCH_LAG_MS = 500;

const isConnectionFailure = (kind: string): boolean => kind === 'reset' || kind === 'closed' || kind === 'connect refused';

function terminatingAt(h: PodHistory, t: number): boolean {
  return h.terminatingAt !== null && h.terminatingAt - WATCH_LAG_MS <= t && (h.deletedAt === null || t <= h.deletedAt + GONE_SLACK_MS);
}

/**
 * The fewest ready endpoints from `lagMs` before t to t: a proxy acting on the EndpointSlices
 * that much later may still have none when the API already lists one again.
 */
function fewestReadyWithin(lc: Lifecycle, t: number, lagMs: number): number | null {
  let n = readyAt(lc, t - lagMs);
  for (const e of lc.readyEndpoints) {
    if (e.t > t) break;
    if (e.t > t - lagMs && (n === null || e.ready < n)) n = e.ready;
  }
  return n;
}

/** Ready endpoints at time t (the last count at or before t; the first count when t is earlier). */
function readyAt(lc: Lifecycle, t: number): number | null {
  let n: number | null = null;
  for (const e of lc.readyEndpoints) {
    if (e.t > t) break;
    n = e.ready;
  }
  return n;
}

/**
 * `failures` and `rows` count from the load's start; `lifecycle` and the command's times are
 * converted with `startEpochMs` (the load's start on the lifecycle's clock).
 */
export function judge(opts: { failures: readonly Failure[]; rows: readonly TimelineRow[]; lifecycle: Lifecycle | null; during: DuringResult; startEpochMs: number; intervalSeconds: number }): Verdict {
  const lc = opts.lifecycle;
  const rel = (epoch: number): number => epoch - opts.startEpochMs;
  const start = opts.during.startedAt * 1000;
  let end = (opts.during.endedAt ?? opts.rows.length * opts.intervalSeconds) * 1000;

  // The window runs on while the pods and endpoints the command set moving still change.
  const pods = lc ? [...lc.pods.values()].map((h) => ({ ...h, readyAt: h.readyAt === null ? null : rel(h.readyAt), terminatingAt: h.terminatingAt === null ? null : rel(h.terminatingAt), deletedAt: h.deletedAt === null ? null : rel(h.deletedAt) })) : [];
  const record: Lifecycle | null = lc
    ? { pods: new Map(pods.map((h) => [h.pod, h])), endpoints: new Map([...lc.endpoints].map(([k, v]) => [k, v.map((s) => ({ ...s, t: rel(s.t) }))])), readyEndpoints: lc.readyEndpoints.map((e) => ({ t: rel(e.t), ready: e.ready })) }
    : null;
  if (record) {
    for (const h of pods) for (const t of [h.readyAt, h.terminatingAt, h.deletedAt]) if (t !== null && t >= start && t > end) end = t;
    for (const changes of record.endpoints.values()) for (const c of changes) if (c.t >= start && c.t > end) end = c.t;
  }
  end += SETTLE_MS;
  const runEnd = opts.rows.length * opts.intervalSeconds * 1000;
  if (end > runEnd) end = runEnd;

  const causes: Record<Cause, number> = { 'keep-alive': 0, terminating: 0, 'not ready': 0, 'no endpoint': 0, '5xx': 0, timeout: 0, unattributed: 0 };
  const byPod: Record<string, Partial<Record<Cause, number>>> = {};
  const lastBlamed = new Map<string, number>();
  let failed = 0;
  let outside = 0;
  let outsideBefore = 0;
  const blame = (cause: Cause, pod: string, t: number): void => {
    causes[cause]++;
    const p = (byPod[pod] ??= {});
    p[cause] = (p[cause] ?? 0) + 1;
    if (pod && (cause === 'terminating' || cause === 'keep-alive')) lastBlamed.set(pod, Math.max(lastBlamed.get(pod) ?? 0, t));
  };

  for (const f of opts.failures) {
    if (f.t < start || f.t > end) {
      outside++;
      if (f.t < start) outsideBefore++;
      continue;
    }
    failed++;
    const known = f.pod && record ? record.pods.get(f.pod) : undefined;
    if (f.kind === 'http 5xx') blame('5xx', f.pod, f.t);
    else if (f.reused && (f.kind === 'reset' || f.kind === 'closed')) blame('keep-alive', f.pod, f.t);
    else if (f.kind === 'timeout') blame('timeout', f.pod, f.t);
    else if (isConnectionFailure(f.kind) && record) {
      const terminating = known && terminatingAt(known, f.t) ? [known] : pods.filter((h) => terminatingAt(h, f.t));
      const fresh = pods.filter((h) => h.readyAt !== null && h.readyAt <= f.t && f.t <= h.readyAt + READY_SLACK_MS && h.readyAt > start - READY_SLACK_MS && !h.readinessProbe);
      // No ready endpoint left (or not long enough ago for every proxy to know of the new ones):
      // whatever else was going on, the capacity was gone (a drain that evicted every pod at
      // once, a rollout that took them all down).
      if (fewestReadyWithin(record, f.t, GONE_SLACK_MS) === 0 && !f.reused) blame('no endpoint', '', f.t);
      else if (terminating.length > 0) blame('terminating', terminating.length === 1 ? terminating[0]!.pod : f.pod, f.t);
      else if (fresh.length > 0) blame('not ready', fresh.length === 1 ? fresh[0]!.pod : f.pod, f.t);
      else blame('unattributed', f.pod, f.t);
    } else blame('unattributed', f.pod, f.t);
  }

  // Attempts in the window: the rows it covers, in proportion where it cuts one.
  let attempts = 0;
  const ms = opts.intervalSeconds * 1000;
  for (const [i, r] of opts.rows.entries()) {
    const from = i * ms;
    const to = from + ms;
    const overlap = Math.max(0, Math.min(to, end) - Math.max(from, start));
    if (overlap <= 0) continue;
    const all = r.requests + r.errors.refused + r.errors.reset + r.errors.timeout + r.errors.other;
    attempts += (all * overlap) / ms;
  }
  attempts = Math.max(Math.round(attempts), failed);

  // Propagation as measured: a terminating pod's endpoint turning not ready or leaving the slices.
  let endpointDelayMs: number | null = null;
  let failingForMs: number | null = null;
  if (record) {
    for (const h of pods) {
      if (h.terminatingAt === null || h.terminatingAt < start - SETTLE_MS) continue;
      const changes = record.endpoints.get(h.pod) ?? [];
      const off = changes.find((c) => c.t >= h.terminatingAt! && (!c.present || !c.ready));
      if (off) endpointDelayMs = Math.max(endpointDelayMs ?? 0, Math.round(off.t - h.terminatingAt));
      const last = lastBlamed.get(h.pod);
      if (last !== undefined) failingForMs = Math.max(failingForMs ?? 0, Math.round(last - h.terminatingAt));
    }
    // Failures blamed on terminating pods as a group (unknown pod): from the first pod that went.
    if (causes.terminating > 0 && failingForMs === null) {
      const first = Math.min(...pods.filter((h) => h.terminatingAt !== null && h.terminatingAt >= start - SETTLE_MS).map((h) => h.terminatingAt!));
      // a loop, not Math.max(...): there may be 200,000 failures, too many for a spread's arguments
      let last = -Infinity;
      for (const f of opts.failures) if (f.t >= start && f.t <= end && isConnectionFailure(f.kind) && !f.reused && f.t > last) last = f.t;
      if (Number.isFinite(first) && Number.isFinite(last)) failingForMs = Math.round(last - first);
    }
  }

  const v: Verdict = {
    window: { start: round1(start / 1000), end: round1(end / 1000) },
    attempts,
    failed,
    share: attempts > 0 ? failed / attempts : 0,
    causes,
    pods: byPod,
    outside,
    outsideBefore,
    endpointDelayMs,
    failingForMs,
    sentence: '',
    fixes: [],
  };
  v.sentence = sentence(v);
  v.fixes = fixes(v, pods);
  return v;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;
const count = (n: number): string => n.toLocaleString('en-US');
const percent = (share: number): string => (share === 0 ? '0%' : share < 0.0001 ? '<0.01%' : share < 0.01 ? `${(share * 100).toFixed(2)}%` : `${(share * 100).toFixed(1)}%`);

function sentence(v: Verdict): string {
  return `${duringSentence(v)}${outsideSentence(v)}`;
}

/** Failures outside the window are not the rollout's, but a run that had them is no clean run: say so. */
function outsideSentence(v: Verdict): string {
  if (v.outside === 0) return '';
  const after = v.outside - v.outsideBefore;
  const parts = [
    ...(v.outsideBefore ? [`${count(v.outsideBefore)} before the command started`] : []),
    ...(after ? [`${count(after)} after the changes settled`] : []),
  ];
  return ` Outside the rollout ${count(v.outside)} more failed: ${parts.join(', ')}.`;
}

function duringSentence(v: Verdict): string {
  const when = `${v.window.start}s-${v.window.end}s`;
  if (v.failed === 0) return `No request failed during the rollout (${when}): ${count(v.attempts)} requests, all answered.`;
  const parts: string[] = [];
  const c = v.causes;
  if (c.terminating) parts.push(`${count(c.terminating)} reset or refused by pods that were terminating before their endpoint left the proxy`);
  if (c['keep-alive']) parts.push(`${count(c['keep-alive'])} on keep-alive connections the pod closed`);
  if (c['no endpoint']) parts.push(`${count(c['no endpoint'])} reset or refused while the Service had no ready endpoint`);
  if (c['not ready']) parts.push(`${count(c['not ready'])} on pods just marked Ready that were not serving yet`);
  if (c['5xx']) parts.push(`${count(c['5xx'])} answered with a 5xx`);
  if (c.timeout) parts.push(`${count(c.timeout)} timed out`);
  if (c.unattributed) parts.push(`${count(c.unattributed)} that no pod or endpoint change explains`);
  return `${count(v.failed)} request${v.failed === 1 ? '' : 's'} failed during the rollout (${percent(v.share)} of ${count(v.attempts)}, ${when}): ${parts.join(', ')}.`;
}

function fixes(v: Verdict, pods: PodHistory[]): string[] {
  const out: string[] = [];
  const c = v.causes;
  const seconds = (ms: number): number => Math.max(1, Math.ceil((ms + 1000) / 1000));
  const blamedPods = pods.filter((h) => v.pods[h.pod]?.terminating || v.pods[h.pod]?.['keep-alive']);
  if (blamedPods.length > 0 && blamedPods.every((h) => h.forced)) {
    out.push(
      `${blamedPods.map((h) => h.pod).join(', ')} ${blamedPods.length === 1 ? 'was' : 'were'} deleted with no grace period (a force delete): no preStop hook runs and nothing drains, so requests in flight are lost. Delete pods gracefully (no --force, a grace period longer than the longest request), and let the rollout replace them.`,
    );
    return out;
  }
  if (c.terminating) {
    const measured = Math.max(v.endpointDelayMs ?? 0, v.failingForMs ?? 0);
    const current = Math.max(0, ...pods.map((h) => h.preStopSleepSeconds ?? 0));
    out.push(
      `Give the pods a preStop sleep longer than the propagation delay: ${
        v.failingForMs !== null ? `requests still failed ${count(v.failingForMs)} ms after a pod began terminating` : 'requests failed after a pod began terminating'
      }${v.endpointDelayMs !== null ? `, and its endpoint left the EndpointSlice ${count(v.endpointDelayMs)} ms after` : ''}` +
        ` (lifecycle.preStop.sleep.seconds: ${Math.max(seconds(measured), current + 1)}${current ? `, now ${current}` : ''}; keep terminationGracePeriodSeconds above it).`,
    );
  }
  if (c['keep-alive']) {
    out.push(
      'Drain keep-alive connections on SIGTERM: stop accepting, finish the requests in flight, close idle connections and answer the rest with `Connection: close` before exiting' +
        (c.terminating ? '' : ', after a preStop sleep long enough for the endpoint to leave every proxy') +
        '.',
    );
  }
  if (c['no endpoint']) {
    out.push(
      'Keep capacity while pods go: maxUnavailable: 0 (with maxSurge: 1 or more) for a rolling update, and a PodDisruptionBudget (minAvailable, or maxUnavailable) for a drain or any other eviction, so that a pod goes only once its replacement is Ready.',
    );
  }
  if (c['not ready']) out.push('Add a readiness probe, so that a new pod gets traffic only once it answers.');
  if (c['5xx']) out.push(`Look at the pods that answered 5xx: ${Object.entries(v.pods).filter(([, p]) => p['5xx']).map(([pod]) => pod || '?').join(', ')}.`);
  if (c.timeout) out.push('Requests timed out: look for pods that stopped answering without closing (ignoring SIGTERM, or stuck) and the grace period that bounds them.');
  return out;
}

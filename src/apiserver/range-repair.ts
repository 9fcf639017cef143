// The repair pass over the shared ranges, as upstream's repair controllers run in every API server
// (pkg/registry/core/service/ipallocator/controller/repair.go, portallocator/controller/repair.go,
// every 3 minutes): a value an object holds but the range lacks is set; a value set that no object
// holds (a reservation left by a crash between its two writes, or a release that failed) is
// cleared once found so in several passes in a row, so a write in progress is never robbed.
import type { KubeObject } from '../api/types.js';
import type { Logger } from '../log.js';
import { decodeBitmap, type RangeAllocation, type SharedRange } from '../kinds/service/shared-ranges.js';
import type { Store } from '../store/store.js';
import { changeRange, indexes } from './range-reservations.js';

/** Upstream's repair interval. */
export const RANGE_REPAIR_INTERVAL_MS = 3 * 60_000;
/** Upstream's numRepairsBeforeLeakCleanup. */
export const PASSES_BEFORE_RELEASE = 3;

/** For each range, the unheld values and in how many passes in a row they were found so. */
export type RepairState = Map<string, Map<number, number>>;

/** One repair pass; returns the state to give the next one. */
export async function repairRanges(
  store: Store,
  ranges: readonly SharedRange[],
  holders: (r: SharedRange) => Promise<KubeObject[]>,
  previous: RepairState,
  passesBeforeRelease = PASSES_BEFORE_RELEASE,
): Promise<RepairState> {
  const state: RepairState = new Map();
  for (const r of ranges) {
    const held = new Set(indexes(r, (await holders(r)).flatMap((o) => r.held(o))));
    const alloc = (await store.get(r.key)) as RangeAllocation | undefined;
    const bits = alloc ? decodeBitmap(alloc.data ?? '') : new Set<number>();
    const missing = [...held].filter((i) => !bits.has(i));
    const seen = previous.get(r.key) ?? new Map<number, number>();
    const suspects = new Map<number, number>();
    const release: number[] = [];
    for (const i of bits) {
      if (held.has(i)) continue;
      const n = (seen.get(i) ?? 0) + 1;
      if (n >= passesBeforeRelease) release.push(i);
      else suspects.set(i, n);
    }
    state.set(r.key, suspects);
    if (missing.length === 0 && release.length === 0) continue;
    // The missing ones may race a write that reserves them: 'taken' then means someone else holds
    // the bit, which is what we wanted.
    if (missing.length) await changeRange(store, r, missing, []).catch(() => undefined);
    if (release.length) await changeRange(store, r, [], release);
  }
  return state;
}

/** Runs a repair pass every `intervalMs` until stopped; a pass that fails is logged and tried at the next. */
export function startRangeRepair(
  store: Store,
  ranges: readonly SharedRange[],
  holders: (r: SharedRange) => Promise<KubeObject[]>,
  logger: Logger,
  intervalMs = RANGE_REPAIR_INTERVAL_MS,
): { stop(): Promise<void> } {
  let state: RepairState = new Map();
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = repairRanges(store, ranges, holders, state)
      .then((next) => {
        state = next;
      })
      .catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'range repair pass failed; trying again at the next'))
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

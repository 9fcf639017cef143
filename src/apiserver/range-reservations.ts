// Reservations in the shared ranges (ClusterIPs, NodePorts) around a write: a value an object
// newly holds is set in its RangeAllocation by compare-and-swap before the object is stored, and
// cleared once the object no longer holds it. Two API servers on one store thereby never store two
// objects holding one value: the second to reserve finds the bit set and allocates again. A
// reservation left behind by a crash between the two writes (or a release that failed) is cleared
// by the repair pass (range-repair.ts).
import type { Logger } from '../log.js';
import type { KubeObject } from '../api/types.js';
import type { ResourceInfo } from '../api/resources.js';
import { decodeBitmap, rangeAllocation, rangeValues, type RangeAllocation, type SharedRange } from '../kinds/service/shared-ranges.js';
import { isStoreError, type Store } from '../store/store.js';
import { nowRfc3339 } from '../api/time.js';

/** The values of `next` (the object to store) that another object already reserved. */
export class RangeTakenError extends Error {
  constructor(readonly range: SharedRange, readonly values: string[]) {
    super(`${values.join(', ')} of ${range.range} reserved by another write`);
  }
}

export interface RangeReservations {
  /** The values every range of this key holds now (what admission must not hand out). */
  values(key: string): Promise<string[]>;
  /**
   * Reserves what `next` holds and `current` (the stored object, on update) does not. Resolves to
   * an undo for when the object's write then fails; throws RangeTakenError when a value is taken.
   */
  reserve(info: ResourceInfo, next: KubeObject, current: KubeObject | undefined): Promise<() => Promise<void>>;
  /** Releases what `gone` held and `kept` (the object as now stored, if any) does not. */
  release(info: ResourceInfo, gone: KubeObject, kept: KubeObject | undefined): Promise<void>;
}

/** CAS attempts on one range object before giving up on a write (each lost race re-reads it). */
const CAS_ATTEMPTS = 50;

function revisionOf(obj: KubeObject): number {
  return Number(obj.metadata.resourceVersion ?? '0');
}

/** Adds and removes bits of one range by compare-and-swap; 'taken' when a bit to add is set. */
export async function changeRange(store: Store, r: SharedRange, add: number[], remove: number[]): Promise<'ok' | 'taken'> {
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const current = (await store.get(r.key)) as RangeAllocation | undefined;
    const bits = current ? decodeBitmap(current.data ?? '') : new Set<number>();
    if (add.some((i) => bits.has(i))) return 'taken';
    // Nothing to clear (released already, or never reserved: an object stored before ranges were kept).
    if (add.length === 0 && remove.every((i) => !bits.has(i))) return 'ok';
    for (const i of add) bits.add(i);
    for (const i of remove) bits.delete(i);
    const next = rangeAllocation(r, bits, current?.metadata.creationTimestamp ?? nowRfc3339());
    try {
      if (current) await store.update(r.key, next, revisionOf(current));
      else await store.create(r.key, next);
      return 'ok';
    } catch (err) {
      if (isStoreError(err, 'Conflict') || isStoreError(err, 'KeyExists') || isStoreError(err, 'KeyNotFound')) continue;
      throw err;
    }
  }
  throw new Error(`the range ${r.range} at ${r.key} kept changing under ${CAS_ATTEMPTS} tries to write it`);
}

export function indexes(r: SharedRange, values: Iterable<string>): number[] {
  const out = new Set<number>();
  for (const v of values) {
    const i = r.indexOf(v);
    if (i !== undefined) out.add(i);
  }
  return [...out];
}

function difference(a: string[], b: string[]): string[] {
  const bs = new Set(b);
  return a.filter((v) => !bs.has(v));
}

export function createRangeReservations(store: Store, ranges: readonly SharedRange[], logger: Logger): RangeReservations {
  const of = (info: ResourceInfo): SharedRange[] => ranges.filter((r) => r.group === info.group && r.resource === info.resource);

  async function releaseIn(r: SharedRange, values: string[]): Promise<void> {
    if (values.length === 0) return;
    try {
      await changeRange(store, r, [], indexes(r, values));
    } catch (err) {
      // Left set: the repair pass clears it once no object holds it.
      logger.warn({ err: (err as Error).message, range: r.key, values }, 'could not release values; the repair pass will');
    }
  }

  return {
    async values(key) {
      const r = ranges.find((x) => x.key === key);
      if (!r) return [];
      return rangeValues(r, (await store.get(key)) as RangeAllocation | undefined);
    },

    async reserve(info, next, current) {
      const done: Array<{ r: SharedRange; values: string[] }> = [];
      const undo = async (): Promise<void> => {
        for (const d of done) await releaseIn(d.r, d.values);
      };
      for (const r of of(info)) {
        const added = difference(r.held(next), current ? r.held(current) : []);
        if (added.length === 0) continue;
        const result = await changeRange(store, r, indexes(r, added), []).catch(async (err: unknown) => {
          await undo();
          throw err;
        });
        if (result === 'taken') {
          await undo();
          throw new RangeTakenError(r, added);
        }
        done.push({ r, values: added });
      }
      return undo;
    },

    async release(info, gone, kept) {
      for (const r of of(info)) await releaseIn(r, difference(r.held(gone), kept ? r.held(kept) : []));
    },
  };
}

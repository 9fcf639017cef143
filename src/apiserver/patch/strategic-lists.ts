// List handling of strategic merge patch (k8s.io/apimachinery/pkg/util/strategicpatch): element
// kinds, lookup by merge key, deletion, de-duplication, and the ordering rules that decide
// where merged items land. Ported step by step, because the order users see in a patched list
// (containers, ports, env, finalizers) is exactly what these steps produce upstream.
import { goTypeName, goValue } from './go-format.js';
import { hasKey, isJsonObject, type JsonObject } from './json-value.js';
import {
  MAP_TYPE,
  errBadArgType,
  errNoListOfLists,
  errNoMergeKey,
  errUnclassified,
} from './strategic-errors.js';

export const DIRECTIVE_MARKER = '$patch';
export const DELETE_DIRECTIVE = 'delete';

/** Whether list items are maps (merged by key) or scalars. */
export type ElementKind = 'map' | 'scalar';

/**
 * sliceElementType: every item of every list must have the same Go type, and that type may
 * not be a list. (Upstream panics on a null first item; here null is a type of its own.)
 */
export function sliceElementKind(...lists: unknown[][]): ElementKind {
  let prev: string | undefined | null = null;
  for (const list of lists) {
    for (const v of list) {
      const t = goTypeName(v) ?? '<nil>';
      if (prev === null) {
        prev = t;
        if (Array.isArray(v)) throw errNoListOfLists();
      } else if (prev !== t) {
        throw errUnclassified(`list element types are not identical: ${goValue(lists)}`);
      }
    }
  }
  if (prev === null) throw errUnclassified('no elements in any of the given slices');
  return prev === MAP_TYPE ? 'map' : 'scalar';
}

// ---- Go slices --------------------------------------------------------------------------
// Upstream deletes from and appends to the live list in place (append(s[:i], s[i+1:]...) and
// append(s, v)), and a later ordering step reads the live list again through its old header.
// The order it produces depends on that, so the same aliasing is reproduced here: `items` is
// the backing array, of fixed capacity until an append outgrows it.

export interface GoSlice {
  items: unknown[];
  len: number;
  cap: number;
}

export function goSlice(items: unknown[]): GoSlice {
  return { items, len: items.length, cap: items.length };
}

export function goSliceItems(s: GoSlice): unknown[] {
  return s.items.slice(0, s.len);
}

function goAppend(s: GoSlice, v: unknown): GoSlice {
  if (s.len < s.cap) {
    s.items[s.len] = v;
    return { items: s.items, len: s.len + 1, cap: s.cap };
  }
  const items = s.items.slice(0, s.len);
  items.push(v);
  return { items, len: s.len + 1, cap: Number.POSITIVE_INFINITY };
}

// ---- lookup, deletion, de-duplication ---------------------------------------------------

/**
 * findMapInSliceBasedOnKeyValue over a fixed list, indexed once: the first map whose merge key
 * has the value. Like upstream's scan from the front, it fails on a list item that is not a map
 * when no match comes before it.
 */
export function mapFinder(list: unknown[], key: string): (value: unknown) => { map: JsonObject; index: number } | undefined {
  const first = new Map<unknown, number>();
  let firstNonMap = -1;
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (!isJsonObject(v)) {
      if (firstNonMap < 0) firstNonMap = i;
      continue;
    }
    if (hasKey(v, key) && !first.has(v[key])) first.set(v[key], i);
  }
  return (value) => {
    const index = first.get(value);
    if (firstNonMap >= 0 && (index === undefined || firstNonMap < index)) {
      throw errUnclassified(`value for key ${firstNonMap} is not a map`);
    }
    return index === undefined ? undefined : { map: list[index] as JsonObject, index };
  };
}

/**
 * deleteMatchingEntries for each value in turn: every live item whose merge key has it goes.
 * Upstream deletes one item at a time with append(s[:i], s[i+1:]...), which leaves in each
 * freed slot of the backing array the item that was last in the list when the slot was freed;
 * that is reproduced here in one pass, since `$setElementOrder` reads those slots afterwards.
 */
export function deleteMatchingEntries(s: GoSlice, key: string, values: unknown[]): GoSlice {
  if (values.length === 0 || s.len === 0) return s;
  const items = s.items.slice(0, s.len);
  const positions = new Map<unknown, number[]>();
  items.forEach((v, i) => {
    if (!isJsonObject(v) || !hasKey(v, key)) return;
    const at = positions.get(v[key]);
    if (at) at.push(i);
    else positions.set(v[key], [i]);
  });
  const deleted = new Array<boolean>(items.length).fill(false);
  const freedSlot = new Map<number, unknown>();
  let len = items.length;
  let last = items.length - 1;
  for (const value of values) {
    for (const i of positions.get(value) ?? []) {
      if (deleted[i]) continue;
      freedSlot.set(len - 1, items[last]);
      deleted[i] = true;
      len--;
      while (last >= 0 && deleted[last]) last--;
    }
  }
  let w = 0;
  items.forEach((v, i) => {
    if (!deleted[i]) s.items[w++] = v;
  });
  for (const [slot, v] of freedSlot) s.items[slot] = v;
  return { items: s.items, len, cap: s.cap };
}

/** Append an item to a merged list (the live list's backing array while it has room). */
export function appendItem(s: GoSlice, v: unknown): GoSlice {
  return goAppend(s, v);
}

/** deleteFromSlice: the `$deleteFromPrimitiveList` of a list of scalars. */
export function deleteFromSlice(current: unknown[], toDelete: unknown[]): unknown[] {
  const gone = new Set(toDelete);
  return current.filter((v) => !gone.has(v));
}

/**
 * deduplicateScalars: keep one of each scalar. (Upstream's quadratic loop also shuffles them,
 * but every caller re-sorts the result completely, so only which values remain matters.)
 */
export function deduplicateScalars(list: unknown[]): unknown[] {
  return [...new Set(list)];
}

// ---- partitions and order ------------------------------------------------------------------

/** partitionPrimitivesByPresentInList: [items present in `by`, the others]. */
export function partitionScalars(list: unknown[], by: unknown[]): [unknown[], unknown[]] {
  const present = new Set(by);
  const inBy: unknown[] = [];
  const others: unknown[] = [];
  for (const v of list) (present.has(v) ? inBy : others).push(v);
  return [inBy, others];
}

/** partitionMapsByPresentInList: [items whose merge key appears in `by`, the others]. */
export function partitionMaps(list: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const inBy: unknown[] = [];
  const others: unknown[] = [];
  const find = mapFinder(by, mergeKey);
  for (const v of list) {
    if (!isJsonObject(v)) throw errBadArgType(MAP_TYPE, v);
    if (!hasKey(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
    (find(v[mergeKey]) ? inBy : others).push(v);
  }
  return [inBy, others];
}

export function partition(list: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  return mergeKey === '' ? partitionScalars(list, by) : partitionMaps(list, by, mergeKey);
}

export function validateMergeKeyInLists(mergeKey: string, ...lists: unknown[][]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isJsonObject(item)) throw errBadArgType(MAP_TYPE, item);
      if (!hasKey(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    }
  }
}

/** extractToDeleteItems: [items to keep, items carrying `$patch: delete`]. */
export function extractToDeleteItems(list: unknown[]): [unknown[], unknown[]] {
  const keep: unknown[] = [];
  const toDelete: unknown[] = [];
  for (const v of list) {
    if (!isJsonObject(v)) throw errBadArgType(MAP_TYPE, v);
    (hasKey(v, DIRECTIVE_MARKER) && v[DIRECTIVE_MARKER] === DELETE_DIRECTIVE ? toDelete : keep).push(v);
  }
  return [keep, toDelete];
}

/** index(): an item's position in `list` (by merge key value for maps), or -1; indexed once. */
function positionsIn(list: unknown[], mergeKey: string, kind: ElementKind): (item: unknown) => number {
  const valueOf =
    kind === 'map'
      ? (x: unknown): unknown => (isJsonObject(x) && hasKey(x, mergeKey) ? (x[mergeKey] ?? null) : null)
      : (x: unknown): unknown => x;
  const first = new Map<unknown, number>();
  list.forEach((x, i) => {
    const v = valueOf(x);
    if (!first.has(v)) first.set(v, i);
  });
  return (item) => first.get(valueOf(item)) ?? -1;
}

/**
 * sort.SliceStable with upstream's comparator, which calls an item "less" whenever either of
 * the two is missing from the order. Up to 20 items Go runs a plain insertion sort, reproduced
 * exactly; longer lists get a stable sort, which agrees with Go whenever every item is found.
 */
function stableSortByPosition(list: unknown[], position: (item: unknown) => number): unknown[] {
  const decorated = list.map((item) => ({ item, at: position(item) }));
  const less = (a: { at: number }, b: { at: number }): boolean => (a.at >= 0 && b.at >= 0 ? a.at < b.at : true);
  if (decorated.length <= 20) {
    for (let i = 1; i < decorated.length; i++) {
      for (let j = i; j > 0 && less(decorated[j], decorated[j - 1]); j--) {
        const t = decorated[j];
        decorated[j] = decorated[j - 1];
        decorated[j - 1] = t;
      }
    }
  } else {
    decorated.sort((a, b) => (less(a, b) ? -1 : less(b, a) ? 1 : 0));
  }
  return decorated.map((d) => d.item);
}

/** normalizeSliceOrder: sort by position in `order`; `$patch: delete` items go last. */
function normalizeSliceOrder(toSort: unknown[], order: unknown[], mergeKey: string, kind: ElementKind): unknown[] {
  let sorted = toSort;
  let toDelete: unknown[] = [];
  if (kind === 'map') {
    validateMergeKeyInLists(mergeKey, sorted, order);
    [sorted, toDelete] = extractToDeleteItems(sorted);
  }
  return stableSortByPosition(sorted, positionsIn(order, mergeKey, kind)).concat(toDelete);
}

/**
 * mergeSortedSlice: interleave server-only items (`left`) into the patch's items (`right`),
 * keeping each side's order; a left item goes first only when both are found in the live
 * order and it comes earlier there. (So new items land before the remaining server items.)
 */
function mergeSortedSlice(left: unknown[], right: unknown[], serverOrder: unknown[], mergeKey: string, kind: ElementKind): unknown[] {
  const position = positionsIn(serverOrder, mergeKey, kind);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = position(left[i]);
      const ri = position(right[j]);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/**
 * normalizeElementOrder: patch items in `patchOrder`, server-only items in `serverOrder`,
 * then interleaved. The precedence is $setElementOrder > order in the patch > live order.
 */
export function normalizeElementOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: ElementKind,
): unknown[] {
  const patchSorted = normalizeSliceOrder(patchItems, patchOrder, mergeKey, kind);
  const serverSorted = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(serverSorted, patchSorted, serverOrder, mergeKey, kind);
}

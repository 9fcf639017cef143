// Strategic Merge Patch (application/strategic-merge-patch+json) as kube-apiserver applies it:
// k8s.io/apimachinery/pkg/util/strategicpatch StrategicMergeMapPatch, server-side options
// (parallel lists merged, nulls that match nothing ignored).
//
// - Maps merge recursively; null deletes a key; `$patch: replace` replaces the map, `$patch:
//   delete` empties it; `$retainKeys: [...]` drops the keys it does not list.
// - Lists whose schema says patchStrategy merge: lists of maps merge by the patchMergeKey
//   (items with `$patch: delete` remove matches, an item `$patch: replace` replaces the list),
//   lists of scalars are unioned; `$deleteFromPrimitiveList/<field>` removes scalars and
//   `$setElementOrder/<field>` orders the result. Other lists are replaced.
// - Where the schema says nothing (no node, kind 'unknown', or a field it does not know), the
//   subtree gets the same rules without metadata, which is JSON merge patch plus directives:
//   maps merge, lists are replaced, null deletes.
//
// The functions work on copies of the inputs, which they then change in place the way upstream
// changes its decoded maps; the inputs are never touched.
import { cloneJson, hasKey, isJsonObject, setKey, type JsonObject } from './json-value.js';
import { undecodable } from './patch-errors.js';
import {
  SLICE_TYPE,
  StrategicMergeError,
  errBadArgType,
  errBadPatchFormatForPrimitiveList,
  errBadPatchFormatForRetainKeys,
  errBadPatchFormatForSetElementOrderList,
  errBadPatchType,
  errNoMergeKey,
  errUnclassified,
  toApiError,
} from './strategic-errors.js';
import { goTypeName, goValue } from './go-format.js';
import {
  DELETE_DIRECTIVE,
  DIRECTIVE_MARKER,
  appendItem,
  deduplicateScalars,
  deleteFromSlice,
  deleteMatchingEntries,
  extractToDeleteItems,
  goSlice,
  goSliceItems,
  normalizeElementOrder,
  partition,
  sliceElementKind,
  type GoSlice,
} from './strategic-lists.js';

/** Describes one node of an object's schema, as far as patching needs it. */
export interface PatchSchema {
  kind: 'object' | 'map' | 'array' | 'primitive' | 'unknown';
  /** For kind 'object': the named property's schema. */
  field(name: string): PatchSchema | undefined;
  /** For 'map' (additionalProperties) and 'array' (items). */
  values(): PatchSchema | undefined;
  /** x-kubernetes-patch-strategy: 'merge' | 'replace' | 'retainKeys' | 'merge,retainKeys'. */
  patchStrategy?: string;
  /** x-kubernetes-patch-merge-key, e.g. 'name', 'containerPort', 'port', 'type', 'ip'. */
  patchMergeKey?: string;
  /** The type's name (e.g. 'Container'), used only in error messages. */
  name?: string;
}

const REPLACE_DIRECTIVE = 'replace';
const MERGE_DIRECTIVE = 'merge';
const RETAIN_KEYS_STRATEGY = 'retainKeys';
const RETAIN_KEYS_DIRECTIVE = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST_PREFIX = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER_PREFIX = '$setElementOrder';

export function applyStrategicMergePatch(original: unknown, patchBody: unknown, schema?: PatchSchema): unknown {
  // The apiserver decodes the body into a map: null decodes to no patch at all.
  if (patchBody === null || patchBody === undefined) return cloneJson(original);
  if (!isJsonObject(patchBody)) throw undecodable(patchBody, 'map[string]interface {}');
  const doc: JsonObject = isJsonObject(original) ? cloneJson(original) : {};
  try {
    return mergeMap(doc, cloneJson(patchBody), schema);
  } catch (err) {
    if (err instanceof StrategicMergeError) throw toApiError(err);
    throw err;
  }
}

// ---- schema metadata (LookupPatchMetadataForStruct / ForSlice) ----------------------------

interface FieldMeta {
  /** Schema of the value (for a map field) or of its items (for a list field). */
  sub: PatchSchema | undefined;
  strategy: string;
  mergeKey: string;
}

function fieldNode(schema: PatchSchema | undefined, key: string): PatchSchema | undefined {
  if (!schema) return undefined;
  if (schema.kind === 'object') return schema.field(key);
  if (schema.kind === 'map') return schema.values();
  return undefined;
}

/** extractRetainKeysPatchStrategy: the strategy besides retainKeys. */
function mainStrategy(patchStrategy: string | undefined): string {
  const strategies = patchStrategy ? patchStrategy.split(',') : [];
  switch (strategies.length) {
    case 0:
      return '';
    case 1:
      return strategies[0] === RETAIN_KEYS_STRATEGY ? '' : strategies[0];
    case 2:
      if (strategies[0] === RETAIN_KEYS_STRATEGY) return strategies[1];
      if (strategies[1] === RETAIN_KEYS_STRATEGY) return strategies[0];
      break;
  }
  throw errUnclassified(`unexpected patch strategy: ${goValue(strategies)}`);
}

function metaForMap(schema: PatchSchema | undefined, key: string): FieldMeta {
  const node = fieldNode(schema, key);
  return { sub: node, strategy: mainStrategy(node?.patchStrategy), mergeKey: node?.patchMergeKey ?? '' };
}

function metaForList(schema: PatchSchema | undefined, key: string): FieldMeta {
  const node = fieldNode(schema, key);
  const sub = node?.kind === 'array' ? node.values() : node;
  return { sub, strategy: mainStrategy(node?.patchStrategy), mergeKey: node?.patchMergeKey ?? '' };
}

// ---- maps -------------------------------------------------------------------------------

function mergeMap(original: JsonObject, patch: JsonObject, schema: PatchSchema | undefined): JsonObject {
  if (hasKey(patch, DIRECTIVE_MARKER)) return mapDirective(patch[DIRECTIVE_MARKER], patch);

  applyRetainKeysDirective(original, patch);
  applySetElementOrder(original, patch, schema);

  for (const patchKey of Object.keys(patch)) {
    const patchV = patch[patchKey];
    let k = patchKey;
    let isDeleteList = false;
    if (patchKey.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX)) {
      isDeleteList = true;
      const listKey = extractKey(patchKey, DELETE_FROM_PRIMITIVE_LIST_PREFIX);
      if (listKey !== '') k = listKey;
    }

    if (patchV === null) {
      delete original[k];
      continue;
    }

    if (!hasKey(original, k) || goTypeName(original[k]) !== goTypeName(patchV)) {
      // Absent here, or a different type: the patch value is taken, minus nulls and directives.
      if (!isDeleteList) takePatchValue(original, k, patchV);
      continue;
    }

    const current = original[k];
    if (isJsonObject(current)) {
      const meta = metaForMap(schema, k);
      const patchMap = patchV as JsonObject;
      setKey(original, k, meta.strategy === REPLACE_DIRECTIVE ? patchMap : mergeMap(current, patchMap, meta.sub));
    } else if (Array.isArray(current)) {
      const meta = metaForList(schema, k);
      setKey(original, k, mergeListField(current, patchV as unknown[], meta, isDeleteList));
    } else {
      takePatchValue(original, k, patchV);
    }
  }
  return original;
}

/** `$patch` on a map: replace keeps only the patch, delete empties the map. */
function mapDirective(directive: unknown, patch: JsonObject): JsonObject {
  if (directive === REPLACE_DIRECTIVE) {
    delete patch[DIRECTIVE_MARKER];
    return patch;
  }
  if (directive === DELETE_DIRECTIVE) return {};
  throw errBadPatchType(directive, patch);
}

function takePatchValue(original: JsonObject, key: string, patchV: unknown): void {
  discardNullValues(patchV);
  const [value, keep] = removeDirectives(patchV);
  if (keep) setKey(original, key, value);
  else delete original[key];
}

/** discardNullValuesFromPatch: null map entries go, at any depth (null list items stay). */
function discardNullValues(v: unknown): void {
  if (Array.isArray(v)) {
    for (const e of v) discardNullValues(e);
  } else if (isJsonObject(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null) delete v[k];
      else discardNullValues(v[k]);
    }
  }
}

/** removeDirectives: maps carrying `$patch` vanish (from maps and lists alike). */
function removeDirectives(v: unknown): [unknown, boolean] {
  if (isJsonObject(v)) {
    if (hasKey(v, DIRECTIVE_MARKER)) return [null, false];
    for (const k of Object.keys(v)) {
      const [nv, keep] = removeDirectives(v[k]);
      if (keep) setKey(v, k, nv);
      else delete v[k];
    }
    return [v, true];
  }
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const e of v) {
      const [nv, keep] = removeDirectives(e);
      if (keep) out.push(nv);
    }
    return [out, true];
  }
  return [v, true];
}

/** `$deleteFromPrimitiveList/<field>` and `$setElementOrder/<field>` name their field after a '/'. */
function extractKey(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    if (prefix === DELETE_FROM_PRIMITIVE_LIST_PREFIX) throw errBadPatchFormatForPrimitiveList();
    throw errBadPatchFormatForSetElementOrderList();
  }
  return key.slice(slash + 1);
}

/**
 * `$retainKeys`: every non-null key of the patch must be listed, and keys of the original
 * that are not listed are cleared.
 */
function applyRetainKeysDirective(original: JsonObject, patch: JsonObject): void {
  if (!hasKey(patch, RETAIN_KEYS_DIRECTIVE)) return;
  const retainKeys = patch[RETAIN_KEYS_DIRECTIVE];
  delete patch[RETAIN_KEYS_DIRECTIVE];
  if (!Array.isArray(retainKeys)) throw errBadPatchFormatForRetainKeys();
  const retained = new Set<unknown>(retainKeys);
  for (const k of Object.keys(patch)) {
    if (patch[k] === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX) || k.startsWith(SET_ELEMENT_ORDER_PREFIX)) continue;
    if (!retained.has(k)) throw errBadPatchFormatForRetainKeys();
  }
  for (const k of Object.keys(original)) if (!retained.has(k)) delete original[k];
}

// ---- lists ------------------------------------------------------------------------------

/** mergeSliceHandler: merge lists (and delete lists) merge, the rest are replaced. */
function mergeListField(original: unknown[], patch: unknown[], meta: FieldMeta, isDeleteList: boolean): unknown[] {
  if (meta.strategy === MERGE_DIRECTIVE || isDeleteList) {
    return mergeSlice(original, patch, meta.sub, meta.mergeKey, isDeleteList);
  }
  return patch;
}

/**
 * mergeSlice. For lists of maps, `original` is used as the live list's backing array and is
 * changed in place as upstream changes it (see GoSlice), which `$setElementOrder` then reads.
 */
function mergeSlice(
  original: unknown[],
  patch: unknown[],
  itemSchema: PatchSchema | undefined,
  mergeKey: string,
  isDeleteList: boolean,
): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementKind(original, patch);

  let merged: unknown[];
  let patchOrder: unknown[];
  let serverOrder: unknown[];
  if (kind !== 'map') {
    if (isDeleteList) return deleteFromSlice(original, patch);
    merged = deduplicateScalars(original.concat(patch));
    patchOrder = patch;
    serverOrder = original;
  } else {
    if (mergeKey === '') throw errUnclassified(`cannot merge lists without merge key for ${itemSchema?.name ?? ''}`);
    const special = mergeSliceWithSpecialElements(goSlice(original), patch, mergeKey);
    serverOrder = goSliceItems(special.original);
    patchOrder = special.patch;
    merged = mergeSliceWithoutSpecialElements(special.original, special.patch, mergeKey, itemSchema);
  }

  const [patchItems, serverOnly] = partition(merged, patchOrder, mergeKey);
  return normalizeElementOrder(patchItems, serverOnly, patchOrder, serverOrder, mergeKey, kind);
}

/** Items carrying `$patch`: delete removes matches, replace makes the rest of the patch the list. */
function mergeSliceWithSpecialElements(
  original: GoSlice,
  patch: unknown[],
  mergeKey: string,
): { original: GoSlice; patch: unknown[] } {
  const plain: unknown[] = [];
  const deleted: unknown[] = [];
  let replace = false;
  for (const v of patch) {
    const item = v as JsonObject;
    if (!hasKey(item, DIRECTIVE_MARKER)) {
      plain.push(v);
      continue;
    }
    const directive = item[DIRECTIVE_MARKER];
    if (directive === DELETE_DIRECTIVE) {
      if (!hasKey(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
      deleted.push(item[mergeKey]);
    } else if (directive === REPLACE_DIRECTIVE) {
      replace = true;
    } else if (directive === MERGE_DIRECTIVE) {
      throw errUnclassified('merging lists cannot yet be specified in the patch');
    } else {
      throw errBadPatchType(directive, item);
    }
  }
  // The deletions happen even when the list is then replaced: they still change the live list.
  const live = deleteMatchingEntries(original, mergeKey, deleted);
  if (replace) return { original: goSlice(plain), patch: [] };
  return { original: live, patch: plain };
}

/** Patch items merge into the live item with the same merge key value, or are appended. */
function mergeSliceWithoutSpecialElements(
  original: GoSlice,
  patch: unknown[],
  mergeKey: string,
  itemSchema: PatchSchema | undefined,
): unknown[] {
  let live = original;
  // Position of the first live item with each merge key value (the live items are all maps).
  const positions = new Map<unknown, number>();
  goSliceItems(live).forEach((v, i) => {
    const m = v as JsonObject;
    if (hasKey(m, mergeKey) && !positions.has(m[mergeKey])) positions.set(m[mergeKey], i);
  });
  for (const v of patch) {
    const item = v as JsonObject;
    if (!hasKey(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    const value = item[mergeKey];
    const at = positions.get(value);
    if (at !== undefined) {
      live.items[at] = mergeMap(live.items[at] as JsonObject, item, itemSchema);
    } else {
      positions.set(value, live.len);
      live = appendItem(live, v);
    }
  }
  return goSliceItems(live);
}

// ---- $setElementOrder -------------------------------------------------------------------

/**
 * mergePatchIntoOriginal: each `$setElementOrder/<field>` merges its field's patch list now
 * and orders the result: $setElementOrder first, then the live order for items it omits.
 */
function applySetElementOrder(original: JsonObject, patch: JsonObject, schema: PatchSchema | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER_PREFIX)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw errBadArgType(SLICE_TYPE, order);
    const field = extractKey(key, SET_ELEMENT_ORDER_PREFIX);

    const foundOriginal = hasKey(original, field);
    const foundPatch = hasKey(patch, field);
    const originalList = original[field];
    const patchList = patch[field];
    let originalItems: unknown[] = [];
    let patchItems: unknown[] = [];
    if (foundOriginal) {
      if (!Array.isArray(originalList)) throw errBadArgType(SLICE_TYPE, originalList);
      originalItems = originalList;
    }
    if (foundPatch) {
      if (!Array.isArray(patchList)) throw errBadArgType(SLICE_TYPE, patchList);
      patchItems = patchList;
    }
    const meta = metaForList(schema, field);
    validatePatchWithSetOrderList(patchItems, order, meta.mergeKey);

    let merged: unknown[];
    if (foundOriginal && !foundPatch) merged = originalItems;
    else if (!foundOriginal && foundPatch) merged = removeDirectives(patchItems)[0] as unknown[];
    else if (foundOriginal && foundPatch) merged = mergeListField(originalItems, patchItems, meta, false);
    else continue;

    const [ordered, serverOnly] = partition(merged, order, meta.mergeKey);
    // `originalItems` is read after the merge on purpose: upstream reads the live list there.
    const kind = sliceElementKind(originalItems, patchItems);
    setKey(original, field, normalizeElementOrder(ordered, serverOnly, order, originalItems, meta.mergeKey, kind));
    delete patch[field];
  }
}

/** The patch list's items must appear in the $setElementOrder list, in the same order. */
function validatePatchWithSetOrderList(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey !== '' ? extractToDeleteItems(patchList)[0] : patchList;
  let p = 0;
  let s = 0;
  while (p < items.length && s < order.length) {
    const item = items[p];
    if (isJsonObject(item) && hasKey(item, DIRECTIVE_MARKER)) {
      p++;
      continue;
    }
    if (mergeKeyValueEqual(item, order[s], mergeKey)) p++;
    s++;
  }
  if (p < items.length && s >= order.length) {
    throw errUnclassified(
      `The order in patch list:\n${goValue(patchList)}\n doesn't match ${SET_ELEMENT_ORDER_PREFIX} list:\n${goValue(order)}\n`,
    );
  }
}

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (mergeKey === '') return left === right;
  if (!isJsonObject(left)) throw errBadArgType('map[string]interface {}', left);
  if (!isJsonObject(right)) throw errBadArgType('map[string]interface {}', right);
  if (!hasKey(left, mergeKey)) throw errNoMergeKey(left, mergeKey);
  if (!hasKey(right, mergeKey)) throw errNoMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

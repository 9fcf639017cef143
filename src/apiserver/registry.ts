// The generic REST registry: get, list, create, update, patch, delete for every served kind,
// with upstream's object semantics (compare-and-swap on resourceVersion, status subresources,
// graceful pod deletion, finalizers and deletion propagation, namespace lifecycle). HTTP lives
// in handlers.ts; this file knows only objects.
import {
  ApiError,
  badRequest,
  conflict,
  forbidden,
  invalid,
  fieldErr,
  notFound,
  strictDecodingError,
} from '../api/errors.js';
import { matchesFields, type FieldRequirement } from '../api/fields.js';
import { matchesLabels, type Selector } from '../api/labels.js';
import { storeKey, storePrefix, type ResourceInfo } from '../api/resources.js';
import type { DeleteOptions, KubeObject, Namespace } from '../api/types.js';
import { kindOf } from '../kinds/catalog.js';
import type { DeleteContext } from '../kinds/kind.js';
import { NAMESPACES } from '../kinds/namespace/resource.js';
import type { Admission } from '../admission/index.js';
import type { Logger } from '../log.js';
import { isStoreError, type Store } from '../store/store.js';
import { isPlainObject } from './body.js';
import { createKeyedMutex } from './mutex.js';
import { generateName, nowRfc3339, prepareForCreate, prepareForUpdate, sameObject } from './object-meta.js';
import { applyPatch, type PatchContentType } from './patch/index.js';
import { findUnknownFields, patchSchemaFor } from './schema/index.js';
import { toApiError } from './store-errors.js';
import { checkObjectSize } from './request-limits.js';
import { RangeTakenError, type RangeReservations } from './range-reservations.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  dryRun?: boolean;
  fieldValidation?: FieldValidation;
  /** Fields the request's JSON body had twice (src/apiserver/duplicate-fields.ts): Strict refuses them, Warn warns. */
  duplicateFields?: string[];
}

export interface WriteResult {
  object: KubeObject;
  warnings: string[];
}

export interface ListResult {
  items: KubeObject[];
  revision: number;
}

const GC_FINALIZERS = { Foreground: 'foregroundDeletion', Orphan: 'orphan' } as const;

export interface Registry {
  get(info: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject>;
  list(info: ResourceInfo, namespace: string | undefined, labels: Selector, fields: FieldRequirement[]): Promise<ListResult>;
  create(info: ResourceInfo, namespace: string | undefined, body: unknown, opts: WriteOptions): Promise<WriteResult>;
  update(info: ResourceInfo, namespace: string | undefined, name: string, subresource: string, body: unknown, opts: WriteOptions): Promise<WriteResult>;
  patch(info: ResourceInfo, namespace: string | undefined, name: string, subresource: string, patch: unknown, type: PatchContentType, opts: WriteOptions): Promise<WriteResult>;
  delete(info: ResourceInfo, namespace: string | undefined, name: string, options: DeleteOptions, opts: WriteOptions): Promise<{ object: KubeObject; removed: boolean }>;
  /** Applies a change to an object with compare-and-swap retries (for subresources and internal writers). */
  mutate(info: ResourceInfo, namespace: string | undefined, name: string, subresource: string, change: (current: KubeObject) => KubeObject, opts?: WriteOptions): Promise<KubeObject>;
}

export interface RegistryDeps {
  store: Store;
  admission: Admission;
  logger: Logger;
  /** The shared ranges (ClusterIPs, NodePorts) writes reserve values in; none when absent. */
  reservations?: RangeReservations;
}

/**
 * Admissions of a create whose pick another API server reserved first, before giving up. Each such
 * loss means another write got its value (the cluster made progress), and each new admission sees
 * that value taken; a full range or a requested value already held ends it with admission's own
 * error. Upstream allocates inside the range's compare-and-swap loop, retried without a bound.
 */
const RESERVE_ATTEMPTS = 100;

const clone = <T>(v: T): T => structuredClone(v);

function revisionOf(obj: KubeObject): number {
  return Number(obj.metadata.resourceVersion ?? '0');
}

function expectedApiVersion(info: ResourceInfo): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

export function createRegistry(deps: RegistryDeps): Registry {
  const { store, admission, reservations } = deps;
  const mutex = createKeyedMutex();
  // A kind whose admission derives state from every stored object (Services allocate ClusterIPs
  // and NodePorts) has its writes serialized, so that state cannot change under an allocation.
  const serialized = <T>(info: ResourceInfo, fn: () => Promise<T>): Promise<T> =>
    kindOf(info).strategy.serializeWrites ? mutex.run(`${info.group}/${info.resource}`, fn) : fn();

  async function getOrThrow(info: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject> {
    let obj: KubeObject | undefined;
    try {
      obj = await store.get(storeKey(info, namespace, name));
    } catch (err) {
      throw toApiError(err, info, name);
    }
    if (!obj) throw notFound(info.resource, info.group, name);
    return obj;
  }

  function decodeObject(info: ResourceInfo, body: unknown, opts: WriteOptions): { obj: KubeObject; warnings: string[] } {
    if (!isPlainObject(body)) throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(body)}'`);
    const obj = body as KubeObject;
    const kind = typeof obj.kind === 'string' ? obj.kind : undefined;
    const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : undefined;
    if (kind !== undefined && kind !== info.kind) {
      throw badRequest(`${kind} in version "${apiVersion ?? ''}" cannot be handled as a ${info.kind}: the object provided is unrecognized or of a different kind (expected ${info.kind})`);
    }
    if (apiVersion !== undefined && apiVersion !== expectedApiVersion(info)) {
      throw badRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${expectedApiVersion(info)})`);
    }
    if (!isPlainObject(obj.metadata)) {
      if (obj.metadata !== undefined) throw badRequest(`${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: json: cannot unmarshal into Go struct field ${info.kind}.metadata of type v1.ObjectMeta`);
      obj.metadata = {};
    }
    const warnings: string[] = [];
    const mode = opts.fieldValidation ?? 'Warn';
    if (mode !== 'Ignore') {
      const unknown = findUnknownFields(expectedApiVersion(info), info.kind, obj);
      const duplicates = opts.duplicateFields ?? [];
      if (unknown.length > 0 || duplicates.length > 0) {
        if (mode === 'Strict') throw strictDecodingError(info.kind, info.group, unknown, duplicates);
        for (const f of duplicates) warnings.push(`duplicate field "${f}"`);
        for (const f of unknown) warnings.push(`unknown field "${f}"`);
      }
    }
    return { obj: clone(obj), warnings };
  }

  async function checkNamespace(info: ResourceInfo, namespace: string | undefined, name: string): Promise<void> {
    if (!info.namespaced) return;
    if (!namespace) throw badRequest('the server could not find the requested resource: a namespace is required');
    const ns = (await store.get(storeKey(NAMESPACES, undefined, namespace)).catch((err: unknown) => {
      throw toApiError(err, NAMESPACES, namespace);
    })) as Namespace | undefined;
    if (!ns) throw notFound('namespaces', '', namespace);
    if (ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') {
      throw forbidden(`${info.resource} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }

  /** Stores an update; removes the object instead once it is being deleted and has no finalizers left. */
  async function commitUpdate(info: ResourceInfo, key: string, next: KubeObject, current: KubeObject, opts: WriteOptions): Promise<KubeObject> {
    const name = current.metadata.name!;
    if (opts.dryRun) return { ...next, metadata: { ...next.metadata, resourceVersion: current.metadata.resourceVersion } };
    if (readyToRemove(info, next)) {
      let removed: KubeObject;
      try {
        removed = await store.delete(key, revisionOf(current));
      } catch (err) {
        throw toApiError(err, info, name);
      }
      await reservations?.release(info, current, undefined);
      return removed;
    }
    if (sameObject(next, current)) return current;
    checkObjectSize(next);
    const undo = await reserve(info, next, current);
    let updated: KubeObject;
    try {
      updated = await store.update(key, next, revisionOf(current));
    } catch (err) {
      await undo();
      throw toApiError(err, info, name);
    }
    await reservations?.release(info, current, updated);
    return updated;
  }

  /**
   * Reserves the shared-range values `next` newly holds. Another API server holding one now is a
   * Conflict: the write is tried again from a fresh read (a patch does so by itself), and its
   * admission then sees the value taken.
   */
  async function reserve(info: ResourceInfo, next: KubeObject, current: KubeObject | undefined): Promise<() => Promise<void>> {
    if (!reservations) return async () => undefined;
    try {
      return await reservations.reserve(info, next, current);
    } catch (err) {
      if (err instanceof RangeTakenError) {
        throw conflict(info.resource, info.group, next.metadata.name ?? '', `${err.message}; please apply your changes to the latest version and try again`);
      }
      throw toApiError(err, info, next.metadata.name ?? '');
    }
  }

  /** Being deleted, no finalizers left, and the kind lets it go (a pod waits for its kubelet). */
  function readyToRemove(info: ResourceInfo, obj: KubeObject): boolean {
    if (!obj.metadata.deletionTimestamp) return false;
    if ((obj.metadata.finalizers ?? []).length > 0) return false;
    return kindOf(info).strategy.readyToRemove?.(obj) ?? true;
  }

  async function admitUpdate(info: ResourceInfo, subresource: string, next: KubeObject, current: KubeObject): Promise<KubeObject> {
    return admission.admit({ info, operation: 'UPDATE', subresource, object: next, oldObject: current });
  }

  const deleteContext: DeleteContext = {
    getObject: (info, namespace, name) => store.get(storeKey(info, namespace, name)),
    now: nowRfc3339,
  };

  const registry: Registry = {
    get: getOrThrow,

    async list(info, namespace, labels, fields) {
      let result;
      try {
        result = await store.list(storePrefix(info, namespace));
      } catch (err) {
        throw toApiError(err, info, '');
      }
      const items = result.items.filter((o) => matchesLabels(labels, o.metadata.labels) && matchesFields(kindOf(info).fieldSelectors, fields, o));
      return { items, revision: result.revision };
    },

    async create(info, namespace, body, opts) {
      const { obj, warnings } = decodeObject(info, body, opts);
      const m = obj.metadata;
      if (info.namespaced) {
        if (m.namespace !== undefined && m.namespace !== '' && namespace !== undefined && m.namespace !== namespace) {
          throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
        }
        m.namespace = namespace ?? m.namespace ?? 'default';
      }
      if (m.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
      if (!m.name) {
        if (m.generateName) m.name = generateName(m.generateName);
        else throw invalid(info.kind, info.group, '', [fieldErr.required('metadata.name', 'name or generateName is required')]);
      }
      return serialized(info, async () => {
        await checkNamespace(info, m.namespace, m.name!);
        for (let attempt = 1; ; attempt++) {
          const prepared = prepareForCreate(info, clone(obj));
          const admitted = await admission.admit({ info, operation: 'CREATE', subresource: '', object: prepared });
          if (opts.dryRun) return { object: admitted, warnings };
          checkObjectSize(admitted);
          let undo: () => Promise<void>;
          try {
            undo = await reserve(info, admitted, undefined);
          } catch (err) {
            // Another API server reserved the value admission picked a moment ago: admit again,
            // which sees it taken (a value the client asked for is then refused as upstream does).
            if (err instanceof ApiError && err.reason === 'Conflict' && attempt < RESERVE_ATTEMPTS) continue;
            throw err;
          }
          try {
            const created = await store.create(storeKey(info, admitted.metadata.namespace, admitted.metadata.name!), admitted);
            return { object: created, warnings };
          } catch (err) {
            await undo();
            throw toApiError(err, info, admitted.metadata.name!);
          }
        }
      });
    },

    async update(info, namespace, name, subresource, body, opts) {
      const { obj, warnings } = decodeObject(info, body, opts);
      if (obj.metadata.name !== undefined && obj.metadata.name !== name) {
        throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
      }
      if (info.namespaced && obj.metadata.namespace && obj.metadata.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      return serialized(info, async () => {
        const current = await getOrThrow(info, namespace, name);
        const wanted = obj.metadata.resourceVersion;
        if (wanted && wanted !== current.metadata.resourceVersion) throw conflict(info.resource, info.group, name);
        const next = prepareForUpdate(info, subresource, obj, current);
        const admitted = await admitUpdate(info, subresource, next, current);
        const object = await commitUpdate(info, storeKey(info, namespace, name), admitted, current, opts);
        return { object, warnings };
      });
    },

    async patch(info, namespace, name, subresource, patchBody, type, opts) {
      const schema = patchSchemaFor(expectedApiVersion(info), info.kind);
      for (let attempt = 0; ; attempt++) {
        try {
          return await serialized(info, async () => {
            const current = await getOrThrow(info, namespace, name);
            const patched = applyPatch(clone(current), patchBody, type, schema) as KubeObject;
            if (!isPlainObject(patched)) throw badRequest('the patch produced something that is not an object');
            const { obj, warnings } = decodeObject(info, patched, opts);
            if (obj.metadata.name !== name) {
              throw invalid(info.kind, info.group, name, [fieldErr.invalid('metadata.name', obj.metadata.name, 'field is immutable')]);
            }
            const wanted = obj.metadata.resourceVersion;
            if (wanted && wanted !== current.metadata.resourceVersion) throw conflict(info.resource, info.group, name);
            const next = prepareForUpdate(info, subresource, obj, current);
            const admitted = await admitUpdate(info, subresource, next, current);
            const object = await commitUpdate(info, storeKey(info, namespace, name), admitted, current, opts);
            return { object, warnings };
          });
        } catch (err) {
          // A patch carries no resourceVersion of its own: a lost compare-and-swap race is
          // retried against the new object, as the upstream patcher does.
          const isRace = err instanceof ApiError && err.reason === 'Conflict' && !hasResourceVersion(patchBody);
          if (!isRace || attempt >= 5) throw err;
        }
      }
    },

    async delete(info, namespace, name, options, opts) {
      // Without preconditions a lost compare-and-swap race (a controller wrote the object
      // between our read and our write) is retried on the new object, as upstream does.
      for (let attempt = 0; ; attempt++) {
        try {
          return await deleteOnce(info, namespace, name, options, opts);
        } catch (err) {
          const retry = err instanceof ApiError && err.reason === 'Conflict' && !options.preconditions && attempt < 5;
          if (!retry) throw err;
        }
      }
    },

    async mutate(info, namespace, name, subresource, change, opts = {}) {
      for (let attempt = 0; ; attempt++) {
        try {
          return await serialized(info, async () => {
            const current = await getOrThrow(info, namespace, name);
            const changed = change(clone(current));
            const next = prepareForUpdate(info, subresource === 'status' ? 'status' : '', changed, current);
            if (subresource !== 'status' && subresource !== '') {
              // binding/scale/finalize change the main object; keep their status change too.
              next.status = changed.status;
            }
            const admitted = await admitUpdate(info, subresource, next, current);
            return commitUpdate(info, storeKey(info, namespace, name), admitted, current, opts);
          });
        } catch (err) {
          if (!(err instanceof ApiError && err.reason === 'Conflict') || attempt >= 5) throw err;
        }
      }
    },
  };

  async function deleteOnce(
    info: ResourceInfo,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions,
    opts: WriteOptions,
  ): Promise<{ object: KubeObject; removed: boolean }> {
    return serialized(info, async () => {
      const key = storeKey(info, namespace, name);
      const current = await getOrThrow(info, namespace, name);
      const pre = options.preconditions;
      if (pre?.uid && pre.uid !== current.metadata.uid) {
        throw conflict(info.resource, info.group, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
        throw conflict(info.resource, info.group, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
      }
      const next = clone(current);
      const m = next.metadata;
      const finalizers = new Set(m.finalizers ?? []);
      const { strategy } = kindOf(info);
      const policy = options.propagationPolicy ?? strategy.defaultPropagation;
      if (policy === 'Foreground') finalizers.add(GC_FINALIZERS.Foreground);
      if (policy === 'Orphan') finalizers.add(GC_FINALIZERS.Orphan);
      await strategy.prepareDelete?.(next, options, deleteContext);
      if (finalizers.size > 0 && !m.deletionTimestamp) {
        m.deletionTimestamp = nowRfc3339();
        m.deletionGracePeriodSeconds = 0;
      }
      if (finalizers.size > 0) m.finalizers = [...finalizers];
      if (opts.dryRun) return { object: next, removed: false };

      const removeNow = finalizers.size === 0 && (strategy.readyToRemove?.(next) ?? true);
      try {
        if (removeNow) {
          const removed = await store.delete(key, revisionOf(current));
          await reservations?.release(info, current, undefined);
          return { object: removed, removed: true };
        }
        if (sameObject(next, current)) return { object: current, removed: false };
        checkObjectSize(next);
        const updated = await store.update(key, next, revisionOf(current));
        return { object: updated, removed: false };
      } catch (err) {
        if (isStoreError(err, 'Conflict')) throw conflict(info.resource, info.group, name);
        throw toApiError(err, info, name);
      }
    });
  }

  return registry;
}

function hasResourceVersion(patch: unknown): boolean {
  if (!isPlainObject(patch)) return false;
  const meta = patch.metadata;
  return isPlainObject(meta) && typeof meta.resourceVersion === 'string' && meta.resourceVersion !== '';
}

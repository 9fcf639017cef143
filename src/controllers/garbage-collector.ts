// The garbage collector: ownerReferences with background, foreground and orphan propagation.
// - A dependent whose owners are all gone is deleted (background).
// - An owner being deleted with the `foregroundDeletion` finalizer has its dependents deleted
//   first; the finalizer is removed once none is left.
// - An owner being deleted with the `orphan` finalizer has its ownerReference removed from its
//   dependents, then the finalizer is removed.
import { objectKey, resourcePath } from '../api/paths.js';
import type { ResourceInfo } from '../api/resources.js';
import { findResourceByKind } from '../kinds/catalog.js';
import { KINDS } from '../kinds/index.js';
import type { KubeObject, OwnerReference } from '../api/types.js';
import { createWorkQueue } from '../client/workqueue.js';
import type { Informer } from '../client/informer.js';
import type { Controller, ControllerContext } from './types.js';

/** Every kind whose objects may have owners (upstream's GC watches every deletable resource). */
const TRACKED = KINDS.filter((k) => k.garbageCollected !== false).map((k) => k.resource);

const FOREGROUND = 'foregroundDeletion';
const ORPHAN = 'orphan';

interface Tracked {
  info: ResourceInfo;
  informer: Informer<KubeObject>;
}

export function startGarbageCollector(ctx: ControllerContext): Controller {
  const { client, logger } = ctx;
  const tracked: Tracked[] = TRACKED.map((info) => ({ info, informer: ctx.informers.forResource<KubeObject>(info) }));
  const byKind = new Map(tracked.map((t) => [t.info.kind, t]));

  const dependentsOf = (owner: KubeObject): Array<{ t: Tracked; obj: KubeObject }> => {
    const out: Array<{ t: Tracked; obj: KubeObject }> = [];
    for (const t of tracked) {
      for (const obj of t.informer.list()) {
        if (obj.metadata.namespace !== owner.metadata.namespace && owner.metadata.namespace) continue;
        if (obj.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid)) out.push({ t, obj });
      }
    }
    return out;
  };

  /**
   * Does this owner still exist? The cache answers yes cheaply; a no is confirmed with a live
   * lookup, since the cache may lag a just-created owner (as upstream's GC does).
   */
  async function ownerExists(ns: string | undefined, ref: OwnerReference): Promise<boolean> {
    const info = findResourceByKind(ref.apiVersion, ref.kind);
    if (!info) return true; // an owner kind we do not serve: never collect on its account
    const cached = byKind.get(ref.kind)?.informer.get(info.namespaced && ns ? `${ns}/${ref.name}` : ref.name);
    if (cached?.metadata.uid === ref.uid) return true;
    try {
      const owner = await client.get<KubeObject>(resourcePath(info, info.namespaced ? ns : undefined, ref.name));
      return owner.metadata.uid === ref.uid;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return false;
      throw err;
    }
  }

  async function removeFinalizer(t: Tracked, obj: KubeObject, finalizer: string): Promise<void> {
    const finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    await client.patch(resourcePath(t.info, obj.metadata.namespace, obj.metadata.name), {
      metadata: { finalizers: finalizers.length ? finalizers : null, resourceVersion: obj.metadata.resourceVersion },
    });
  }

  const queue = createWorkQueue(
    'garbage-collector',
    async (item) => {
      const [kind, key] = [item.slice(0, item.indexOf('|')), item.slice(item.indexOf('|') + 1)];
      const t = byKind.get(kind);
      const obj = t?.informer.get(key);
      if (!t || !obj) return;
      const ns = obj.metadata.namespace;

      // As an owner being deleted.
      if (obj.metadata.deletionTimestamp) {
        const finalizers = obj.metadata.finalizers ?? [];
        if (finalizers.includes(ORPHAN)) {
          for (const d of dependentsOf(obj)) {
            const refs = (d.obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== obj.metadata.uid);
            await client.patch(resourcePath(d.t.info, d.obj.metadata.namespace, d.obj.metadata.name), {
              metadata: { ownerReferences: refs.length ? refs : null },
            });
            logger.info({ namespace: d.obj.metadata.namespace, name: d.obj.metadata.name, owner: objectKey(obj.metadata) }, 'orphaned dependent');
          }
          await removeFinalizer(t, obj, ORPHAN);
          return;
        }
        if (finalizers.includes(FOREGROUND)) {
          const deps = dependentsOf(obj);
          for (const d of deps) {
            if (d.obj.metadata.deletionTimestamp) continue;
            await client
              .delete(resourcePath(d.t.info, d.obj.metadata.namespace, d.obj.metadata.name), { propagationPolicy: 'Foreground' })
              .catch((err: { code?: number }) => {
                if (err.code !== 404) throw err;
              });
          }
          if (deps.length > 0) {
            queue.addAfter(item, 250);
            return;
          }
          await removeFinalizer(t, obj, FOREGROUND);
          return;
        }
      }

      // As a dependent: collect it once every owner is gone.
      const refs = obj.metadata.ownerReferences ?? [];
      if (refs.length === 0 || obj.metadata.deletionTimestamp) return;
      for (const ref of refs) if (await ownerExists(ns, ref)) return;
      logger.info({ namespace: ns, name: obj.metadata.name, kind }, 'deleting dependent whose owners are gone');
      await client
        .delete(resourcePath(t.info, ns, obj.metadata.name), { propagationPolicy: 'Background' })
        .catch((err: { code?: number }) => {
          if (err.code !== 404) throw err;
        });
    },
    { logger },
  );

  const enqueue = (t: Tracked, obj: KubeObject): void => queue.add(`${t.info.kind}|${objectKey(obj.metadata)}`);
  for (const t of tracked) {
    t.informer.addHandlers({
      add: (o) => enqueue(t, o),
      update: (_old, o) => enqueue(t, o),
      delete: (owner) => {
        // Its dependents may now be orphans.
        for (const d of dependentsOf(owner)) enqueue(d.t, d.obj);
      },
    });
  }
  return { name: 'garbage-collector', stop: () => queue.stop() };
}

// The namespace controller: a namespace being deleted is emptied of everything in it, then
// finalized (spec.finalizers cleared), at which point the API server removes it.
import { resourcePath } from '../api/paths.js';
import { RESOURCES } from '../kinds/catalog.js';
import type { Namespace } from '../api/types.js';
import { createWorkQueue } from '../client/workqueue.js';
import type { Controller, ControllerContext } from './types.js';
import { NAMESPACES } from '../kinds/namespace/resource.js';


export function startNamespaceController(ctx: ControllerContext): Controller {
  const { client, logger } = ctx;
  const informer = ctx.informers.forResource<Namespace>(NAMESPACES);
  const queue = createWorkQueue(
    'namespace',
    async (name) => {
      const ns = informer.get(name);
      if (!ns?.metadata.deletionTimestamp) return;
      let remaining = 0;
      for (const info of RESOURCES) {
        if (!info.namespaced || !info.verbs.includes('delete')) continue; // computed kinds (metrics) hold nothing
        const list = await client.list(resourcePath(info, name));
        for (const item of list.items) {
          remaining++;
          if (item.metadata.deletionTimestamp) continue;
          await client
            .delete(resourcePath(info, name, item.metadata.name), { propagationPolicy: 'Background' })
            .catch((err: { code?: number }) => {
              if (err.code !== 404) throw err;
            });
        }
      }
      if (remaining > 0) {
        logger.info({ namespace: name, remaining }, 'namespace still has content');
        queue.addAfter(name, 500);
        return;
      }
      await client.request('PUT', resourcePath(NAMESPACES, undefined, name, 'finalize'), {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name },
        spec: { finalizers: [] },
      });
      logger.info({ namespace: name }, 'namespace finalized');
    },
    { logger },
  );
  informer.addHandlers({
    add: (ns) => queue.add(ns.metadata.name!),
    update: (_o, ns) => queue.add(ns.metadata.name!),
  });
  return {
    name: 'namespace',
    stop: () => queue.stop(),
  };
}

// The service account controller (upstream's serviceaccounts-controller): every active namespace
// has a `default` ServiceAccount; one that is missing, because the namespace is new or someone
// deleted it, is created again. Namespaces being terminated are left alone.
import { resourcePath } from '../api/paths.js';
import type { ServiceAccount } from '../api/config.js';
import type { Namespace } from '../api/types.js';
import { createWorkQueue } from '../client/workqueue.js';
import { NAMESPACES } from '../kinds/namespace/resource.js';
import { SERVICE_ACCOUNTS } from '../kinds/serviceaccount/resource.js';
import type { Controller, ControllerContext } from './types.js';

/** The accounts every namespace gets (upstream's DefaultServiceAccountsControllerOptions). */
export const DEFAULT_SERVICE_ACCOUNTS = ['default'];

const code = (err: unknown): number | undefined => (err as { code?: number })?.code;

export function startServiceAccountsController(ctx: ControllerContext): Controller {
  const { client } = ctx;
  const log = ctx.logger.child({ controller: 'serviceaccount' });
  const namespaces = ctx.informers.forResource<Namespace>(NAMESPACES);
  const accounts = ctx.informers.forResource<ServiceAccount>(SERVICE_ACCOUNTS);

  const queue = createWorkQueue(
    'serviceaccount',
    async (ns) => {
      await Promise.all([namespaces.synced(), accounts.synced()]);
      const namespace = namespaces.get(ns);
      if (!namespace || namespace.metadata.deletionTimestamp || namespace.status?.phase === 'Terminating') return;
      for (const name of DEFAULT_SERVICE_ACCOUNTS) {
        if (accounts.get(`${ns}/${name}`)) continue;
        try {
          await client.create(resourcePath(SERVICE_ACCOUNTS, ns), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } });
          log.info({ namespace: ns, name }, 'created service account');
        } catch (err) {
          // 409: it exists already (the cache lags); 403: the namespace began terminating
          if (code(err) !== 409 && code(err) !== 403) throw err;
        }
      }
    },
    { logger: log },
  );

  namespaces.addHandlers({ add: (n) => queue.add(n.metadata.name ?? ''), update: (_o, n) => queue.add(n.metadata.name ?? '') });
  accounts.addHandlers({ delete: (sa) => queue.add(sa.metadata.namespace ?? '') });
  for (const n of namespaces.list()) queue.add(n.metadata.name ?? '');

  return {
    name: 'serviceaccount',
    stop() {
      queue.stop();
    },
  };
}

// The ingress controller's address in the status of every Ingress it serves
// (status.loadBalancer.ingress[].ip, through the status subresource), as ingress-nginx's status
// sync does; an Ingress it stops serving (another class) has its address taken back.
import type { Ingress } from '../api/networking.js';
import { resourcePath } from '../api/paths.js';
import type { ApiClient } from '../client/client.js';
import type { Logger } from '../log.js';
import { INGRESSES } from '../kinds/ingress/resource.js';

export async function syncIngressStatus(client: ApiClient, ing: Ingress, address: string | undefined, logger: Logger): Promise<void> {
  const want = address ? [{ ip: address }] : [];
  const have = ing.status?.loadBalancer?.ingress ?? [];
  if (have.length === want.length && have.every((h, i) => h.ip === want[i]?.ip && !h.hostname)) return;
  const path = resourcePath(INGRESSES, ing.metadata.namespace ?? 'default', ing.metadata.name ?? '', 'status');
  try {
    await client.patch(path, { status: { loadBalancer: { ingress: want.length ? want : null } } }, 'merge');
    logger.info({ namespace: ing.metadata.namespace, name: ing.metadata.name, address }, 'ingress status updated');
  } catch (err) {
    logger.warn({ namespace: ing.metadata.namespace, name: ing.metadata.name, err: (err as Error).message }, 'cannot update ingress status');
  }
}

// The load-balancer IP controller: the "plugin" that gives LoadBalancer Services an external IP,
// as MetalLB does on bare metal. It hands out addresses from the cluster's pool
// (cluster.json loadBalancerPool, default 127.200.0.0/24), honours a requested address
// (spec.loadBalancerIP, or MetalLB's `metallb.universe.tf/loadBalancerIPs` /
// `metallb.io/loadBalancerIPs` annotation), writes status.loadBalancer.ingress through the status
// subresource, leaves the Service `<pending>` with a Warning event when the pool is exhausted,
// and takes the address back when the Service is deleted or stops being a LoadBalancer.
// Services with a spec.loadBalancerClass belong to another implementation and are left alone.
import { objectKey, resourcePath } from '../api/paths.js';
import type { Service } from '../api/types.js';
import { cidrContains, cidrSize, nthAddress, parseCidr, parseIPv4, type Cidr } from '../cluster/cidr.js';
import { createWorkQueue } from '../client/workqueue.js';
import type { Controller, ControllerContext } from './types.js';
import { SERVICES } from '../kinds/service/resource.js';
import { ingressAddress } from '../ingress/address.js';


export const LB_IPS_ANNOTATIONS = ['metallb.universe.tf/loadBalancerIPs', 'metallb.io/loadBalancerIPs'] as const;
export const REASON_IP_ALLOCATED = 'IPAllocated';
export const REASON_ALLOCATION_FAILED = 'AllocationFailed';

/** The addresses of a pool in order; network and broadcast addresses are skipped for /30 and wider. */
export function poolAddresses(pool: Cidr): string[] {
  const size = cidrSize(pool);
  if (size <= 2) return Array.from({ length: size }, (_, i) => nthAddress(pool, i));
  return Array.from({ length: size - 2 }, (_, i) => nthAddress(pool, i + 1));
}

/** Is this Service one the controller serves: type LoadBalancer, no other loadBalancerClass, not being deleted. */
export function wantsPoolAddress(svc: Service): boolean {
  return svc.spec?.type === 'LoadBalancer' && !svc.spec.loadBalancerClass && !svc.metadata.deletionTimestamp;
}

/** The address a Service asks for, if any: spec.loadBalancerIP, else the first IPv4 of MetalLB's annotation. */
export function requestedAddress(svc: Service): string | undefined {
  if (svc.spec.loadBalancerIP) return svc.spec.loadBalancerIP;
  for (const a of LB_IPS_ANNOTATIONS) {
    const v = svc.metadata.annotations?.[a];
    if (!v) continue;
    const ip = v
      .split(',')
      .map((s) => s.trim())
      .find((s) => parseIPv4(s) !== null);
    if (ip) return ip;
  }
  return undefined;
}

function ingressIPs(svc: Service): string[] {
  return (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip);
}

export function startLoadBalancerController(ctx: ControllerContext): Controller {
  const { client, logger, events } = ctx;
  const informer = ctx.informers.forResource<Service>(SERVICES);
  const pool = parseCidr(ctx.config.loadBalancerPool);
  const addresses = pool ? poolAddresses(pool).filter((a) => a !== ingressAddress(ctx.config.loadBalancerPool)) : [];
  const inPool = (ip: string): boolean => {
    const n = parseIPv4(ip);
    return pool !== null && n !== null && cidrContains(pool, n) && addresses.includes(ip);
  };
  if (!pool) logger.error({ pool: ctx.config.loadBalancerPool }, 'loadBalancerPool is not a CIDR block; LoadBalancer services stay <pending>');

  // Who holds which address. This controller is the only writer of these addresses, and its queue
  // runs one key at a time, so this map is authoritative once seeded from the services' status.
  const byService = new Map<string, string>();
  const byAddress = new Map<string, string>();
  const lastFailure = new Map<string, string>();
  let seeded = false;

  const hold = (key: string, ip: string): void => {
    release(key);
    byService.set(key, ip);
    byAddress.set(ip, key);
  };
  function release(key: string): boolean {
    const ip = byService.get(key);
    if (ip === undefined) return false;
    byService.delete(key);
    if (byAddress.get(ip) === key) byAddress.delete(ip);
    return true;
  }

  /** After a restart: keep what services already have (oldest first wins a clash). */
  function seed(): void {
    const services = informer
      .list()
      .filter(wantsPoolAddress)
      .sort((a, b) => ((a.metadata.creationTimestamp ?? '') < (b.metadata.creationTimestamp ?? '') ? -1 : 1));
    for (const svc of services) {
      const ip = ingressIPs(svc).find((i) => inPool(i) && !byAddress.has(i));
      if (ip) hold(objectKey(svc.metadata), ip);
    }
    seeded = true;
  }

  const retryPending = (): void => {
    for (const svc of informer.list()) {
      const key = objectKey(svc.metadata);
      if (wantsPoolAddress(svc) && !byService.has(key)) queue.add(key);
    }
  };

  async function writeStatus(svc: Service, ip: string | null): Promise<void> {
    await client.patch(resourcePath(SERVICES, svc.metadata.namespace, svc.metadata.name, 'status'), {
      metadata: { resourceVersion: svc.metadata.resourceVersion },
      status: { loadBalancer: ip ? { ingress: [{ ip, ipMode: 'VIP' }] } : { ingress: null } },
    });
  }

  function fail(svc: Service, key: string, message: string): void {
    if (lastFailure.get(key) === message) return;
    lastFailure.set(key, message);
    logger.warn({ service: key, reason: message }, 'cannot allocate a load-balancer IP');
    events.warning(svc, REASON_ALLOCATION_FAILED, message);
  }

  const queue = createWorkQueue(
    'loadbalancer',
    async (key) => {
      if (!informer.hasSynced()) {
        queue.addAfter(key, 100);
        return;
      }
      if (!seeded) seed();
      const svc = informer.get(key);
      if (!svc || !wantsPoolAddress(svc)) {
        lastFailure.delete(key);
        const had = release(key);
        // A Service that stopped being a LoadBalancer keeps no address of ours in its status.
        if (svc && !svc.metadata.deletionTimestamp && svc.spec?.type !== 'LoadBalancer' && ingressIPs(svc).some(inPool)) {
          await writeStatus(svc, null);
        }
        if (had) {
          logger.info({ service: key }, 'released load-balancer IP');
          retryPending();
        }
        return;
      }

      const who = `Failed to allocate IP for "${key}"`;
      const requested = requestedAddress(svc);
      let ip: string | undefined;
      if (requested) {
        const owner = byAddress.get(requested);
        if (!inPool(requested)) {
          if (release(key)) retryPending();
          if (ingressIPs(svc).length) await writeStatus(svc, null);
          fail(svc, key, `${who}: ["${requested}"] is not allowed in config (the pool is ${ctx.config.loadBalancerPool})`);
          return;
        }
        if (owner && owner !== key) {
          if (release(key)) retryPending();
          if (ingressIPs(svc).length) await writeStatus(svc, null);
          fail(svc, key, `${who}: can't change sharing key for "${key}", address also in use by ${owner}`);
          return;
        }
        ip = requested;
      } else {
        ip = byService.get(key) ?? ingressIPs(svc).find((i) => inPool(i) && !byAddress.has(i)) ?? addresses.find((a) => !byAddress.has(a));
      }
      if (!ip) {
        if (ingressIPs(svc).length) await writeStatus(svc, null);
        fail(svc, key, `${who}: no available IPs`);
        return;
      }
      const previous = byService.get(key);
      hold(key, ip);
      if (previous && previous !== ip) retryPending();
      lastFailure.delete(key);
      const current = ingressIPs(svc);
      if (current.length === 1 && current[0] === ip) return;
      await writeStatus(svc, ip);
      logger.info({ service: key, ip }, 'assigned load-balancer IP');
      events.normal(svc, REASON_IP_ALLOCATED, `Assigned IP ["${ip}"]`);
    },
    { logger },
  );

  informer.addHandlers({
    add: (svc) => queue.add(objectKey(svc.metadata)),
    update: (_old, svc) => queue.add(objectKey(svc.metadata)),
    delete: (svc) => queue.add(objectKey(svc.metadata)),
  });
  return { name: 'loadbalancer', stop: () => queue.stop() };
}

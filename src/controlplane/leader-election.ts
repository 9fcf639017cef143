// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection package does
// it for kube-controller-manager and kube-scheduler (k8s.io/client-go/tools/leaderelection):
//
// - acquire: every retryPeriod (with jitter 1.2), get the Lease; create it if missing; take it
//   over if it has no holder or if the record has not changed for leaseDuration *as observed by
//   this candidate's own clock* (so clocks need not agree); the update is a compare-and-swap on
//   the Lease's resourceVersion, so of several candidates only one wins.
// - renew: every retryPeriod, update renewTime; if no renewal succeeds within renewDeadline,
//   leadership is lost (onStoppedLeading) before anyone else can take over, since
//   renewDeadline < leaseDuration.
// - release: a leader that stops on purpose writes an empty holder (leaseDurationSeconds 1), so
//   another candidate takes over at once instead of waiting out the lease.
//
// After losing (or releasing) leadership, the elector campaigns again: kube-controller-manager
// exits instead and lets its supervisor restart it; here the process also serves the API, so it
// only stops what the leader runs.
import { randomUUID } from 'node:crypto';
import { isApiError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import type { LeaderElectionConfig } from '../cluster/config.js';
import type { ApiClient } from '../client/client.js';
import type { Logger } from '../log.js';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

export interface LeaderElectionOptions {
  client: ApiClient;
  namespace: string;
  name: string;
  /** Unique per process, as upstream's `<hostname>_<uuid>`. */
  identity: string;
  timing: LeaderElectionConfig;
  logger: Logger;
  /** Runs what the leader runs; resolves once it is started. */
  onStartedLeading(): Promise<void> | void;
  /** Stops it; called when leadership is lost or released. */
  onStoppedLeading(): Promise<void> | void;
  /** Told of every new leader seen (this one included). */
  onNewLeader?(identity: string): void;
}

export interface LeaderElector {
  isLeader(): boolean;
  /** The holder last seen. */
  leader(): string;
  /** Stops campaigning; a leader stops leading and releases the Lease. */
  stop(): Promise<void>;
}

/** `control-plane-1_6f1c...`: the process name and a fresh UUID, as client-go's hostname_uuid. */
export function newIdentity(processName: string): string {
  return `${processName}_${randomUUID()}`;
}

/** metav1.MicroTime: RFC 3339 with microseconds, `2026-12-03T11:00:00.123456Z`. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

const JITTER = 1.2;

export function startLeaderElection(opts: LeaderElectionOptions): LeaderElector {
  const { client, logger, timing } = opts;
  const path = `/apis/coordination.k8s.io/v1/namespaces/${opts.namespace}/leases/${opts.name}`;
  const collection = `/apis/coordination.k8s.io/v1/namespaces/${opts.namespace}/leases`;
  const leaseMs = timing.leaseDurationSeconds * 1000;
  const renewDeadlineMs = timing.renewDeadlineSeconds * 1000;
  const retryMs = timing.retryPeriodSeconds * 1000;

  let observed: LeaseSpec = {};
  let observedRaw = '';
  let observedAt = 0;
  let leading = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  let lastLeader = '';

  const isLeader = () => observed.holderIdentity === opts.identity;

  function observe(spec: LeaseSpec, now: number): void {
    const raw = JSON.stringify(spec);
    if (raw !== observedRaw) {
      observed = spec;
      observedRaw = raw;
      observedAt = now;
    }
    const holder = spec.holderIdentity ?? '';
    if (holder && holder !== lastLeader) {
      lastLeader = holder;
      logger.info({ lease: `${opts.namespace}/${opts.name}`, leader: holder }, holder === opts.identity ? 'became leader' : 'new leader observed');
      opts.onNewLeader?.(holder);
    }
  }

  function record(now: Date, current?: LeaseSpec): LeaseSpec {
    const t = microTime(now);
    return {
      holderIdentity: opts.identity,
      leaseDurationSeconds: timing.leaseDurationSeconds,
      acquireTime: isLeader() && current?.acquireTime ? current.acquireTime : t,
      renewTime: t,
      leaseTransitions: current ? (isLeader() ? (current.leaseTransitions ?? 0) : (current.leaseTransitions ?? 0) + 1) : 0,
    };
  }

  /** client-go's tryAcquireOrRenew. */
  async function tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    let lease: Lease;
    try {
      lease = await client.get<Lease>(path);
    } catch (err) {
      if (!isApiError(err) || err.code !== 404) {
        logger.debug({ err: (err as Error).message }, 'cannot read the leader election Lease');
        return false;
      }
      const spec = record(now);
      try {
        await client.create(collection, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: opts.name, namespace: opts.namespace }, spec });
      } catch (e) {
        logger.debug({ err: (e as Error).message }, 'cannot create the leader election Lease');
        return false;
      }
      observe(spec, now.getTime());
      return true;
    }
    const current = lease.spec ?? {};
    observe(current, now.getTime());
    const valid = observedAt + leaseMs > now.getTime();
    if (current.holderIdentity && valid && !isLeader()) return false;
    const spec = record(now, current);
    try {
      await client.update<Lease>(path, { ...lease, spec });
    } catch (err) {
      logger.debug({ err: (err as Error).message }, 'cannot update the leader election Lease');
      return false;
    }
    observe(spec, now.getTime());
    return true;
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });

  async function acquire(): Promise<boolean> {
    while (!stopped) {
      if (await tryAcquireOrRenew()) return true;
      await sleep(retryMs * (1 + Math.random() * JITTER)); // wait.JitterUntil(retryPeriod, 1.2)
    }
    return false;
  }

  /** Renews until a renewal misses its deadline (or the elector is stopped). */
  async function renewLoop(): Promise<void> {
    while (!stopped) {
      await sleep(retryMs);
      if (stopped) return;
      const deadline = Date.now() + renewDeadlineMs;
      let renewed = false;
      while (!stopped && Date.now() < deadline) {
        if (await tryAcquireOrRenew()) {
          renewed = true;
          break;
        }
        await sleep(Math.min(retryMs, Math.max(0, deadline - Date.now())));
      }
      if (!renewed && !stopped) {
        logger.warn({ lease: `${opts.namespace}/${opts.name}`, renewDeadlineSeconds: timing.renewDeadlineSeconds }, 'failed to renew the lease in time: leadership lost');
        return;
      }
    }
  }

  async function release(): Promise<void> {
    if (!isLeader()) return;
    try {
      const lease = await client.get<Lease>(path);
      if (lease.spec?.holderIdentity !== opts.identity) return;
      const t = microTime(new Date());
      await client.update(path, { ...lease, spec: { leaseTransitions: lease.spec.leaseTransitions ?? 0, leaseDurationSeconds: 1, renewTime: t, acquireTime: t } });
      logger.info({ lease: `${opts.namespace}/${opts.name}` }, 'released the lease');
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'cannot release the lease; the next leader waits for it to expire');
    }
  }

  const running = (async () => {
    while (!stopped) {
      if (!(await acquire())) break;
      leading = true;
      try {
        await opts.onStartedLeading();
      } catch (err) {
        logger.error({ err }, 'starting what the leader runs failed');
      }
      await renewLoop();
      leading = false;
      await opts.onStoppedLeading();
      // A lost lease: campaign again (after a pause, so a store outage does not spin).
      if (!stopped) await sleep(retryMs);
    }
  })();

  return {
    isLeader: () => leading && isLeader(),
    leader: () => lastLeader,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      wake?.();
      await running;
      await release();
    },
  };
}

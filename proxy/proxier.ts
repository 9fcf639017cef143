// The proxier, shaped as kube-proxy's: informers on Services, EndpointSlices and Nodes feed one
// sync function that renders the whole desired state (buildSnapshot), hands it to the data plane
// (which swaps it into its listeners, or rules) and to the health-check servers, and prunes what
// is gone. Every informer event asks the bounded-frequency runner (sync-runner.ts) for a sync:
// with the instant preset events arriving together are coalesced into one and applied at once;
// with kube-proxy's minSyncPeriod / syncPeriod (and loopkube's syncDelay) they wait as on a real
// node (src/cluster/propagation.ts).
import { resourcePath } from '../src/api/paths.js';
import { findResource } from '../src/api/resources.js';
import type { EndpointSlice, Node, Service } from '../src/api/types.js';
import type { ClusterConfig } from '../src/cluster/config.js';
import type { ApiClient } from '../src/client/client.js';
import { createInformer, type Informer } from '../src/client/informer.js';
import type { Logger } from '../src/log.js';
import type { ProxyEvents } from './events.js';
import { chooseDataPlane, createDataPlane, DEFAULT_DATA_PLANE, type DataPlane, type DataPlaneName, type ServeFailure } from './data-plane/index.js';
import { createHealthCheckServers, type HealthCheckServers } from './health-check.js';
import { nodeInfo, type NodeInfo } from './nodes.js';
import type { MetricsSource, ProxyStatus } from './metrics.js';
import { buildSnapshot, type RoutingSnapshot } from './snapshot.js';
import { createStatsRegistry, type TrafficSnapshot } from './stats.js';
import { createSyncRunner } from './sync-runner.js';
import { BURST_SYNCS, propagationOf } from '../src/cluster/propagation.js';

/** How often addresses that could not be bound are tried again. */
export const BIND_RETRY_MS = 2000;
/** How often expired session-affinity pins are dropped. */
const AFFINITY_SWEEP_MS = 60_000;

export interface ProxierOptions {
  client: ApiClient;
  config: ClusterConfig;
  logger: Logger;
  events: ProxyEvents;
  /** Overrides the cluster's proxy.dataPlane. */
  dataPlane?: DataPlaneName;
}

export interface Proxier extends MetricsSource {
  /** Resolves once the first snapshot is applied. */
  synced(): Promise<void>;
  /** The snapshot in effect (null before the first sync). */
  current(): RoutingSnapshot | null;
  dataPlane(): DataPlane;
  healthChecks(): HealthCheckServers;
  stop(): Promise<void>;
}

function sameRouting(a: NodeInfo, b: NodeInfo): boolean {
  return a.ready === b.ready && a.ip === b.ip && a.podCIDRs.join(',') === b.podCIDRs.join(',');
}

export function startProxier(opts: ProxierOptions): Proxier {
  const { client, config, logger, events } = opts;
  const services = createInformer<Service>(client, { path: resourcePath(findResource('', 'v1', 'services')!), logger });
  const slices = createInformer<EndpointSlice>(client, {
    path: resourcePath(findResource('discovery.k8s.io', 'v1', 'endpointslices')!),
    logger,
  });
  const nodes = createInformer<Node>(client, { path: resourcePath(findResource('', 'v1', 'nodes')!), logger });
  const informers: Array<Informer<Service> | Informer<EndpointSlice> | Informer<Node>> = [services, slices, nodes];

  const stats = createStatsRegistry();
  const planeName = chooseDataPlane(opts.dataPlane ?? config.proxy.dataPlane ?? DEFAULT_DATA_PLANE, logger);
  const plane = createDataPlane(planeName, { mode: config.proxy.mode, stats, hooks: { onFailure: serveFailed } });
  let snapshot: RoutingSnapshot | null = null;
  let stopped = false;
  const timings = propagationOf(config);
  const runner = createSyncRunner(() => sync(), {
    minIntervalMs: timings.minSyncPeriodMs,
    maxIntervalMs: timings.syncPeriodMs,
    burstRuns: BURST_SYNCS,
    delayMs: timings.syncDelayMs,
  });
  let reportedConflicts = new Set<string>();
  const status: ProxyStatus = {
    dataPlane: planeName,
    synced: false,
    syncs: 0,
    lastSyncMs: 0,
    lastSyncDurationMs: 0,
    listening: 0,
    failedListeners: 0,
    healthCheckServers: 0,
    activeConnections: 0,
    backpressureWaits: 0,
  };
  let resolveSynced: () => void = () => {};
  const syncedPromise = new Promise<void>((r) => (resolveSynced = r));

  const healthChecks = createHealthCheckServers({
    proxyHealthy: () => status.synced && !stopped,
    onFailure: (f) => {
      logger.warn({ address: f.key, code: f.code, service: `${f.server.namespace}/${f.server.name}` }, 'cannot open health check port');
      events.healthCheckFailed({ namespace: f.server.namespace, name: f.server.name, uid: f.server.uid }, f.key, f.server.node, f.code);
      scheduleRetry();
    },
  });

  function serveFailed(f: ServeFailure): void {
    logger.warn({ address: f.key, code: f.code, service: f.service.key, kind: f.kind }, 'cannot open listener; retrying');
    events.listenerFailed(f.service, f.kind, f.key, f.node, f.code, f.syscall);
    scheduleRetry();
  }

  const scheduleSync = (): void => runner.run();
  const scheduleRetry = (): void => runner.retryAfter(BIND_RETRY_MS);

  function sync(): void {
    if (stopped || !informers.every((i) => i.hasSynced())) return;
    const started = performance.now();
    const next = buildSnapshot({
      services: services.list(),
      endpointSlices: slices.list(),
      nodes: nodes.list(),
      plannedNodes: config.nodes,
    });
    const before = new Set(plane.serving());
    void plane.apply(next);
    healthChecks.reconcile(next.healthChecks);
    snapshot = next;

    const liveFrontends = new Set<string>();
    for (const fe of next.frontends.values()) liveFrontends.add(fe.key);
    stats.prune(liveFrontends, next.endpointKeys);

    reportConflicts(next);
    if (plane.failed().size > 0 || healthChecks.failed().size > 0) scheduleRetry();

    const after = plane.serving();
    const opened = after.filter((k) => !before.has(k));
    const closed = [...before].filter((k) => !next.frontends.has(k));
    status.syncs++;
    status.lastSyncMs = Date.now();
    status.lastSyncDurationMs = performance.now() - started;
    status.listening = after.length;
    status.failedListeners = plane.failed().size;
    if (opened.length || closed.length || !status.synced) {
      logger.info(
        { listening: after.length, opened: opened.length, closed: closed.length, failed: status.failedListeners, ms: Number(status.lastSyncDurationMs.toFixed(2)) },
        'routing snapshot applied',
      );
    }
    logger.debug({ opened, closed }, 'listeners changed');
    if (!status.synced) {
      status.synced = true;
      resolveSynced();
    }
  }

  function reportConflicts(next: RoutingSnapshot): void {
    const now = new Set<string>();
    for (const c of next.conflicts) {
      const id = `${c.address}:${c.port}|${c.loser.key}`;
      now.add(id);
      if (reportedConflicts.has(id)) continue;
      logger.warn({ address: `${c.address}:${c.port}`, kept: c.winner.key, refused: c.loser.key }, 'two services claim one address');
      events.conflict(c);
    }
    reportedConflicts = now;
  }

  services.addHandlers({ add: scheduleSync, update: scheduleSync, delete: scheduleSync });
  slices.addHandlers({ add: scheduleSync, update: scheduleSync, delete: scheduleSync });
  // Nodes post a heartbeat every few seconds; only a change the routing sees (Ready, address,
  // pod CIDRs) is worth a sync.
  nodes.addHandlers({
    add: scheduleSync,
    update: (before, after) => {
      if (!sameRouting(nodeInfo(before), nodeInfo(after))) scheduleSync();
    },
    delete: scheduleSync,
  });
  // The first sync runs as soon as the caches are filled, outside the runner (as kube-proxy's).
  void Promise.all(informers.map((i) => i.synced())).then(() => {
    sync();
    runner.ran();
  });
  const sweeper = setInterval(() => plane.sweep(Date.now()), AFFINITY_SWEEP_MS);
  sweeper.unref();

  return {
    synced: () => syncedPromise,
    current: () => snapshot,
    dataPlane: () => plane,
    healthChecks: () => healthChecks,
    traffic: (): TrafficSnapshot => stats.snapshot(),
    status: () => ({
      ...status,
      healthCheckServers: healthChecks.listening().length,
      dataPlane: plane.name,
      activeConnections: plane.activeConnections(),
      backpressureWaits: plane.backpressureWaits(),
    }),
    async stop() {
      stopped = true;
      runner.stop();
      clearInterval(sweeper);
      for (const i of informers) i.stop();
      await Promise.all([plane.close(), healthChecks.close()]);
    },
  };
}

// The proxier, shaped as kube-proxy's: informers on Services, EndpointSlices and Nodes feed one
// sync function that renders the whole desired state (buildSnapshot), compiles it with the state
// that outlives snapshots (router), swaps it into the listeners and health-check servers, and
// prunes what is gone. Every informer event schedules a sync; events arriving together are
// coalesced into one (setImmediate), so a change in the API reaches the data plane in
// milliseconds, without a sync period.
import { resourcePath } from '../src/api/paths.js';
import type { EndpointSlice, Node, Pod, Service } from '../src/api/types.js';
import { trackPodAddresses } from '../src/cluster/pod-addresses.js';
import type { ClusterConfig } from '../src/cluster/config.js';
import type { ApiClient } from '../src/client/client.js';
import { createInformer, type Informer } from '../src/client/informer.js';
import type { Logger } from '../src/log.js';
import type { ProxyEvents } from './events.js';
import { activeConnectionCount, backpressureWaitCount } from './forward.js';
import { createHealthCheckServers, type HealthCheckServers } from './health-check.js';
import { buildListenerReport } from './listener-report.js';
import { createListenerSet, type ListenerSet } from './listeners.js';
import { nodeInfo, type NodeInfo } from './nodes.js';
import type { ListenersReport } from '../src/observe/listener-problems.js';
import type { MetricsSource, ProxyStatus } from './metrics.js';
import { createRouter } from './router.js';
import { buildSnapshot, type RoutingSnapshot } from './snapshot.js';
import { createStatsRegistry, type TrafficSnapshot } from './stats.js';
import { ENDPOINT_SLICES } from '../src/kinds/endpointslice/resource.js';
import { NODES } from '../src/kinds/node/resource.js';
import { PODS } from '../src/kinds/pod/resource.js';
import { SERVICES } from '../src/kinds/service/resource.js';

/** How often addresses that could not be bound are tried again. */
export const BIND_RETRY_MS = 2000;
/** How often expired session-affinity pins are dropped. */
const AFFINITY_SWEEP_MS = 60_000;

export interface ProxierOptions {
  client: ApiClient;
  config: ClusterConfig;
  logger: Logger;
  events: ProxyEvents;
  /** The first sync waits for this too (the listening sockets a restart takes back). */
  beforeFirstSync?: Promise<unknown>;
}

export interface Proxier extends MetricsSource {
  /** Resolves once the first snapshot is applied. */
  synced(): Promise<void>;
  /** Resolves once every informer has listed (before the first snapshot when it waits for beforeFirstSync). */
  informersSynced(): Promise<void>;
  /** The snapshot in effect (null before the first sync). */
  current(): RoutingSnapshot | null;
  listeners(): ListenerSet;
  healthChecks(): HealthCheckServers;
  stop(): Promise<void>;
}

function sameRouting(a: NodeInfo, b: NodeInfo): boolean {
  return a.ready === b.ready && a.ip === b.ip && a.podCIDRs.join(',') === b.podCIDRs.join(',');
}

export function startProxier(opts: ProxierOptions): Proxier {
  const { client, config, logger, events } = opts;
  const services = createInformer<Service>(client, { path: resourcePath(SERVICES), logger });
  const slices = createInformer<EndpointSlice>(client, {
    path: resourcePath(ENDPOINT_SLICES),
    logger,
  });
  const nodes = createInformer<Node>(client, { path: resourcePath(NODES), logger });
  // Pod IPs in use: the ClusterIP rule accepts a pod's source address only while a pod holds it.
  const pods = createInformer<Pod>(client, { path: resourcePath(PODS), logger });
  const podAddresses = trackPodAddresses(pods);
  const informers: Array<Informer<Service> | Informer<EndpointSlice> | Informer<Node> | Informer<Pod>> = [services, slices, nodes, pods];

  const stats = createStatsRegistry();
  const router = createRouter(config.proxy.mode, stats);
  const listeners = createListenerSet();
  let snapshot: RoutingSnapshot | null = null;
  let stopped = false;
  let scheduled = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let reportedConflicts = new Set<string>();
  const status: ProxyStatus = {
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

  function scheduleSync(): void {
    if (scheduled || stopped) return;
    scheduled = true;
    setImmediate(sync);
  }

  function scheduleRetry(): void {
    if (retryTimer || stopped) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      scheduleSync();
    }, BIND_RETRY_MS);
    retryTimer.unref();
  }

  function sync(): void {
    scheduled = false;
    if (stopped || !heldSocketsIn || !informers.every((i) => i.hasSynced())) return;
    const started = performance.now();
    const next = buildSnapshot({
      services: services.list(),
      endpointSlices: slices.list(),
      nodes: nodes.list(),
      plannedNodes: config.nodes,
      podAddresses,
    });
    const compiled = router.compile(next);
    const before = new Set(listeners.listening());
    const failures = listeners.reconcile(compiled);
    healthChecks.reconcile(next.healthChecks);
    snapshot = next;

    const liveFrontends = new Set<string>();
    for (const fe of next.frontends.values()) liveFrontends.add(fe.key);
    stats.prune(liveFrontends, next.endpointKeys);

    for (const f of failures) {
      const fe = f.frontend.frontend;
      logger.warn({ address: f.key, code: f.code, service: fe.service.key, kind: fe.kind }, 'cannot open listener; retrying');
      events.listenerFailed(fe.service, fe.kind, f.key, fe.node, f.code, f.syscall);
    }
    reportConflicts(next);
    if (listeners.failed().size > 0 || healthChecks.failed().size > 0) scheduleRetry();

    const after = listeners.listening();
    const opened = after.filter((k) => !before.has(k));
    const closed = [...before].filter((k) => !compiled.has(k));
    status.syncs++;
    status.lastSyncMs = Date.now();
    status.lastSyncDurationMs = performance.now() - started;
    status.listening = after.length;
    status.failedListeners = listeners.failed().size;
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
  let heldSocketsIn = !opts.beforeFirstSync;
  void opts.beforeFirstSync?.then(() => {
    heldSocketsIn = true;
    scheduleSync();
  });
  void Promise.all(informers.map((i) => i.synced())).then(scheduleSync);
  const sweeper = setInterval(() => router.sweep(Date.now()), AFFINITY_SWEEP_MS);
  sweeper.unref();

  return {
    synced: () => syncedPromise,
    informersSynced: () => Promise.all(informers.map((i) => i.synced())).then(() => undefined),
    current: () => snapshot,
    listeners: () => listeners,
    healthChecks: () => healthChecks,
    traffic: (): TrafficSnapshot => stats.snapshot(),
    listenerReport: (): ListenersReport => buildListenerReport(listeners, healthChecks),
    status: () => ({
      ...status,
      healthCheckServers: healthChecks.listening().length,
      activeConnections: activeConnectionCount(),
      backpressureWaits: backpressureWaitCount(),
    }),
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      clearInterval(sweeper);
      for (const i of informers) i.stop();
      listeners.closeAll();
      await healthChecks.close();
    },
  };
}

// The proxier, shaped as kube-proxy's: informers on Services, EndpointSlices and Nodes feed change
// trackers (the snapshot builder marks the services each event touches); one sync function
// renders the desired state anew for those (snapshot-builder.ts), hands the new immutable
// snapshot to the data plane (which swaps it into its listeners, or rules) and to the
// health-check servers, and prunes what is gone. Every informer event asks the bounded-frequency runner (sync-runner.ts) for a sync:
// with the instant preset events arriving together are coalesced into one and applied at once;
// with kube-proxy's minSyncPeriod / syncPeriod (and loopkube's syncDelay) they wait as on a real
// node (src/cluster/propagation.ts).
import { resourcePath } from '../src/api/paths.js';
import type { EndpointSlice, Node, Pod, Service } from '../src/api/types.js';
import { trackPodAddresses } from '../src/cluster/pod-addresses.js';
import type { ClusterConfig } from '../src/cluster/config.js';
import type { ApiClient } from '../src/client/client.js';
import { createInformer, type Informer } from '../src/client/informer.js';
import type { Logger } from '../src/log.js';
import type { ProxyEvents } from './events.js';
import { chooseDataPlane, createDataPlane, DEFAULT_DATA_PLANE, type DataPlane, type DataPlaneName, type ServeFailure } from './data-plane/index.js';
import { createHealthCheckServers, type HealthCheckServers } from './health-check.js';
import { buildListenerReport } from './listener-report.js';
import { nodeInfo, type NodeInfo } from './nodes.js';
import type { ListenersReport } from '../src/observe/listener-problems.js';
import type { MetricsSource, ProxyStatus } from './metrics.js';
import type { RoutingSnapshot } from './snapshot.js';
import { createSnapshotBuilder } from './snapshot-builder.js';
import { createStatsRegistry, type TrafficSnapshot } from './stats.js';
import { createSyncRunner } from './sync-runner.js';
import { BURST_SYNCS, propagationOf } from '../src/cluster/propagation.js';
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
  /** Overrides the cluster's proxy.dataPlane. */
  dataPlane?: DataPlaneName;
}

export interface Proxier extends MetricsSource {
  /** Resolves once the first snapshot is applied. */
  synced(): Promise<void>;
  /** Resolves once every informer has listed (before the first snapshot when it waits for beforeFirstSync). */
  informersSynced(): Promise<void>;
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
  const planeName = chooseDataPlane(opts.dataPlane ?? config.proxy.dataPlane ?? DEFAULT_DATA_PLANE, logger);
  const plane = createDataPlane(planeName, { mode: config.proxy.mode, stats, hooks: { onFailure: serveFailed }, logger, cluster: config });
  let snapshot: RoutingSnapshot | null = null;
  let stopped = false;
  const builder = createSnapshotBuilder(config.nodes, podAddresses);
  let lastFullSync = 0;
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
    if (stopped || !heldSocketsIn || !informers.every((i) => i.hasSynced())) return;
    const started = performance.now();
    // A full resync now and then (syncPeriod), as kube-proxy's periodic sync: the data plane
    // reconciles every listener (or rule) against the snapshot, not only the changed ones.
    if (started - lastFullSync >= timings.syncPeriodMs) {
      builder.resyncAll();
      lastFullSync = started;
    }
    const prev = snapshot;
    const next = builder.build();
    void plane.apply(next);
    healthChecks.reconcile(next.healthChecks);
    snapshot = next;
    stats.prune(next);
    reportConflicts(next);
    if (plane.failed().size > 0 || healthChecks.failed().size > 0) scheduleRetry();

    let added = 0;
    let removed = 0;
    for (const at of next.changes.addresses ?? new Set([...next.frontends.keys(), ...(prev?.frontends.keys() ?? [])])) {
      const was = prev?.frontends.has(at) ?? false;
      const is = next.frontends.has(at);
      if (is && !was) added++;
      else if (was && !is) removed++;
    }
    status.syncs++;
    status.lastSyncMs = Date.now();
    status.lastSyncDurationMs = performance.now() - started;
    status.listening = plane.servingCount();
    status.failedListeners = plane.failed().size;
    if (added || removed || !status.synced) {
      logger.info(
        {
          frontends: next.frontends.size,
          added,
          removed,
          listening: status.listening,
          failed: status.failedListeners,
          full: next.changes.addresses === null,
          ms: Number(status.lastSyncDurationMs.toFixed(2)),
        },
        'routing snapshot applied',
      );
    }
    if (prev && logger.isLevelEnabled('debug')) logEndpointChanges(next);
    if (!status.synced) {
      status.synced = true;
      resolveSynced();
    }
  }

  /** One debug line per service port whose endpoints changed: what new connections go to now. */
  function logEndpointChanges(next: RoutingSnapshot): void {
    const ports = next.changes.servicePorts;
    if (!ports) return;
    const seen = new Set<string>();
    for (const fe of next.frontends.values()) {
      if (fe.route.kind !== 'clusterIP' || !ports.has(fe.service.key) || seen.has(fe.service.key)) continue;
      seen.add(fe.service.key);
      const endpoints = fe.route.endpoints.map((e) => `${e.key}${e.ready ? '' : e.terminating ? ' (terminating)' : ' (not ready)'}`);
      logger.debug({ namespace: fe.service.namespace, name: fe.service.name, port: fe.service.port, endpoints }, 'service endpoints applied');
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

  // The change trackers: each event marks what it touches, then asks for a sync.
  const serviceChanged = (svc: Service): void => {
    builder.setService(svc);
    scheduleSync();
  };
  const sliceChanged = (slice: EndpointSlice): void => {
    builder.setSlice(slice);
    scheduleSync();
  };
  services.addHandlers({
    add: serviceChanged,
    update: (_old, svc) => serviceChanged(svc),
    delete: (svc) => {
      builder.deleteService(svc);
      scheduleSync();
    },
  });
  slices.addHandlers({
    add: sliceChanged,
    update: (_old, slice) => sliceChanged(slice),
    delete: (slice) => {
      builder.deleteSlice(slice);
      scheduleSync();
    },
  });
  // Nodes post a heartbeat every few seconds; only a change the routing sees (Ready, address,
  // pod CIDRs) is worth a sync.
  const nodesChanged = (): void => {
    builder.setNodes(nodes.list());
    scheduleSync();
  };
  nodes.addHandlers({
    add: nodesChanged,
    update: (before, after) => {
      if (!sameRouting(nodeInfo(before), nodeInfo(after))) nodesChanged();
    },
    delete: nodesChanged,
  });
  // Listening sockets a restart takes back (and a standby's promotion) come before the first sync.
  let heldSocketsIn = !opts.beforeFirstSync;
  // The first sync runs as soon as the caches are filled, outside the runner (as kube-proxy's).
  void Promise.all([...informers.map((i) => i.synced()), opts.beforeFirstSync]).then(() => {
    heldSocketsIn = true;
    for (const s of services.list()) builder.setService(s);
    for (const s of slices.list()) builder.setSlice(s);
    builder.setNodes(nodes.list());
    lastFullSync = performance.now();
    sync();
    runner.ran();
  });
  const sweeper = setInterval(() => plane.sweep(Date.now()), AFFINITY_SWEEP_MS);
  sweeper.unref();

  return {
    synced: () => syncedPromise,
    informersSynced: () => Promise.all(informers.map((i) => i.synced())).then(() => undefined),
    current: () => snapshot,
    dataPlane: () => plane,
    healthChecks: () => healthChecks,
    traffic: (): TrafficSnapshot => stats.snapshot(),
    listenerReport: (): ListenersReport => buildListenerReport(plane, healthChecks),
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

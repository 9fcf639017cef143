// The control plane process: store, watch cache, admission, API server, bootstrap, and the
// controllers (which talk to the API server through the same client as every other part).
//
// With several control planes (`--control-planes N`), each process serves the API on its own
// address from its own watch cache over the shared store, and the controllers, the scheduler,
// the cluster DNS and the dashboard hub run in one of them at a time: the one that holds the
// `kube-system/kube-controller-manager` Lease (leader-election.ts).
import { readFileSync } from 'node:fs';
import { bootstrapCluster } from '../apiserver/bootstrap.js';
import { startRangeRepair } from '../apiserver/range-repair.js';
import { createApiRegistry } from './api-registry.js';
import { startApiServer, type ApiServer } from '../apiserver/server.js';
import { DEFAULTS, apiServerEndpoints, clusterDNSIP, clusterPaths, kubernetesServiceIP, type ClusterConfig } from '../cluster/config.js';
import { createApiClient } from '../client/client.js';
import { startControllers, type Controllers } from '../controllers/index.js';
import type { Logger } from '../log.js';
import { createControlPlaneMetrics } from '../observe/control-plane-metrics.js';
import { startTrafficHub } from '../observe/hub.js';
import { openClusterStore } from '../store/open.js';
import type { Store } from '../store/store.js';
import { createWatchCache, type WatchCache } from '../store/watch-cache.js';
import { newIdentity, startLeaderElection, type LeaderElector } from './leader-election.js';

/** Tries of the bootstrap when several control planes race to create the same objects. */
const BOOTSTRAP_ATTEMPTS = 10;

/** The Lease the control planes elect their leader with (kube-controller-manager's own). */
export const LEADER_LEASE = { namespace: 'kube-system', name: 'kube-controller-manager' } as const;


export interface ControlPlane {
  apiServer: ApiServer;
  stop(): Promise<void>;
}

/**
 * LOOPKUBE_WATCH_HISTORY: how many recent events the watch cache keeps for watches to resume
 * from (default 10000). Older resourceVersions get 410 Expired; tests make it small to see that.
 */
export const WATCH_HISTORY_ENV = 'LOOPKUBE_WATCH_HISTORY';

function watchHistoryFromEnv(logger: Logger): number | undefined {
  const raw = process.env[WATCH_HISTORY_ENV];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    logger.warn({ [WATCH_HISTORY_ENV]: raw }, 'ignoring a watch history size that is not a positive integer');
    return undefined;
  }
  return n;
}

/** What one control plane runs while it leads (all of it, when it is the only one). */
interface Leading {
  stop(): Promise<void>;
}

export async function startControlPlane(config: ClusterConfig, logger: Logger, opts: { name?: string } = {}): Promise<ControlPlane> {
  const paths = clusterPaths(config.home);
  const endpoints = apiServerEndpoints(config);
  const self = opts.name === undefined ? endpoints[0] : endpoints.find((e) => e.name === opts.name);
  if (!self) throw new Error(`no control plane named ${JSON.stringify(opts.name)} in ${paths.config} (there are: ${endpoints.map((e) => e.name).join(', ')})`);
  const several = endpoints.length > 1;
  const metrics = createControlPlaneMetrics();
  const store: Store = metrics.instrumentStore(await openClusterStore(config, logger.child({ part: 'store' })));
  const capacity = watchHistoryFromEnv(logger);
  const watchCache: WatchCache = await createWatchCache(store, capacity !== undefined ? { capacity } : {});
  const { registry, ranges, listServices } = createApiRegistry({ store, serviceCIDR: config.serviceCIDR, nodePortRange: config.nodePortRange, logger });
  const rangeRepair = startRangeRepair(store, ranges, listServices, logger.child({ part: 'ranges' }));
  let ready = false;
  const apiServer = await startApiServer({
    host: self.host,
    port: self.port,
    tls: { key: readFileSync(paths.serverKey, 'utf8'), cert: readFileSync(paths.serverCert, 'utf8') },
    token: readFileSync(paths.token, 'utf8').trim(),
    registry,
    watchCache,
    logger: logger.child({ part: 'apiserver' }),
    ready: () => ready,
    metrics,
  });
  const bootstrap = () =>
    bootstrapCluster(registry, {
      kubernetesServiceIP: kubernetesServiceIP(config.serviceCIDR),
      apiHost: self.host,
      apiPort: apiServer.address().port,
      logger,
      dns: { ip: config.dns?.ip || clusterDNSIP(config.serviceCIDR), port: config.dns?.port ?? 0 },
      ...(several ? { apiHosts: endpoints.map((e) => e.host) } : {}),
    });
  // Several control planes bootstrap at once: one that loses a race (the `kubernetes` Service's
  // ClusterIP taken by another's create a moment ago) finds the objects there on its next try.
  for (let attempt = 1; ; attempt++) {
    try {
      await bootstrap();
      break;
    } catch (err) {
      if (!several || attempt >= BOOTSTRAP_ATTEMPTS) throw err;
      logger.warn({ err: (err as Error).message, attempt }, 'bootstrap raced another control plane; trying again');
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
  const token = readFileSync(paths.token, 'utf8').trim();
  // The controllers talk to this process's own API server, as kube-controller-manager on a
  // kubeadm control-plane node talks to the API server beside it.
  const client = createApiClient({ server: `https://${self.host}:${apiServer.address().port}`, token, ca: readFileSync(paths.caCert, 'utf8') });

  async function lead(): Promise<Leading> {
    const controllers: Controllers = await startControllers({ client, config, logger: logger.child({ part: 'controllers' }) });
    const hub = await startTrafficHub({ config, informers: controllers.context.informers, clusterToken: token, metrics, logger: logger.child({ part: 'hub' }) });
    return {
      async stop() {
        await hub.close();
        await controllers.stop();
      },
    };
  }

  let leading: Leading | undefined;
  let elector: LeaderElector | undefined;
  if (several) {
    elector = startLeaderElection({
      client,
      ...LEADER_LEASE,
      identity: newIdentity(self.name),
      timing: config.leaderElection ?? DEFAULTS.leaderElection,
      logger: logger.child({ part: 'leader-election' }),
      async onStartedLeading() {
        leading = await lead();
      },
      async onStoppedLeading() {
        const was = leading;
        leading = undefined;
        await was?.stop();
      },
    });
  } else {
    leading = await lead();
  }
  ready = true;
  logger.info({ address: `${self.host}:${apiServer.address().port}`, store: store.backend, controlPlanes: endpoints.length }, 'control plane ready');

  return {
    apiServer,
    async stop() {
      ready = false;
      if (elector) await elector.stop(); // stops what it leads and releases the Lease
      else await leading?.stop();
      metrics.stop();
      await rangeRepair.stop();
      client.close();
      await apiServer.close();
      watchCache.stop();
      await store.close();
    },
  };
}

// The control plane process: store, watch cache, admission, API server, bootstrap, and the
// controllers (which talk to the API server through the same client as every other part).
import { readFileSync } from 'node:fs';
import { createAdmission } from '../admission/index.js';
import { storeKey } from '../api/resources.js';
import type { Service } from '../api/types.js';
import { bootstrapCluster } from '../apiserver/bootstrap.js';
import { createRegistry } from '../apiserver/registry.js';
import { startApiServer, type ApiServer } from '../apiserver/server.js';
import { clusterDNSIP, clusterPaths, kubernetesServiceIP, type ClusterConfig } from '../cluster/config.js';
import { createApiClient } from '../client/client.js';
import { startControllers, type Controllers } from '../controllers/index.js';
import type { Logger } from '../log.js';
import { createControlPlaneMetrics } from '../observe/control-plane-metrics.js';
import { startTrafficHub } from '../observe/hub.js';
import { openClusterStore } from '../store/open.js';
import type { Store } from '../store/store.js';
import { createWatchCache, type WatchCache } from '../store/watch-cache.js';


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

export async function startControlPlane(config: ClusterConfig, logger: Logger): Promise<ControlPlane> {
  const paths = clusterPaths(config.home);
  const metrics = createControlPlaneMetrics();
  const store: Store = metrics.instrumentStore(await openClusterStore(config, logger.child({ part: 'store' })));
  const capacity = watchHistoryFromEnv(logger);
  const watchCache: WatchCache = await createWatchCache(store, capacity !== undefined ? { capacity } : {});
  const admission = createAdmission({
    serviceCIDR: config.serviceCIDR,
    nodePortRange: config.nodePortRange,
    listServices: async () => (await store.list('/registry/services/')).items as Service[],
    getObject: (info, namespace, name) => store.get(storeKey(info, namespace, name)),
  });
  const registry = createRegistry({ store, admission, logger: logger.child({ part: 'registry' }) });
  let ready = false;
  const apiServer = await startApiServer({
    host: config.apiServer.host,
    port: config.apiServer.port,
    tls: { key: readFileSync(paths.serverKey, 'utf8'), cert: readFileSync(paths.serverCert, 'utf8') },
    token: readFileSync(paths.token, 'utf8').trim(),
    registry,
    watchCache,
    logger: logger.child({ part: 'apiserver' }),
    ready: () => ready,
    metrics,
  });
  await bootstrapCluster(registry, {
    kubernetesServiceIP: kubernetesServiceIP(config.serviceCIDR),
    apiHost: config.apiServer.host,
    apiPort: apiServer.address().port,
    logger,
    dns: { ip: config.dns?.ip || clusterDNSIP(config.serviceCIDR), port: config.dns?.port ?? 0 },
  });
  const client = createApiClient({
    server: `https://${config.apiServer.host}:${apiServer.address().port}`,
    token: readFileSync(paths.token, 'utf8').trim(),
    ca: readFileSync(paths.caCert, 'utf8'),
  });
  const controllers: Controllers = await startControllers({ client, config, logger: logger.child({ part: 'controllers' }) });
  const hub = await startTrafficHub({ config, informers: controllers.context.informers, clusterToken: readFileSync(paths.token, 'utf8').trim(), metrics, logger: logger.child({ part: 'hub' }) });
  ready = true;
  logger.info({ address: `${config.apiServer.host}:${apiServer.address().port}`, store: store.backend }, 'control plane ready');

  return {
    apiServer,
    async stop() {
      ready = false;
      await hub.close();
      metrics.stop();
      await controllers.stop();
      client.close();
      await apiServer.close();
      watchCache.stop();
      await store.close();
    },
  };
}

// Opens the store a cluster is configured with: the embedded journal (default), Redis or etcd.
import { clusterPaths, type ClusterConfig } from '../cluster/config.js';
import { storeUrlWithCredentials } from '../cluster/managed-redis.js';
import type { Logger } from '../log.js';
import { openEmbeddedStore } from './embedded/index.js';
import type { Store } from './store.js';

export async function openClusterStore(config: ClusterConfig, logger: Logger): Promise<Store> {
  if (config.store === 'embedded' || config.store === '') {
    return openEmbeddedStore(clusterPaths(config.home).storeDir, { logger });
  }
  if (config.store.startsWith('redis://') || config.store.startsWith('rediss://')) {
    const { openRedisStore } = await import('./redis/index.js');
    // rediss:// is TLS; a user and password in the URL (or the cluster's own Redis's) authenticate
    return openRedisStore(storeUrlWithCredentials(config), { prefix: `loopkube/${config.name}`, logger });
  }
  if (config.store.startsWith('etcd://')) {
    const { clusterEtcdPrefix, openEtcdStore, parseEtcdUrl } = await import('./etcd/index.js');
    const url = parseEtcdUrl(config.store);
    if (!url) throw new Error(`invalid etcd store URL "${config.store}": use etcd://HOST:PORT[,HOST:PORT...][/PREFIX]`);
    return openEtcdStore({ endpoints: url.endpoints, prefix: clusterEtcdPrefix(url, config.name), logger });
  }
  throw new Error(`unsupported store URL "${config.store}": use "embedded", redis://[USER:PASSWORD@]HOST:PORT/DB, rediss://... or etcd://HOST:PORT`);
}

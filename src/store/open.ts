// Opens the store a cluster is configured with: the embedded journal (default), Redis or etcd.
import { clusterPaths, type ClusterConfig } from '../cluster/config.js';
import type { Logger } from '../log.js';
import { openEmbeddedStore } from './embedded/index.js';
import type { Store } from './store.js';

export async function openClusterStore(config: ClusterConfig, logger: Logger): Promise<Store> {
  if (config.store === 'embedded' || config.store === '') {
    return openEmbeddedStore(clusterPaths(config.home).storeDir, { logger });
  }
  if (config.store.startsWith('redis://') || config.store.startsWith('rediss://')) {
    const { openRedisStore } = await import('./redis/index.js');
    return openRedisStore(config.store, { prefix: `loopkube/${config.name}`, logger });
  }
  if (config.store.startsWith('etcd://')) {
    const { clusterEtcdPrefix, openEtcdStore, parseEtcdUrl } = await import('./etcd/index.js');
    const url = parseEtcdUrl(config.store);
    if (!url) throw new Error(`invalid etcd store URL "${config.store}": use etcd://HOST:PORT[,HOST:PORT...][/PREFIX]`);
    return openEtcdStore({ endpoints: url.endpoints, prefix: clusterEtcdPrefix(url, config.name), logger });
  }
  throw new Error(`unsupported store URL "${config.store}": use "embedded", redis://HOST:PORT/DB or etcd://HOST:PORT`);
}

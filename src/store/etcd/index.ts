export { openEtcdStore, DEFAULT_COMPACTION_INTERVAL_MS, type EtcdStoreOptions } from './etcd-store.js';
export { etcdKeys, type EtcdKeys } from './keys.js';
export { clusterEtcdPrefix, isEtcdUrl, parseEtcdUrl, type EtcdUrl } from './url.js';

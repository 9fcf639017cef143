// What the node's pods read from the API besides themselves, as kubelet's watch-based managers
// keep it: the ConfigMaps and Secrets their env and volumes name, the claims their volumes name
// (and the PersistentVolumes bound to them), and the Services that select
// them (to know where a container that declares no ports listens). One informer each, shared by
// every pod of the node; a pod waiting for one of them is told when it appears or changes.
import type { ConfigMap, Secret } from '../src/api/config.js';
import { resourcePath } from '../src/api/paths.js';
import type { Service } from '../src/api/types.js';
import type { ApiClient } from '../src/client/client.js';
import { createInformer, type Informer } from '../src/client/informer.js';
import { CONFIG_MAPS } from '../src/kinds/configmap/resource.js';
import { SECRETS } from '../src/kinds/secret/resource.js';
import { SERVICES } from '../src/kinds/service/resource.js';
import { PERSISTENT_VOLUMES } from '../src/kinds/persistentvolume/resource.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../src/kinds/persistentvolume/types.js';
import { PERSISTENT_VOLUME_CLAIMS } from '../src/kinds/persistentvolumeclaim/resource.js';
import type { Logger } from '../src/log.js';

export type SourceKind = 'ConfigMap' | 'Secret' | 'Service' | 'PersistentVolumeClaim' | 'PersistentVolume';

export interface ConfigSources {
  /** Resolves once every cache has listed (before that, "missing" would be a guess). */
  synced(): Promise<void>;
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
  services(namespace: string): Service[];
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volume(name: string): PersistentVolume | undefined;
  /** Called on every add, update or delete of a watched object; returns the unsubscribe. */
  onChange(listener: (kind: SourceKind, namespace: string) => void): () => void;
  stop(): void;
}

export function startConfigSources(client: ApiClient, logger: Logger): ConfigSources {
  const listeners = new Set<(kind: SourceKind, namespace: string) => void>();
  const watch = <T extends ConfigMap | Secret | Service | PersistentVolumeClaim | PersistentVolume>(kind: SourceKind, path: string): Informer<T> => {
    const inf = createInformer<T>(client, { path, logger });
    const tell = (obj: T): void => {
      for (const l of [...listeners]) l(kind, obj.metadata.namespace ?? '');
    };
    inf.addHandlers({ add: tell, update: (_o, n) => tell(n), delete: tell });
    return inf;
  };
  const configMaps = watch<ConfigMap>('ConfigMap', resourcePath(CONFIG_MAPS));
  const secrets = watch<Secret>('Secret', resourcePath(SECRETS));
  const services = watch<Service>('Service', resourcePath(SERVICES));
  const claims = watch<PersistentVolumeClaim>('PersistentVolumeClaim', resourcePath(PERSISTENT_VOLUME_CLAIMS));
  const volumes = watch<PersistentVolume>('PersistentVolume', resourcePath(PERSISTENT_VOLUMES));
  const all = [configMaps, secrets, services, claims, volumes];
  const synced = Promise.all(all.map((i) => i.synced())).then(() => undefined);
  return {
    synced: () => synced,
    configMap: (ns, name) => configMaps.get(`${ns}/${name}`),
    secret: (ns, name) => secrets.get(`${ns}/${name}`),
    services: (ns) => services.list().filter((s) => s.metadata.namespace === ns),
    claim: (ns, name) => claims.get(`${ns}/${name}`),
    volume: (name) => volumes.get(name),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop() {
      listeners.clear();
      for (const i of all) i.stop();
    },
  };
}

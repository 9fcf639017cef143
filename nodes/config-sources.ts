// What the node's pods read from the API besides themselves, as kubelet's watch-based managers
// keep it: the ConfigMaps and Secrets their env and volumes name, and the Services that select
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
import type { Logger } from '../src/log.js';

export type SourceKind = 'ConfigMap' | 'Secret' | 'Service';

export interface ConfigSources {
  /** Resolves once every cache has listed (before that, "missing" would be a guess). */
  synced(): Promise<void>;
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
  services(namespace: string): Service[];
  /** Called on every add, update or delete of a watched object; returns the unsubscribe. */
  onChange(listener: (kind: SourceKind, namespace: string) => void): () => void;
  stop(): void;
}

export function startConfigSources(client: ApiClient, logger: Logger): ConfigSources {
  const listeners = new Set<(kind: SourceKind, namespace: string) => void>();
  const watch = <T extends ConfigMap | Secret | Service>(kind: SourceKind, path: string): Informer<T> => {
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
  const all = [configMaps, secrets, services];
  const synced = Promise.all(all.map((i) => i.synced())).then(() => undefined);
  return {
    synced: () => synced,
    configMap: (ns, name) => configMaps.get(`${ns}/${name}`),
    secret: (ns, name) => secrets.get(`${ns}/${name}`),
    services: (ns) => services.list().filter((s) => s.metadata.namespace === ns),
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

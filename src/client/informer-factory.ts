// One informer per resource, shared by every controller of a process (as client-go's
// SharedInformerFactory), so each kind is listed and watched once.
import { resourcePath } from '../api/paths.js';
import type { ResourceInfo } from '../api/resources.js';
import type { KubeObject } from '../api/types.js';
import type { Logger } from '../log.js';
import type { ApiClient } from './client.js';
import { createInformer, type Informer } from './informer.js';

export interface InformerFactory {
  forResource<T extends KubeObject>(info: ResourceInfo): Informer<T>;
  /** Resolves once every informer asked for so far has listed. */
  synced(): Promise<void>;
  stop(): void;
}

export function createInformerFactory(client: ApiClient, logger?: Logger): InformerFactory {
  const informers = new Map<string, Informer<KubeObject>>();
  return {
    forResource<T extends KubeObject>(info: ResourceInfo): Informer<T> {
      const path = resourcePath(info);
      let inf = informers.get(path);
      if (!inf) {
        inf = createInformer<KubeObject>(client, { path, ...(logger ? { logger } : {}) });
        informers.set(path, inf);
      }
      return inf as unknown as Informer<T>;
    },
    async synced() {
      await Promise.all([...informers.values()].map((i) => i.synced()));
    },
    stop() {
      for (const i of informers.values()) i.stop();
    },
  };
}

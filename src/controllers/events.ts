// Recording core/v1 Events as components do (client-go's EventRecorder, in small): one Event
// per object+reason+message, its count bumped when it repeats.
import { createHash } from 'node:crypto';
import { resourcePath } from '../api/paths.js';
import type { Event, KubeObject, ObjectReference } from '../api/types.js';
import type { ApiClient } from '../client/client.js';
import type { Logger } from '../log.js';
import { EVENTS } from '../kinds/event/resource.js';


export interface EventRecorder {
  normal(obj: KubeObject, reason: string, message: string): void;
  warning(obj: KubeObject, reason: string, message: string): void;
}

export function referenceTo(obj: KubeObject): ObjectReference {
  const ref: ObjectReference = {
    kind: obj.kind ?? '',
    name: obj.metadata.name ?? '',
    uid: obj.metadata.uid ?? '',
    apiVersion: obj.apiVersion ?? 'v1',
    resourceVersion: obj.metadata.resourceVersion ?? '',
  };
  if (obj.metadata.namespace) ref.namespace = obj.metadata.namespace;
  return ref;
}

export function createEventRecorder(client: ApiClient, component: string, logger: Logger, host?: string): EventRecorder {
  const counts = new Map<string, { name: string; namespace: string; count: number }>();

  async function record(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const namespace = obj.metadata.namespace || 'default';
    const ref = referenceTo(obj);
    const id = createHash('sha1').update(`${ref.uid}/${reason}/${message}`).digest('hex').slice(0, 16);
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const seen = counts.get(id);
    if (seen) {
      seen.count++;
      try {
        await client.patch(resourcePath(EVENTS, seen.namespace, seen.name), { count: seen.count, lastTimestamp: now }, 'merge');
        return;
      } catch {
        counts.delete(id);
      }
    }
    const name = `${obj.metadata.name}.${id}`;
    const event: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: ref,
      reason,
      message,
      type,
      source: host ? { component, host } : { component },
      reportingComponent: component,
      reportingInstance: host ?? component,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    try {
      await client.create(resourcePath(EVENTS, namespace), event);
      counts.set(id, { name, namespace, count: 1 });
    } catch (err) {
      if ((err as { code?: number }).code === 409) {
        counts.set(id, { name, namespace, count: 1 });
        return record(obj, type, reason, message);
      }
      logger.debug({ err: (err as Error).message, reason }, 'could not record event');
    }
  }

  return {
    normal: (obj, reason, message) => void record(obj, 'Normal', reason, message),
    warning: (obj, reason, message) => void record(obj, 'Warning', reason, message),
  };
}

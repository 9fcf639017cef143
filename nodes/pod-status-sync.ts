// Writes pods' statuses to the API server the way kubelet's status manager does: a change only
// marks the pod dirty; a short moment later one merge patch of the status subresource carries
// every change made meanwhile; nothing is written when the API server already shows that
// status. Failed writes are retried (the API server may be down) with the newest status.
import { isApiError } from '../src/api/errors.js';
import { resourcePath } from '../src/api/paths.js';
import type { Pod, PodStatus } from '../src/api/types.js';
import type { ApiClient } from '../src/client/client.js';
import type { Logger } from '../src/log.js';
import { statusDiffers } from './pod-status.js';
import { PODS } from '../src/kinds/pod/resource.js';


/** How long changes gather before one write carries them. */
const COALESCE_MS = 10;
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 2000;

export interface PodStatusSyncDeps {
  client: ApiClient;
  logger: Logger;
  /** The pod as the informer last saw it; undefined once it is gone. */
  cached(key: string): Pod | undefined;
  /** The status this node wants for the pod, given the freshest pod object; undefined = nothing to write. */
  desired(key: string, current: Pod): PodStatus | undefined;
}

export interface PodStatusSync {
  markDirty(key: string): void;
  /** The pod is gone: forget what was written for it. */
  forget(key: string): void;
  /** Number of writes sent (for tests and stats). */
  writes(): number;
  stop(): void;
}

function rvNumber(p: Pod | undefined): number {
  return Number(p?.metadata.resourceVersion ?? 0) || 0;
}

export function createPodStatusSync(deps: PodStatusSyncDeps): PodStatusSync {
  const dirty = new Set<string>();
  const inFlight = new Set<string>();
  /** What the API server answered to our last write, newer than the informer for a moment. */
  const written = new Map<string, Pod>();
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Infinity;
  let retryMs = RETRY_MIN_MS;
  /** While writes fail (the API server is down), no new attempt before this moment. */
  let quietUntil = 0;
  let sent = 0;
  let stopped = false;

  function schedule(delayMs: number): void {
    if (stopped) return;
    const at = Math.max(Date.now() + delayMs, quietUntil);
    delayMs = at - Date.now();
    if (timer && timerAt <= at) return;
    clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(flush, delayMs);
  }

  function freshest(key: string): Pod | undefined {
    const cached = deps.cached(key);
    if (!cached) return undefined;
    const w = written.get(key);
    if (w && w.metadata.uid === cached.metadata.uid && rvNumber(w) > rvNumber(cached)) return w;
    return cached;
  }

  function flush(): void {
    timer = undefined;
    timerAt = Infinity;
    for (const key of [...dirty]) {
      if (inFlight.has(key)) continue;
      dirty.delete(key);
      void write(key);
    }
  }

  async function write(key: string): Promise<void> {
    const current = freshest(key);
    if (!current) return;
    const status = deps.desired(key, current);
    if (!status || !statusDiffers(current.status, status)) return;
    inFlight.add(key);
    let failed = false;
    const path = resourcePath(PODS, current.metadata.namespace, current.metadata.name, 'status');
    try {
      sent++;
      const updated = await deps.client.patch<Pod>(path, { metadata: { uid: current.metadata.uid }, status }, 'merge');
      written.set(key, updated);
      retryMs = RETRY_MIN_MS;
      quietUntil = 0;
    } catch (err) {
      if (isApiError(err) && err.code === 404) {
        written.delete(key);
      } else {
        deps.logger.debug({ namespace: current.metadata.namespace, name: current.metadata.name, err: (err as Error).message }, 'pod status write failed; will retry');
        failed = true;
        dirty.add(key);
        quietUntil = Date.now() + retryMs;
        schedule(retryMs);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      }
    } finally {
      inFlight.delete(key);
      // Changes made while the write was out go in the next one.
      if (!failed && dirty.has(key)) schedule(COALESCE_MS);
    }
  }

  return {
    markDirty(key) {
      dirty.add(key);
      schedule(COALESCE_MS);
    },
    forget(key) {
      dirty.delete(key);
      written.delete(key);
    },
    writes: () => sent,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

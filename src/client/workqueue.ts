// A keyed work queue as client-go's: a key is queued at most once, is never processed by two
// workers at once (re-added while processing = processed again after), and failures are
// retried with exponential back-off. Reconcilers are level-triggered: they read the cache.
import type { Logger } from '../log.js';

export interface WorkQueue {
  add(key: string): void;
  addAfter(key: string, delayMs: number): void;
  /** Resolves when nothing is queued or processing (for tests and shutdown). */
  idle(): Promise<void>;
  stop(): void;
}

/** Told how long each reconcile took, and whether it succeeded. */
export type ReconcileObserver = (queue: string, ms: number, ok: boolean) => void;

let processObserver: ReconcileObserver | undefined;

/** Every work queue of this process reports its reconciles here (the control plane's metrics). */
export function setReconcileObserver(observer: ReconcileObserver | undefined): void {
  processObserver = observer;
}

export function createWorkQueue(
  name: string,
  reconcile: (key: string) => Promise<void>,
  opts: { logger?: Logger; concurrency?: number; maxBackoffMs?: number; onReconcile?: (ms: number, ok: boolean) => void } = {},
): WorkQueue {
  const queue: string[] = [];
  const queued = new Set<string>();
  const processing = new Set<string>();
  const dirty = new Set<string>();
  const failures = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const concurrency = opts.concurrency ?? 1;
  const maxBackoffMs = opts.maxBackoffMs ?? 5000;
  let active = 0;
  let stopped = false;
  let idleWaiters: Array<() => void> = [];

  const checkIdle = (): void => {
    if (active === 0 && queue.length === 0 && timers.size === 0) {
      const w = idleWaiters;
      idleWaiters = [];
      for (const f of w) f();
    }
  };

  const pump = (): void => {
    while (!stopped && active < concurrency && queue.length > 0) {
      const key = queue.shift()!;
      queued.delete(key);
      active++;
      processing.add(key);
      const started = performance.now();
      const observe = (ok: boolean): void => {
        const ms = performance.now() - started;
        try {
          opts.onReconcile?.(ms, ok);
          processObserver?.(name, ms, ok);
        } catch {
          // an observer's failure must not stall the queue
        }
      };
      void reconcile(key).then(
        () => {
          observe(true);
          failures.delete(key);
          done(key);
        },
        (err: unknown) => {
          observe(false);
          const n = (failures.get(key) ?? 0) + 1;
          failures.set(key, n);
          const delay = Math.min(5 * 2 ** n, maxBackoffMs);
          opts.logger?.warn({ queue: name, key, err: (err as Error)?.message ?? String(err), retryInMs: delay }, 'reconcile failed');
          done(key);
          addAfter(key, delay);
        },
      );
    }
    checkIdle();
  };

  const done = (key: string): void => {
    active--;
    processing.delete(key);
    if (dirty.delete(key)) add(key);
    pump();
  };

  function add(key: string): void {
    if (stopped) return;
    if (processing.has(key)) {
      dirty.add(key);
      return;
    }
    if (queued.has(key)) return;
    queued.add(key);
    queue.push(key);
    queueMicrotask(pump);
  }

  function addAfter(key: string, delayMs: number): void {
    if (stopped) return;
    const t = setTimeout(() => {
      timers.delete(t);
      add(key);
      checkIdle();
    }, delayMs);
    timers.add(t);
  }

  return {
    add,
    addAfter,
    idle: () => new Promise<void>((r) => {
      idleWaiters.push(r);
      checkIdle();
    }),
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      queue.length = 0;
      queued.clear();
    },
  };
}

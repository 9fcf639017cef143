// client-go's delaying queue semantics over a work queue: a key asked for at several times is
// queued once, at the earliest of them; a later time asked for while an earlier one waits is
// dropped (the reconcile that runs then asks again for what it still needs, level-triggered).
import type { WorkQueue } from '../client/workqueue.js';

export interface DelayedEnqueue {
  /** Queue `key` in `delayMs` (0: now), unless it is due sooner already. */
  after(key: string, delayMs: number): void;
  stop(): void;
}

export function createDelayedEnqueue(queue: WorkQueue): DelayedEnqueue {
  const waiting = new Map<string, { due: number; timer: NodeJS.Timeout }>();
  let stopped = false;
  return {
    after(key, delayMs) {
      if (stopped) return;
      if (delayMs <= 0) {
        const w = waiting.get(key);
        if (w) clearTimeout(w.timer);
        waiting.delete(key);
        queue.add(key);
        return;
      }
      const due = Date.now() + delayMs;
      const w = waiting.get(key);
      if (w && w.due <= due) return;
      if (w) clearTimeout(w.timer);
      const timer = setTimeout(() => {
        waiting.delete(key);
        queue.add(key);
      }, delayMs);
      waiting.set(key, { due, timer });
    },
    stop() {
      stopped = true;
      for (const w of waiting.values()) clearTimeout(w.timer);
      waiting.clear();
    },
  };
}

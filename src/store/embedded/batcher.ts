// Group commit: items queue up while a batch is being committed, and the next batch takes all
// of them at once, so one disk sync serves many writes. Batches run one at a time, in order.
export interface Batcher<T> {
  push(item: T): void;
  /** Resolves once the queue is empty and no batch is running. */
  idle(): Promise<void>;
  /** Takes every queued item that has not started committing. */
  drain(): T[];
}

export function createBatcher<T>(commit: (batch: T[]) => Promise<void>, maxBatch = 1000): Batcher<T> {
  let queue: T[] = [];
  let running = false;
  let idleWaiters: (() => void)[] = [];

  async function run(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
      queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
      try {
        await commit(batch); // commit settles its own items
      } catch {
        // commit settles its items even when it fails; nothing to do here
      }
    }
    running = false;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  }

  return {
    push(item) {
      queue.push(item);
      if (running) return;
      running = true;
      queueMicrotask(() => void run()); // writes issued in the same tick share a batch
    },
    idle() {
      if (!running && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    drain() {
      const items = queue;
      queue = [];
      return items;
    },
  };
}

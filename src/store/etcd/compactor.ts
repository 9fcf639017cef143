// Periodic compaction of etcd's history, as kube-apiserver's compactor does it
// (k8s.io/apiserver/pkg/storage/etcd3/compact.go): every interval, compact up to the revision
// seen one interval earlier, so watches can resume from anything up to one or two intervals old.
// Several API servers on one etcd take turns through the key `compact_rev_key`: a transaction
// writes it only if its version is still the one this server saw last, so in each interval
// one of them compacts and the others learn the new version and wait for the next.
// Compaction is global to etcd, so the key is global too (unprefixed, as upstream's).
import type { Logger } from '../../log.js';
import { isCompactedError } from './errors.js';
import type { EtcdRpc } from './rpc.js';

export const COMPACT_REV_KEY = Buffer.from('compact_rev_key');

export interface Compactor {
  /** Runs one round now (for tests); resolves when done. */
  tick(): Promise<void>;
  stop(): void;
}

export function startCompactor(rpc: EtcdRpc, intervalMs: number, logger: Logger): Compactor {
  let version = 0; // the key's version this server saw last (upstream's compactTime)
  let rev = 0; // the revision to compact to at the next round
  let running: Promise<void> | undefined;
  let stopped = false;

  async function round(): Promise<void> {
    const res = await rpc.txn({
      compare: [{ result: 'EQUAL', target: 'VERSION', key: COMPACT_REV_KEY, version }],
      success: [{ request_put: { key: COMPACT_REV_KEY, value: Buffer.from(String(rev)) } }],
      failure: [{ request_range: { key: COMPACT_REV_KEY } }],
    });
    const current = res.header.revision;
    if (!res.succeeded) {
      // Another API server took this round.
      version = res.responses[0]?.response_range?.kvs[0]?.version ?? version;
      rev = current;
      return;
    }
    version += 1;
    const target = rev;
    rev = current;
    if (target === 0) return; // nothing seen yet: no compaction on the first round
    try {
      await rpc.compact({ revision: target });
      logger.debug({ revision: target }, 'compacted etcd history');
    } catch (err) {
      if (!isCompactedError(err)) throw err;
    }
  }

  function tick(): Promise<void> {
    running ??= round()
      .catch((err: unknown) => logger.warn({ err: String((err as Error)?.message ?? err) }, 'etcd compaction round failed; trying again next interval'))
      .finally(() => (running = undefined));
    return running;
  }

  const timer = setInterval(() => {
    if (!stopped) void tick();
  }, intervalMs);
  timer.unref();
  return {
    tick,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

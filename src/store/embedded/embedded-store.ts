// The embedded store: state in memory, every write appended to a journal and synced before it
// is acknowledged (writes issued together share one sync), snapshots from time to time, and a
// bounded history of recent writes that watches replay from.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeObject } from '../../api/types.js';
import { silentLogger, type Logger } from '../../log.js';
import { createEventHistory, jsonEventBytes } from '../event-history.js';
import { StoreError, type Store, type StoreList, type StoreWatch } from '../store.js';
import { createWatchFanout } from '../watch-fanout.js';
import { createBatcher } from './batcher.js';
import { compactDir } from './compaction.js';
import { journalFileName } from './files.js';
import { openJournalWriter, type JournalWriter } from './journal.js';
import { lockDir } from './lock.js';
import { encodeRecord, type StoredEntry, type WriteRecord } from './records.js';
import { applyRecord, recover } from './recovery.js';
import { planWrites, type WriteOp } from './write-plan.js';

export interface EmbeddedStoreOptions {
  /** Recent writes kept for watches to replay (default 10000). */
  historyLimit?: number;
  /** What those recent writes may weigh together, in bytes of JSON (default 64 MiB). */
  historyBytes?: number;
  /** Writes between snapshots (default 10000). */
  compactEvery?: number;
  logger?: Logger;
}

interface PendingWrite {
  op: WriteOp;
  resolve(object: KubeObject): void;
  reject(err: Error): void;
}

const crashHooks = new WeakMap<Store, () => Promise<void>>();

/**
 * Drops an embedded store the way a killed process would: queued and in-flight writes are never
 * acknowledged, nothing more is written, watches end, the directory lock is released. For tests.
 */
export async function crashEmbeddedStore(store: Store): Promise<void> {
  const crash = crashHooks.get(store);
  if (!crash) throw new Error('not an embedded store');
  await crash();
}

export async function openEmbeddedStore(dir: string, opts: EmbeddedStoreOptions = {}): Promise<Store> {
  const logger = opts.logger ?? silentLogger();
  const historyLimit = opts.historyLimit ?? 10_000;
  const compactEvery = opts.compactEvery ?? 10_000;
  await mkdir(dir, { recursive: true });
  const lock = await lockDir(dir);

  let entries: Map<string, StoredEntry>;
  let revision: number;
  let journal: JournalWriter;
  const history = createEventHistory<WriteRecord>(historyLimit, 0, jsonEventBytes(opts.historyBytes));
  let writesSinceSnapshot: number;
  try {
    const recovered = await recover(dir, logger);
    entries = recovered.entries;
    revision = recovered.revision;
    history.reset(recovered.snapshotRevision);
    for (const r of recovered.journaled) history.append(r);
    writesSinceSnapshot = recovered.journaled.length;
    journal = await openJournalWriter(recovered.lastJournal?.path ?? join(dir, journalFileName(revision + 1)));
  } catch (err) {
    await lock.release();
    throw err;
  }

  const fanout = createWatchFanout<WriteRecord>({
    history,
    toStoreEvent: (r) => ({ type: r.type, key: r.key, revision: r.revision, object: JSON.parse(r.json) as KubeObject }),
    onHandlerError: (err) => logger.error({ err }, 'store watch handler threw'),
  });

  let state: 'open' | 'closing' | 'closed' = 'open';
  let abandoned = false;
  let journalFailure: Error | undefined;
  let compaction: Promise<void> | undefined;
  let closing: Promise<void> | undefined;

  const unavailable = (key: string, why: string) => new StoreError('Unavailable', key, why);

  const batcher = createBatcher<PendingWrite>(async (batch) => {
    if (abandoned || journalFailure) {
      for (const w of batch) w.reject(unavailable(w.op.key, notWritableReason()));
      return;
    }
    const plans = planWrites(batch.map((w) => w.op), (key) => entries.get(key), revision);
    const records: WriteRecord[] = [];
    for (const p of plans) if (p.ok) records.push(p.record);
    if (records.length > 0) {
      try {
        await journal.append(records.map(encodeRecord).join(''));
      } catch (err) {
        journalFailure = err as Error;
        logger.error({ err, journal: journal.path }, 'journal write failed; the store accepts no more writes');
      }
      if (abandoned || journalFailure) {
        for (const w of batch) w.reject(unavailable(w.op.key, notWritableReason()));
        return;
      }
      for (const r of records) {
        applyRecord(entries, r);
        history.append(r);
        fanout.publish(r);
      }
      revision = records[records.length - 1].revision;
      writesSinceSnapshot += records.length;
    }
    plans.forEach((p, i) => {
      if (p.ok) batch[i].resolve(JSON.parse(p.record.json) as KubeObject);
      else batch[i].reject(p.error);
    });
    if (writesSinceSnapshot >= compactEvery && !compaction) await startCompaction();
  });

  function notWritableReason(): string {
    if (journalFailure) return `the store's journal failed: ${journalFailure.message}`;
    return 'the store is closed';
  }

  async function startCompaction(): Promise<void> {
    const at = revision;
    const snapshotEntries = [...entries];
    let next: JournalWriter;
    try {
      next = await openJournalWriter(join(dir, journalFileName(at + 1)));
    } catch (err) {
      logger.error({ err }, 'could not start a new journal file; compaction skipped');
      writesSinceSnapshot = 0;
      return;
    }
    const previous = journal;
    journal = next;
    writesSinceSnapshot = 0;
    await previous.close();
    compaction = compactDir(dir, at, snapshotEntries, () => abandoned)
      .then((done) => {
        if (done) logger.info({ revision: at, objects: snapshotEntries.length, ...done }, 'store compacted');
      })
      .catch((err: unknown) => logger.error({ err, revision: at }, 'snapshot failed; the journal is kept'))
      .finally(() => {
        compaction = undefined;
      });
  }

  function write(op: WriteOp): Promise<KubeObject> {
    if (state !== 'open') return Promise.reject(unavailable(op.key, notWritableReason()));
    return new Promise((resolve, reject) => batcher.push({ op, resolve, reject }));
  }

  function readable(key: string): void {
    if (state === 'closed') throw unavailable(key, 'the store is closed');
  }

  async function shutdown(): Promise<void> {
    try {
      await batcher.idle();
      await compaction;
      await journal.close();
    } finally {
      state = 'closed';
      fanout.endAll((prefix) => unavailable(prefix, 'the store is closed'));
      await lock.release();
    }
  }

  const store: Store = {
    backend: 'embedded',
    async get(key) {
      readable(key);
      const e = entries.get(key);
      return e ? (JSON.parse(e.json) as KubeObject) : undefined;
    },
    async list(prefix): Promise<StoreList> {
      readable(prefix);
      const keys: string[] = [];
      for (const key of entries.keys()) if (key.startsWith(prefix)) keys.push(key);
      keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const items = keys.map((k) => JSON.parse((entries.get(k) as StoredEntry).json) as KubeObject);
      return { items, revision };
    },
    create: (key, object) => write({ kind: 'create', key, object }),
    update: (key, object, expectedRevision) => write({ kind: 'update', key, object, expectedRevision }),
    delete: (key, expectedRevision) => write({ kind: 'delete', key, expectedRevision }),
    watch(prefix, fromRevision, handlers): StoreWatch {
      if (state === 'closed') {
        let stopped = false;
        setImmediate(() => stopped || handlers.onError(unavailable(prefix, 'the store is closed')));
        return { stop: () => void (stopped = true) };
      }
      const w = fanout.watch(prefix, fromRevision, handlers);
      return { stop: () => w.stop() };
    },
    async currentRevision() {
      readable('');
      return revision;
    },
    async oldestWatchableRevision() {
      readable('');
      return history.horizon();
    },
    close() {
      if (!closing) {
        state = 'closing';
        closing = shutdown();
      }
      return closing;
    },
  };

  crashHooks.set(store, async () => {
    if (closing) return closing;
    abandoned = true;
    state = 'closing';
    for (const w of batcher.drain()) w.reject(unavailable(w.op.key, 'the store is closed'));
    closing = shutdown();
    return closing;
  });

  logger.info({ dir, revision, historyLimit, compactEvery }, 'embedded store open');
  return store;
}

// The etcd store: the store contract on etcd v3, the way kube-apiserver keeps its state
// (k8s.io/apiserver/pkg/storage/etcd3): etcd's revision is the resourceVersion; a write is one
// transaction that compares the key's create or mod revision (compare-and-swap); a list is read
// in pages at one revision (etcd's MVCC makes it consistent for free); a watch is an etcd watch
// from a revision, answered Compacted once etcd has compacted it away; history is compacted
// periodically (compactor.ts). Objects are stored as JSON without metadata.resourceVersion,
// which is set from the key's mod_revision on the way out, as upstream's versioner does.
//
// Keys follow kube-apiserver's layout (keys.ts). Durability is etcd's: it syncs its WAL before
// it answers, so an acknowledged write survives SIGKILL of the member (or of a minority of them).
import type { KubeObject } from '../../api/types.js';
import { silentLogger, type Logger } from '../../log.js';
import { StoreError, type Store, type StoreEvent, type StoreList, type StoreWatch } from '../store.js';
import { compactedError } from '../watch-fanout.js';
import { COMPACT_REV_KEY, startCompactor } from './compactor.js';
import { isCompactedError, isLinkFailure, toStoreError } from './errors.js';
import { etcdKeys } from './keys.js';
import type { EtcdEvent, KeyValue, RangeRequest } from './proto.js';
import { createEtcdRpc } from './rpc.js';
import { createWatchStreams } from './watch-stream.js';

export interface EtcdStoreOptions {
  /** Client addresses of the members, `127.0.0.1:2379`. */
  endpoints: string[];
  /** Put before every key: `` (the etcd is the cluster's own) or `/loopkube/<cluster>`. */
  prefix: string;
  logger?: Logger;
  /** Deadline of every call (default 5 s). */
  callTimeoutMs?: number;
  /** How long opening waits for etcd to answer (default 15 s). */
  openTimeoutMs?: number;
  /** Compaction interval (default 5 min, kube-apiserver's --etcd-compaction-interval); 0: never. */
  compactionIntervalMs?: number;
  /** Keys per list page (default 1000). */
  listPageSize?: number;
  /**
   * Instead of (or beside) the periodic compactor: after a write, compact so that about this
   * many revisions stay, before the write is acknowledged (as the Redis store trims its stream
   * with each write). History then stops moving when writes stop, which tests of compaction
   * need; a cluster uses the periodic compactor.
   */
  compactKeepRevisions?: number;
}

export const DEFAULT_COMPACTION_INTERVAL_MS = 5 * 60_000;

/** Tries of a read whose member went away mid-call. */
const READ_ATTEMPTS = 3;

export async function openEtcdStore(opts: EtcdStoreOptions): Promise<Store> {
  const logger = opts.logger ?? silentLogger();
  const keys = etcdKeys(opts.prefix);
  const callTimeoutMs = opts.callTimeoutMs ?? 5_000;
  const pageSize = opts.listPageSize ?? 1000;
  const rpc = createEtcdRpc({ endpoints: opts.endpoints, callTimeoutMs });
  const where = opts.endpoints.join(',');
  const ctx = (key: string, write = false) => ({ key, endpoints: opts.endpoints, write });

  // Open once some member answers a linearizable read (members starting together may take a
  // moment to elect a leader).
  const deadline = Date.now() + (opts.openTimeoutMs ?? 15_000);
  for (let attempt = 1; ; attempt++) {
    try {
      await rpc.waitReady(Math.max(1, deadline - Date.now()));
      await rpc.range({ key: keys.probeKey });
      break;
    } catch (err) {
      if (Date.now() >= deadline) {
        rpc.close();
        const e = toStoreError(err, ctx(keys.clusterPrefix));
        throw new StoreError('Unavailable', keys.clusterPrefix, `cannot use etcd at ${where}: ${e.message.replace(/^etcd at \S+ is unavailable: /, '')}`);
      }
      await sleep(Math.min(50 * attempt, 500));
    }
  }

  const streams = createWatchStreams(rpc, logger);
  const compactionIntervalMs = opts.compactionIntervalMs ?? DEFAULT_COMPACTION_INTERVAL_MS;
  const compactor = compactionIntervalMs > 0 ? startCompactor(rpc, compactionIntervalMs, logger) : undefined;
  let closing: Promise<void> | undefined;
  const closedError = (key: string) => new StoreError('Unavailable', key, 'the store is closed');

  /**
   * Runs a call, turning what etcd or the link answers into the store's errors. A read whose
   * member went away mid-call is tried again (on another member: the channel leaves the dead one
   * out), as clientv3 retries reads; a write never is, since it may have been applied.
   */
  async function call<T>(key: string, write: boolean, run: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (closing) throw closedError(key);
      try {
        return await run();
      } catch (err) {
        if (write || attempt >= READ_ATTEMPTS || !isLinkFailure(err)) throw toStoreError(err, ctx(key, write));
        await sleep(20 * attempt);
      }
    }
  }

  function encode(object: KubeObject): Buffer {
    if (typeof object !== 'object' || object === null || Array.isArray(object)) throw new TypeError('a stored object must be a JSON object');
    const metadata: unknown = object.metadata;
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw new TypeError('a stored object must have metadata');
    const { resourceVersion: _rv, ...rest } = metadata as KubeObject['metadata'];
    return Buffer.from(JSON.stringify({ ...object, metadata: rest }));
  }

  function decode(value: Buffer, revision: number, key: string): KubeObject {
    let o: KubeObject;
    try {
      o = JSON.parse(value.toString('utf8')) as KubeObject;
    } catch {
      throw new Error(`the value of etcd key ${keys.toEtcd(key)} is not a JSON object the store wrote`);
    }
    o.metadata = { ...o.metadata, resourceVersion: String(revision) };
    return o;
  }

  const keyBuf = (key: string) => Buffer.from(keys.toEtcd(key));

  let compactedTo = 0;
  /** With compactKeepRevisions: compacts once a write has gone that far past the last compaction. */
  async function compactAfterWrite(revision: number): Promise<void> {
    const keep = opts.compactKeepRevisions;
    if (!keep || revision - compactedTo < keep * 2) return;
    const target = revision - keep;
    compactedTo = target;
    try {
      await rpc.compact({ revision: target });
    } catch (err) {
      if (!isCompactedError(err)) logger.warn({ err: String((err as Error)?.message ?? err), revision: target }, 'etcd compaction after a write failed');
    }
  }

  function refusedByCurrent(key: string, current: KeyValue | undefined, expectedRevision?: number): StoreError {
    if (!current) return new StoreError('KeyNotFound', key, `key not found: ${key}`);
    return new StoreError('Conflict', key, `revision mismatch for ${key}: expected ${expectedRevision}, current ${current.mod_revision}`);
  }

  async function list(prefix: string): Promise<StoreList> {
    const range = keys.range(prefix);
    const items: { key: string; object: KubeObject }[] = [];
    let revision = 0;
    let from = range.key;
    for (;;) {
      const req: RangeRequest = { key: from, range_end: range.rangeEnd, limit: pageSize, ...(revision ? { revision } : {}) };
      const res = await rpc.range(req);
      if (!revision) revision = res.header.revision;
      for (const kv of res.kvs) {
        const key = keys.fromEtcd(kv.key.toString('utf8'));
        if (key === undefined || (range.filter && !key.startsWith(prefix))) continue;
        items.push({ key, object: decode(kv.value, kv.mod_revision, key) });
      }
      if (!res.more || res.kvs.length === 0) break;
      from = Buffer.concat([res.kvs[res.kvs.length - 1].key, Buffer.from([0])]);
    }
    items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { items: items.map((i) => i.object), revision };
  }

  async function put(kind: 'create' | 'update', key: string, object: KubeObject, expectedRevision?: number): Promise<KubeObject> {
    const value = encode(object);
    const k = keyBuf(key);
    const res = await call(key, true, () =>
      rpc.txn({
        compare: [
          kind === 'create'
            ? { result: 'EQUAL', target: 'CREATE', key: k, create_revision: 0 }
            : { result: 'EQUAL', target: 'MOD', key: k, mod_revision: expectedRevision ?? 0 },
        ],
        success: [{ request_put: { key: k, value } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (!res.succeeded) {
      const current = res.responses[0]?.response_range?.kvs[0];
      if (kind === 'create') throw new StoreError('KeyExists', key, `key already exists: ${key}`);
      throw refusedByCurrent(key, current, expectedRevision);
    }
    await compactAfterWrite(res.header.revision);
    return decode(value, res.header.revision, key);
  }

  function toStoreEvent(e: EtcdEvent, prefix: string, filter: boolean): StoreEvent | undefined | 'gone' {
    const kv = e.kv;
    if (!kv) return undefined;
    const key = keys.fromEtcd(kv.key.toString('utf8'));
    if (key === undefined || (filter && !key.startsWith(prefix))) return undefined;
    if (e.type === 'PUT') {
      return { type: kv.create_revision === kv.mod_revision ? 'ADDED' : 'MODIFIED', key, object: decode(kv.value, kv.mod_revision, key), revision: kv.mod_revision };
    }
    if (!e.prev_kv) return 'gone'; // the object before its delete is no longer in etcd's history
    return { type: 'DELETED', key, object: decode(e.prev_kv.value, kv.mod_revision, key), revision: kv.mod_revision };
  }

  function watch(prefix: string, fromRevision: number, handlers: Parameters<Store['watch']>[2]): StoreWatch {
    let done = false;
    const finish = (err: StoreError): void => {
      if (done) return;
      done = true;
      watcher.cancel();
      handlers.onError(err);
    };
    if (closing) {
      setImmediate(() => done || handlers.onError(closedError(prefix)));
      return { stop: () => void (done = true) };
    }
    const range = keys.range(prefix);
    const watcher = streams.watch(
      { key: range.key, rangeEnd: range.rangeEnd, startRevision: fromRevision + 1 },
      {
        onEvents(events) {
          for (const e of events) {
            if (done) return;
            let ev: ReturnType<typeof toStoreEvent>;
            try {
              ev = toStoreEvent(e, prefix, range.filter);
            } catch (err) {
              logger.error({ err, prefix }, 'etcd watch: a value the store did not write');
              continue;
            }
            if (ev === undefined) continue;
            if (ev === 'gone') {
              finish(new StoreError('Compacted', prefix, `etcd no longer has the object deleted at revision ${e.kv?.mod_revision}; list again`, e.kv?.mod_revision));
              return;
            }
            try {
              handlers.onEvent(ev);
            } catch (err) {
              logger.error({ err }, 'store watch handler threw');
              finish(new StoreError('Unavailable', prefix, `watch handler failed: ${(err as Error)?.message ?? String(err)}`));
              return;
            }
          }
        },
        onEnd({ compactRevision, reason, err }) {
          if (done) return;
          done = true;
          if (compactRevision > 0) return handlers.onError(compactedError(prefix, fromRevision, compactRevision));
          if (closing) return handlers.onError(closedError(prefix));
          const e = err === undefined ? undefined : toStoreError(err, ctx(prefix));
          handlers.onError(
            e instanceof StoreError
              ? e
              : new StoreError('Unavailable', prefix, `etcd at ${where} ended the watch: ${e?.message ?? reason ?? 'canceled'}; watch again from the last resourceVersion seen`),
          );
        },
      },
    );
    return {
      stop() {
        if (done) return;
        done = true;
        watcher.cancel();
      },
    };
  }

  async function currentRevision(): Promise<number> {
    return (await call('', false, () => rpc.range({ key: keys.probeKey }))).header.revision;
  }

  /** Whether etcd still holds revision `rev` (a Range at a compacted revision fails). */
  async function holds(rev: number): Promise<boolean> {
    try {
      await rpc.range({ key: keys.probeKey, revision: rev });
      return true;
    } catch (err) {
      if (isCompactedError(err)) return false;
      throw err;
    }
  }

  /**
   * etcd's compacted revision C (Ranges at C still work, below it they fail): read from the
   * compactor's key, checked, else searched for. A watch from C on delivers every later write
   * (one starting at C itself could miss a delete made at C, whose tombstone compaction drops).
   */
  async function oldestWatchableRevision(): Promise<number> {
    return call('', false, async () => {
      if (await holds(1)) return 0;
      const current = (await rpc.range({ key: keys.probeKey })).header.revision;
      const hintKv = (await rpc.range({ key: COMPACT_REV_KEY })).kvs[0];
      const hint = hintKv ? Number(hintKv.value.toString('utf8')) : 0;
      if (hint > 1 && hint <= current && (await holds(hint)) && !(await holds(hint - 1))) return hint;
      let lo = 2;
      let hi = current;
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        if (await holds(mid)) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    });
  }

  const store: Store = {
    backend: 'etcd',
    async get(key) {
      const res = await call(key, false, () => rpc.range({ key: keyBuf(key) }));
      const kv = res.kvs[0];
      return kv ? decode(kv.value, kv.mod_revision, key) : undefined;
    },
    list: (prefix) => call(prefix, false, () => list(prefix)),
    create: (key, object) => put('create', key, object),
    update: (key, object, expectedRevision) => put('update', key, object, expectedRevision),
    async delete(key, expectedRevision) {
      const k = keyBuf(key);
      const res = await call(key, true, () =>
        rpc.txn({
          compare:
            expectedRevision === undefined
              ? [{ result: 'GREATER', target: 'CREATE', key: k, create_revision: 0 }]
              : [{ result: 'EQUAL', target: 'MOD', key: k, mod_revision: expectedRevision }],
          success: [{ request_delete_range: { key: k, prev_kv: true } }],
          failure: [{ request_range: { key: k } }],
        }),
      );
      const prev = res.responses[0]?.response_delete_range?.prev_kvs[0];
      if (!res.succeeded || !prev) throw refusedByCurrent(key, res.responses[0]?.response_range?.kvs[0], expectedRevision);
      await compactAfterWrite(res.header.revision);
      return decode(prev.value, res.header.revision, key);
    },
    watch,
    currentRevision,
    oldestWatchableRevision,
    close() {
      closing ??= (async () => {
        compactor?.stop();
        streams.close(closedError(''));
        rpc.close();
      })();
      return closing;
    },
  };

  logger.info({ etcd: where, prefix: keys.clusterPrefix || '(none)', compactionIntervalMs }, 'etcd store open');
  return store;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

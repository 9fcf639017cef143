// Compares the three store backends, embedded journal, Redis and etcd, on what the API server
// asks of them: write throughput and latency with 1 and 32 concurrent writers, and how fast a
// watcher receives events (live, while 32 writers write; and replaying history from a
// revision). All are durable before they answer: the embedded store syncs its journal, Redis
// runs with `appendfsync always`, etcd syncs its WAL.
//
//   npm run bench:store [-- --writes 5000 --size 1024 --redis redis://127.0.0.1:6379/0 --etcd 127.0.0.1:2379]
//
// Without --redis / --etcd, a redis-server and a one-member etcd are started for the run (from
// PATH) in a temporary folder. The load average is printed beside the table: figures taken on a
// busy machine are provisional.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import type { KubeObject } from '../src/api/types.js';
import { openEmbeddedStore } from '../src/store/embedded/index.js';
import { startLocalRedis, type LocalRedis } from '../src/store/redis/local-server.js';
import { openRedisStore } from '../src/store/redis/index.js';
import { openEtcdStore } from '../src/store/etcd/index.js';
import { prefixEnd } from '../src/store/etcd/keys.js';
import { startLocalEtcd, type LocalEtcd } from '../src/store/etcd/local-server.js';
import { createEtcdRpc } from '../src/store/etcd/rpc.js';
import type { Store } from '../src/store/store.js';

interface Backend {
  name: string;
  /** A fresh, empty store, and how to dispose of it. */
  open(): Promise<{ store: Store; dispose(): Promise<void> }>;
}

interface Results {
  [metric: string]: number;
}

const { values } = parseArgs({
  options: {
    writes: { type: 'string', default: '5000' },
    size: { type: 'string', default: '1024' },
    redis: { type: 'string' },
    etcd: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write('Usage: npm run bench:store [-- --writes N] [--size BYTES] [--redis redis://HOST:PORT/DB] [--etcd HOST:PORT[,HOST:PORT...]]\n');
  process.exit(0);
}
const WRITES = Number(values.writes);
const SIZE = Number(values.size);
if (!Number.isInteger(WRITES) || WRITES < 100) throw new Error(`--writes must be an integer of at least 100, got ${values.writes}`);
if (!Number.isInteger(SIZE) || SIZE < 0) throw new Error(`--size must be a non-negative integer, got ${values.size}`);

const PAYLOAD = 'x'.repeat(SIZE);
/** History both stores keep: enough for the replay to start from before the live run. */
const HISTORY = Math.max(10_000, WRITES + 1_000);
const NS = '/registry/configmaps/bench/';
const configMap = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'bench', labels: { app: 'bench' } },
  data: { payload: PAYLOAD },
});

const progress = (line: string) => process.stderr.write(`${line}\n`);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** `count` creates by `writers` concurrent writers; objects/s and latency percentiles (ms). */
async function writeLoad(store: Store, count: number, writers: number, tag: string) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = performance.now();
        await store.create(`${NS}${tag}-${i}`, configMap(`${tag}-${i}`));
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: count / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** Resolves with the time (ms) at which a watcher from `from` has received `count` events. */
function watchUntil(store: Store, from: number, count: number): { done: Promise<number>; stop(): void } {
  let received = 0;
  let stop = () => undefined as void;
  const done = new Promise<number>((resolve, reject) => {
    const w = store.watch(NS, from, {
      onEvent: () => {
        if (++received === count) resolve(performance.now());
      },
      onError: (err) => reject(err),
    });
    stop = () => w.stop();
  });
  return { done, stop: () => stop() };
}

async function measure(backend: Backend): Promise<Results> {
  const results: Results = {};
  for (const writers of [1, 32]) {
    const { store, dispose } = await backend.open();
    try {
      const count = writers === 1 ? Math.max(100, Math.floor(WRITES / 5)) : WRITES;
      progress(`  ${backend.name}: ${count} writes, ${writers} writer(s)...`);
      const r = await writeLoad(store, count, writers, `w${writers}`);
      results[`write, ${writers} writer${writers > 1 ? 's' : ''}: objects/s`] = r.perSecond;
      results[`write, ${writers} writer${writers > 1 ? 's' : ''}: p50 ms`] = r.p50;
      results[`write, ${writers} writer${writers > 1 ? 's' : ''}: p99 ms`] = r.p99;
    } finally {
      await dispose();
    }
  }

  const { store, dispose } = await backend.open();
  try {
    progress(`  ${backend.name}: watch while 32 writers write ${WRITES} objects...`);
    const from = await store.currentRevision();
    const live = watchUntil(store, from, WRITES);
    const started = performance.now();
    await writeLoad(store, WRITES, 32, 'live');
    const finished = await live.done;
    live.stop();
    results['watch, live: events/s'] = WRITES / ((finished - started) / 1000);

    progress(`  ${backend.name}: watch replaying ${WRITES} events from a revision...`);
    const replayStart = performance.now();
    const replay = watchUntil(store, from, WRITES);
    const replayed = await replay.done;
    replay.stop();
    results['watch, replay: events/s'] = WRITES / ((replayed - replayStart) / 1000);
  } finally {
    await dispose();
  }
  return results;
}

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(2);
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, c) => (c === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(rows[0]), rule, ...rows.slice(1).map(line)].join('\n');
}

async function main(): Promise<void> {
  const temp = await mkdtemp(join(tmpdir(), 'loopkube-bench-'));
  let redisServer: LocalRedis | undefined;
  let etcdServer: LocalEtcd | undefined;
  let opened = 0;
  try {
    let url = values.redis;
    if (!url) {
      const dir = join(temp, 'redis');
      await mkdir(dir);
      redisServer = await startLocalRedis({ dir });
      url = redisServer.url;
    }
    const probe = new Redis(url, { maxRetriesPerRequest: 1 });
    const info = await probe.info('server');
    probe.disconnect();
    const redisVersion = /redis_version:([0-9.]+)/.exec(info)?.[1] ?? '?';
    const redisUrl = url;
    let etcdEndpoints = values.etcd?.split(',');
    if (!etcdEndpoints) {
      const dir = join(temp, 'etcd');
      await mkdir(dir, { mode: 0o700 });
      etcdServer = await startLocalEtcd({ dir });
      etcdEndpoints = etcdServer.endpoints;
    }
    const endpoints = etcdEndpoints;
    const etcdVersion = /etcd Version: (\S+)/.exec(execFileSync('etcd', ['--version'], { encoding: 'utf8' }))?.[1] ?? '?';

    const backends: Backend[] = [
      {
        name: 'embedded',
        async open() {
          const dir = join(temp, `embedded-${++opened}`);
          const store = await openEmbeddedStore(dir, { historyLimit: HISTORY });
          return {
            store,
            async dispose() {
              await store.close();
              await rm(dir, { recursive: true, force: true });
            },
          };
        },
      },
      {
        name: 'redis',
        async open() {
          const prefix = `loopkube/bench-${process.pid}-${++opened}`;
          const store = await openRedisStore(redisUrl, { prefix, streamMaxLen: HISTORY });
          return {
            store,
            async dispose() {
              await store.close();
              const raw = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
              for (let cursor = '0'; ; ) {
                const [nextCursor, keys] = await raw.scan(cursor, 'MATCH', `${prefix}/*`, 'COUNT', 1000);
                if (keys.length) await raw.unlink(...keys);
                cursor = nextCursor;
                if (cursor === '0') break;
              }
              raw.disconnect();
            },
          };
        },
      },
      {
        name: 'etcd',
        async open() {
          const prefix = `/loopkube-bench-${process.pid}-${++opened}`;
          const store = await openEtcdStore({ endpoints, prefix, compactionIntervalMs: 0 });
          return {
            store,
            async dispose() {
              await store.close();
              const rpc = createEtcdRpc({ endpoints, callTimeoutMs: 30_000 });
              const key = Buffer.from(`${prefix}/`);
              await rpc.deleteRange({ key, range_end: prefixEnd(key) });
              rpc.close();
            },
          };
        },
      },
    ];

    progress(`store benchmark: ${WRITES} writes of ~${SIZE} B objects; node ${process.version}, ${cpus().length} CPUs, Redis ${redisVersion} (appendfsync ${redisServer ? 'always' : 'as configured'}), etcd ${etcdVersion} (${endpoints.length} member${endpoints.length > 1 ? 's' : ''})`);
    const measured: Record<string, Results> = {};
    for (const b of backends) measured[b.name] = await measure(b);

    const metrics = Object.keys(measured.embedded);
    const rows = [['metric', 'embedded', 'redis', 'etcd', 'redis / embedded', 'etcd / embedded']];
    for (const m of metrics) {
      const e = measured.embedded[m];
      const r = measured.redis[m];
      const d = measured.etcd[m];
      rows.push([m, formatNumber(e), formatNumber(r), formatNumber(d), `${(r / e).toFixed(2)}x`, `${(d / e).toFixed(2)}x`]);
    }
    const load = loadavg().map((l) => l.toFixed(2)).join(' ');
    process.stdout.write(`\n${table(rows)}\n\nload average (1, 5, 15 min): ${load} on ${cpus().length} CPUs\n`);
  } finally {
    await redisServer?.stop();
    await etcdServer?.stop();
    await rm(temp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-store: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});

// The embedded store: the shared conformance suite, plus what only a journal-on-disk store has:
// recovery from a torn last line, snapshots, the directory lock, and SIGKILL of a real process
// in the middle of a burst of writes.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/types.js';
import { crashEmbeddedStore, openEmbeddedStore, type EmbeddedStoreOptions } from '../../src/store/embedded/index.js';
import type { Store, StoreEvent } from '../../src/store/store.js';
import { describeStoreConformance, type StoreHarness } from './conformance.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURE = join(ROOT, 'test', 'store', 'fixtures', 'write-burst.mjs');
const COMPILED = join(ROOT, 'dist', 'src', 'store', 'embedded', 'index.js');

function embeddedHarness(base: EmbeddedStoreOptions) {
  return async ({ historyLimit }: { historyLimit?: number }): Promise<StoreHarness> => {
    const dir = await mkdtemp(join(tmpdir(), 'loopkube-store-'));
    const opts = { ...base, historyLimit: historyLimit ?? base.historyLimit };
    let current = await openEmbeddedStore(dir, opts);
    return {
      store: current,
      reopen: async () => (current = await openEmbeddedStore(dir, opts)),
      crash: () => crashEmbeddedStore(current),
      cleanup: async () => {
        await current.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  };
}

describeStoreConformance('embedded', embeddedHarness({}));
describeStoreConformance('embedded, snapshot every 7 writes', embeddedHarness({ compactEvery: 7 }));

const NS = '/registry/configmaps/default/';
const configMap = (name: string, value: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default' },
  data: { value },
});
const valueOf = (o: KubeObject | undefined) => (o?.data as { value?: string } | undefined)?.value;

async function journalFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.startsWith('journal-')).sort();
}

describe('embedded store on disk', () => {
  const dirs: string[] = [];
  const stores: Store[] = [];
  const children: ChildProcess[] = [];

  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'loopkube-store-'));
    dirs.push(dir);
    return dir;
  }
  async function openStore(dir: string, opts: EmbeddedStoreOptions = {}): Promise<Store> {
    const s = await openEmbeddedStore(dir, opts);
    stores.push(s);
    return s;
  }

  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const s of stores.splice(0)) await s.close();
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  const tornTails: [string, string][] = [
    ['a half-written line', '{"rev":6,"type":"ADDED","key":"/registry/configmaps/default/torn","obj'],
    ['a whole record whose newline never made it', '{"rev":6,"type":"ADDED","key":"/registry/configmaps/default/torn","object":{"metadata":{"name":"torn"}}}'],
    ['zero bytes the file system padded the tail with', '\0\0\0\0\0\0\0\0'],
    ['a malformed last line', 'not json at all\n'],
  ];
  for (const [what, tail] of tornTails) {
    it(`recovers from a journal ending in ${what}, and keeps writing after it`, async () => {
      const dir = await tempDir();
      const first = await openStore(dir);
      for (let i = 1; i <= 5; i++) await first.create(`${NS}n${i}`, configMap(`n${i}`, String(i)));
      await first.close();
      const [journal] = await journalFiles(dir);
      await appendFile(join(dir, journal), tail);

      const second = await openStore(dir);
      expect((await second.list(NS)).items.map(valueOf)).toEqual(['1', '2', '3', '4', '5']);
      expect(await second.get(`${NS}torn`)).toBeUndefined();
      expect(await second.currentRevision()).toBe(5);
      const sixth = await second.create(`${NS}n6`, configMap('n6', '6'));
      expect(sixth.metadata.resourceVersion).toBe('6');
      await second.close();

      const third = await openStore(dir);
      expect((await third.list(NS)).items.map(valueOf)).toEqual(['1', '2', '3', '4', '5', '6']);
    });
  }

  it('refuses to open a journal with a damaged line in the middle, instead of dropping writes', async () => {
    const dir = await tempDir();
    const s = await openStore(dir);
    for (let i = 1; i <= 3; i++) await s.create(`${NS}n${i}`, configMap(`n${i}`, String(i)));
    await s.close();
    const [journal] = await journalFiles(dir);
    const lines = (await readFile(join(dir, journal), 'utf8')).split('\n');
    lines[1] = 'garbage';
    await writeFile(join(dir, journal), lines.join('\n'));
    await expect(openEmbeddedStore(dir)).rejects.toThrow(/corrupt/);
  });

  it('snapshots every N writes, drops the journal the snapshot covers, and reopens to the same state', async () => {
    const dir = await tempDir();
    const s = await openStore(dir, { compactEvery: 10 });
    const objects = new Map<string, KubeObject>();
    for (let i = 0; i < 40; i++) objects.set(`n${i}`, await s.create(`${NS}n${i}`, configMap(`n${i}`, 'v1')));
    for (let i = 0; i < 40; i += 3) {
      const o = objects.get(`n${i}`) as KubeObject;
      await s.update(`${NS}n${i}`, configMap(`n${i}`, 'v2'), Number(o.metadata.resourceVersion));
    }
    for (let i = 1; i < 40; i += 4) await s.delete(`${NS}n${i}`);
    const before = await s.list(NS);
    await s.close();

    const files = await readdir(dir);
    expect(files).toContain('snapshot.jsonl');
    expect((await journalFiles(dir)).length).toBeLessThanOrEqual(2);
    const journalLines = (
      await Promise.all((await journalFiles(dir)).map((f) => readFile(join(dir, f), 'utf8')))
    ).join('').split('\n').filter(Boolean).length;
    expect(journalLines).toBeLessThan(10);

    const reopened = await openStore(dir, { compactEvery: 10 });
    expect(await reopened.list(NS)).toEqual(before);
    expect(await reopened.currentRevision()).toBe(before.revision);
  });

  it('lets a watch resume after a restart from a revision written before it', async () => {
    const dir = await tempDir();
    const s = await openStore(dir);
    const a = await s.create(`${NS}a`, configMap('a', 'a1'));
    await s.update(`${NS}a`, configMap('a', 'a2'), Number(a.metadata.resourceVersion));
    await s.create(`${NS}b`, configMap('b', 'b1'));
    await s.close();

    const reopened = await openStore(dir);
    expect(await reopened.oldestWatchableRevision()).toBeLessThanOrEqual(1);
    const events: StoreEvent[] = [];
    const errors: Error[] = [];
    const w = reopened.watch(NS, 1, { onEvent: (e) => void events.push(e), onError: (err) => void errors.push(err) });
    await reopened.create(`${NS}c`, configMap('c', 'c1'));
    await waitFor(() => events.length === 3);
    expect(events.map((e) => [e.type, e.key, e.revision])).toEqual([
      ['MODIFIED', `${NS}a`, 2],
      ['ADDED', `${NS}b`, 3],
      ['ADDED', `${NS}c`, 4],
    ]);
    expect(errors).toEqual([]);
    w.stop();
  });

  it('refuses a second open of the same directory in this process', async () => {
    const dir = await tempDir();
    await openStore(dir);
    await expect(openEmbeddedStore(dir)).rejects.toThrow(/already open in this process/);
  });

  describe('with child processes', () => {
    beforeAll(async () => {
      await buildIfStale();
    }, 300_000);

    it('refuses to open a directory another live process holds, and takes it over once that process is killed', async () => {
      const dir = await tempDir();
      const holder = startChild(dir, 'hold', '0');
      await holder.opened;
      await expect(openEmbeddedStore(dir)).rejects.toThrow(new RegExp(`in use by another process \\(pid ${holder.child.pid}`));
      holder.child.kill('SIGKILL');
      await holder.exited;
      const s = await openStore(dir);
      expect(await s.currentRevision()).toBe(0);
    });

    it('loses no acknowledged write when the writing process is SIGKILLed mid-burst, again and again', async () => {
      const dir = await tempDir();
      const acked = new Map<string, { value: string; revision: number }>();
      let counter = { value: 0, revision: 0 };
      for (const [round, killAfter] of [[1, 150], [2, 400], [3, 250]] as const) {
        const run = startChild(dir, 'burst', String(round));
        let seen = 0;
        run.onLine((line) => {
          const [word, key, value, revision] = line.split(' ');
          if (word !== 'ack') return;
          if (key.endsWith('/counter')) {
            if (Number(revision) > counter.revision) counter = { value: Number(value), revision: Number(revision) };
          } else {
            acked.set(key, { value, revision: Number(revision) });
          }
          if (++seen === killAfter) run.child.kill('SIGKILL');
        });
        const exit = await run.exited;
        expect(exit.signal, `round ${round} stderr: ${run.stderr()}`).toBe('SIGKILL');
        expect(seen).toBeGreaterThanOrEqual(killAfter);
      }

      const s = await openStore(dir);
      const missing: string[] = [];
      for (const [key, { value, revision }] of acked) {
        const o = await s.get(key);
        if (!o || valueOf(o) !== value || Number(o.metadata.resourceVersion) !== revision) missing.push(key);
      }
      expect(missing).toEqual([]);
      const c = await s.get('/registry/configmaps/burst/counter');
      expect(Number(valueOf(c))).toBeGreaterThanOrEqual(counter.value);
      expect(Number(c?.metadata.resourceVersion)).toBeGreaterThanOrEqual(counter.revision);
      const highest = Math.max(counter.revision, ...[...acked.values()].map((a) => a.revision));
      expect(await s.currentRevision()).toBeGreaterThanOrEqual(highest);
    });

    function startChild(dir: string, mode: 'hold' | 'burst', round: string) {
      const child = spawn(process.execPath, [FIXTURE, dir, mode, round], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let err = '';
      child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
      const listeners: ((line: string) => void)[] = [];
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      const opened = new Promise<void>((resolve, reject) => {
        lines.on('line', (line) => {
          if (line === 'open') resolve();
          for (const l of listeners) l(line);
        });
        child.on('exit', () => reject(new Error(`child exited before opening the store: ${err}`)));
      });
      opened.catch(() => undefined);
      // 'close' comes after stdout is fully read, so every line the child printed has been seen.
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on('close', (code, signal) => resolve({ code, signal })),
      );
      return { child, opened, exited, onLine: (l: (line: string) => void) => listeners.push(l), stderr: () => err };
    }
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The child processes run the compiled store: compile it when dist is missing or older than src. */
async function buildIfStale(): Promise<void> {
  const srcDir = join(ROOT, 'src', 'store');
  let newestSource = 0;
  for (const entry of await readdir(srcDir, { recursive: true })) {
    if (entry.endsWith('.ts')) newestSource = Math.max(newestSource, (await stat(join(srcDir, entry))).mtimeMs);
  }
  if (existsSync(COMPILED) && (await stat(COMPILED)).mtimeMs >= newestSource) return;
  // tsc emits even when files elsewhere in the tree have type errors; only our output matters.
  await promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT }).catch(() => undefined);
  if (!existsSync(COMPILED)) throw new Error(`building ${COMPILED} with tsc failed`);
}

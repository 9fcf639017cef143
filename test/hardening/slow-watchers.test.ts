// Watchers that never read cannot hold the API server's memory: each watcher's pending bytes
// (events queued for it plus what its connection still buffers) are bounded, and one past the
// bound is closed as kube-apiserver's cacher closes an unresponsive watcher (the stream ends, the
// client watches again or relists), counted in apiserver_terminated_watchers_total; the initial
// objects of a watch are written as the client reads them, from the watch cache's shared
// objects. Found by a probe: 20 never-reading watches and 20 POSTs of 2.9 MB took the RSS from
// 587 to 2,247 MiB.
import https from 'node:https';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeList } from '../../src/api/types.js';
import { WATCHER_MAX_PENDING_BYTES } from '../../src/store/watch-cache.js';
import { startTestControlPlane, waitFor, type TestControlPlane } from '../support/control-plane.js';

let cp: TestControlPlane;
const NS = 'slow-watchers';
const CM = `/api/v1/namespaces/${NS}/configmaps`;
const WATCHERS = 20;
const WRITES = 40;
/** Each ConfigMap's data: under the 1 MiB a ConfigMap may hold. */
const BLOB = 900_000;
const WRITTEN = WRITES * BLOB;
const OPEN_WATCHES = 'apiserver_longrunning_requests{verb="WATCH",group="",version="v1",resource="configmaps",subresource="",scope="namespace"}';

interface Watcher {
  req: ClientRequest;
  res: IncomingMessage;
  bytes: number;
  ended: boolean;
}

const open: Watcher[] = [];

function get(path: string): Promise<string> {
  const url = new URL(cp.clientConfig.server);
  return new Promise((resolve, reject) => {
    https
      .get({ host: url.hostname, port: url.port, path, ca: cp.clientConfig.ca, agent: false, headers: { Authorization: `Bearer ${cp.clientConfig.token}` } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** Opens a watch and, unless `read`, never reads from it (the response is paused at once). */
function watch(query: string, read: boolean): Promise<Watcher> {
  const url = new URL(cp.clientConfig.server);
  return new Promise((resolve, reject) => {
    const req = https.get(
      { host: url.hostname, port: url.port, path: `${CM}?watch=1&${query}`, ca: cp.clientConfig.ca, agent: false, headers: { Authorization: `Bearer ${cp.clientConfig.token}` } },
      (res) => {
        const w: Watcher = { req, res, bytes: 0, ended: false };
        open.push(w);
        if (!read) res.pause();
        res.on('data', (d: Buffer) => (w.bytes += d.length));
        res.on('end', () => (w.ended = true));
        res.on('error', () => (w.ended = true));
        resolve(w);
      },
    );
    req.on('error', (err) => (open.some((w) => w.req === req) ? undefined : reject(err)));
  });
}

/** Counts the ADDED events a watch delivers (each line's start is enough: lines are large). */
function countAdded(w: Watcher): () => number {
  let n = 0;
  let line = '';
  w.res.setEncoding('utf8');
  w.res.on('data', (d: string) => {
    const parts = (line + d).split('\n');
    line = parts.pop()!.slice(0, 64);
    for (const p of parts) if (p.startsWith('{"type":"ADDED"')) n++;
  });
  return () => n;
}

/** The control plane's resident memory, in bytes. */
function rss(): number {
  const status = readFileSync(`/proc/${cp.process.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

async function metric(line: string): Promise<number> {
  const text = await get('/metrics');
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found ? Number(found.split(' ')[1]) : 0;
}

const configMap = (name: string, fill: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { blob: fill.repeat(BLOB) } });

beforeAll(async () => {
  cp = await startTestControlPlane();
  await cp.client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
}, 60_000);

afterAll(async () => {
  for (const w of open) w.req.destroy();
  await cp?.stop();
});

describe('watchers bounded by bytes, as kube-apiserver closes unresponsive watchers', () => {
  it(`closes ${WATCHERS} watchers that never read once ${WATCHER_MAX_PENDING_BYTES / 2 ** 20} MiB wait for each, while a reading watcher gets every event, and memory stays bounded`, async () => {
    // what the writes themselves cost the server (request bodies, the store, the watch cache's
    // ring, garbage not yet collected), with one reading watcher: the baseline
    const baseline = await watch('resourceVersion=0', true);
    const seen = countAdded(baseline);
    const start = rss();
    for (let i = 0; i < WRITES; i++) await cp.client.create(CM, configMap(`base-${i}`, String.fromCharCode(65 + (i % 26))));
    await waitFor('the baseline watcher to see every write', () => seen() === WRITES, 60_000);
    const writesCost = rss() - start;
    baseline.req.destroy();

    const rv = ((await cp.client.list(CM)) as KubeList).metadata.resourceVersion ?? '';
    const slow = await Promise.all(Array.from({ length: WATCHERS }, () => watch(`resourceVersion=${rv}`, false)));
    const reader = await watch(`resourceVersion=${rv}`, true);
    const events = countAdded(reader);
    await waitFor('every watch registered', async () => (await metric(OPEN_WATCHES)) === WATCHERS + 1, 20_000);
    const before = rss();

    for (let i = 0; i < WRITES; i++) await cp.client.create(CM, configMap(`big-${i}`, String.fromCharCode(97 + (i % 26))));

    await waitFor('the reading watcher to see every write', () => events() === WRITES, 60_000);
    await waitFor('every never-reading watcher closed and counted', async () => (await metric('apiserver_terminated_watchers_total{resource="configmaps"}')) === WATCHERS, 30_000);
    const grown = rss() - before;
    // unbounded, the never-reading watchers would hold all that was written, each (20 x 36 MB);
    // bounded, what they add is what went through their connections before the cut (garbage
    // the collector has not taken back yet, mostly): a generous ceiling of half the unbounded
    expect(grown - writesCost, `RSS grew ${Math.round(grown / 2 ** 20)} MiB, the same writes with no slow watcher ${Math.round(writesCost / 2 ** 20)} MiB`).toBeLessThan((WATCHERS * WRITTEN) / 2);

    // a closed watcher, read at last, ends short of what was written: its client watches again
    for (const w of slow) w.res.resume();
    await waitFor('every slow watch stream to end', () => slow.every((w) => w.ended), 30_000);
    for (const w of slow) expect(w.bytes).toBeLessThan(WRITTEN);
    expect(reader.ended).toBe(false);
    // and the reader that kept up was not closed
    expect(await metric('apiserver_terminated_watchers_total{resource="configmaps"}')).toBe(WATCHERS);
  }, 180_000);

  it(`writes a watch's initial objects as its client reads them: ${WATCHERS} never-reading watches of ${Math.round((2 * WRITTEN) / 1e6)} MB hold up no one and no memory`, async () => {
    const before = rss();
    const slow = await Promise.all(Array.from({ length: WATCHERS }, () => watch('resourceVersion=', false)));
    await waitFor('every watch registered', async () => (await metric(OPEN_WATCHES)) >= WATCHERS, 20_000);
    // the API answers and takes writes while they sit
    await cp.client.create(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'small' }, data: { a: 'b' } });
    expect((JSON.parse(await get(`${CM}?limit=1`)) as KubeList).items).toHaveLength(1);
    const grown = rss() - before;
    // written all at once, each would hold the whole list (20 x 72 MB)
    expect(grown, `RSS grew ${Math.round(grown / 2 ** 20)} MiB`).toBeLessThan((WATCHERS * WRITTEN) / 4);
    // a client that reads at last gets every object, then the live events
    const w = slow[0]!;
    const added = countAdded(w);
    w.res.resume();
    await waitFor('every initial object to arrive', () => added() === 2 * WRITES + 1, 60_000);
    for (const s of slow) s.req.destroy();
  }, 180_000);
});

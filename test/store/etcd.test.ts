// The etcd store against a real etcd (Debian's etcd-server) started for this file on free ports:
// the shared store conformance suite (crash safety by SIGKILL of etcd itself), then what only
// etcd has: kube-apiserver's key layout as etcdctl shows it, etcd's request size limit reported
// as kube-apiserver reports it, and compaction shared by two API servers.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api/errors.js';
import type { KubeObject } from '../../src/api/types.js';
import { openEtcdStore, type EtcdStoreOptions } from '../../src/store/etcd/index.js';
import { startLocalEtcd, type LocalEtcd } from '../../src/store/etcd/local-server.js';
import { isStoreError, type Store } from '../../src/store/store.js';
import { waitFor } from '../support/wait.js';
import { configMap, describeStoreConformance, NS, rv, serverBackedHarness, type StoreHarness } from './conformance.js';

const run = promisify(execFile);

let server: LocalEtcd | undefined;
let dataDir: string | undefined;
let prefixes = 0;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'loopkube-etcd-'));
  server = await startLocalEtcd({ dir: dataDir });
});

afterAll(async () => {
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function etcd(): LocalEtcd {
  if (!server) throw new Error('etcd did not start');
  return server;
}

const freshPrefix = () => `/t${process.pid}-${++prefixes}`;

describeStoreConformance('etcd', async ({ historyLimit }): Promise<StoreHarness> => {
  // etcd keeps history until it is compacted: a store asked for a short history compacts as it
  // writes (the periodic compactor has a test of its own below).
  const opts: EtcdStoreOptions = { endpoints: etcd().endpoints, prefix: freshPrefix(), compactionIntervalMs: 0, ...(historyLimit ? { compactKeepRevisions: historyLimit } : {}) };
  return serverBackedHarness(etcd, () => openEtcdStore(opts));
});

describe('etcd store', () => {
  const stores: Store[] = [];
  async function open(opts: Partial<EtcdStoreOptions> = {}): Promise<Store> {
    const s = await openEtcdStore({ endpoints: etcd().endpoints, prefix: freshPrefix(), compactionIntervalMs: 0, ...opts });
    stores.push(s);
    return s;
  }
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
  });

  const etcdctl = async (...args: string[]) =>
    (await run('etcdctl', ['--endpoints', etcd().endpoints.join(','), ...args], { env: { ...process.env, ETCDCTL_API: '3' } })).stdout;

  it("keeps objects under kube-apiserver's keys, which etcdctl lists and reads", async () => {
    const store = await open({ prefix: '' });
    const objects: [string, KubeObject][] = [
      ['/registry/pods/default/web-1', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'default' } }],
      ['/registry/services/default/web', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' } }],
      ['/registry/endpoints/default/web', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'default' } }],
      ['/registry/nodes/node-1', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } }],
      ['/registry/replicationcontrollers/default/web', { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'web', namespace: 'default' } }],
      ['/registry/coordination.k8s.io/leases/kube-node-lease/node-1', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'node-1', namespace: 'kube-node-lease' } }],
      ['/registry/namespaces/default', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }],
    ];
    try {
      for (const [k, o] of objects) await store.create(k, o);
      const listed = (await etcdctl('get', '--prefix', '--keys-only', '/registry/')).split('\n').filter(Boolean);
      expect(listed).toEqual([
        '/registry/controllers/default/web',
        '/registry/leases/kube-node-lease/node-1',
        '/registry/minions/node-1',
        '/registry/namespaces/default',
        '/registry/pods/default/web-1',
        '/registry/services/endpoints/default/web',
        '/registry/services/specs/default/web',
      ]);
      const value = (await etcdctl('get', '--print-value-only', '/registry/minions/node-1')).trim();
      expect(JSON.parse(value)).toEqual({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } });
      // The store sees its own keys: a list of every service, a watch from the start.
      expect((await store.list('/registry/services/')).items.map((o) => o.kind)).toEqual(['Service']);
      expect((await store.list('/registry/')).items.map((o) => o.kind)).toEqual([
        'Lease', // /registry/coordination.k8s.io/leases/..., sorted by the store's keys
        'Endpoints',
        'Namespace',
        'Node',
        'Pod',
        'ReplicationController',
        'Service',
      ]);
      expect((await store.list('/registry/coordination.k8s.io/')).items.map((o) => o.kind)).toEqual(['Lease']);
    } finally {
      for (const [k] of objects) await store.delete(k).catch(() => undefined);
    }
  });

  it('refuses an object over etcd\'s 1.5 MiB request limit as kube-apiserver reports it, and stores nothing', async () => {
    const store = await open();
    const before = await store.currentRevision();
    const big = { ...configMap('big', 'x'), data: { value: 'x'.repeat(1_600_000) } };
    const err = await store.create(`${NS}big`, big).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toMatchObject({ code: 500, message: 'etcdserver: request is too large' });
    expect(await store.get(`${NS}big`)).toBeUndefined();
    expect(await store.currentRevision()).toBe(before);
    // Just under the limit is fine.
    const fits = await store.create(`${NS}fits`, { ...configMap('fits', 'x'), data: { value: 'x'.repeat(1_400_000) } });
    expect(rv(fits)).toBeGreaterThan(before);
  });

  it('compacts on its own, and two stores on one etcd take turns (compact_rev_key)', async () => {
    const a = await open({ compactionIntervalMs: 100 });
    const b = await open({ compactionIntervalMs: 100 });
    const first = await a.create(`${NS}first`, configMap('first', 'x'));
    await waitFor('a compaction past the first write', async () => {
      await b.create(`${NS}n${Math.random().toString(36).slice(2)}`, configMap('n', 'x'));
      return (await a.oldestWatchableRevision()) > rv(first);
    });
    expect(await b.oldestWatchableRevision()).toBeGreaterThan(rv(first));
    const version = Number((await etcdctl('get', '-w', 'json', 'compact_rev_key')).match(/"version":(\d+)/)?.[1]);
    expect(version).toBeGreaterThanOrEqual(2);
  });

  it('fails calls with Unavailable while etcd is down instead of hanging, and works again once it is back', async () => {
    const store = await open({ callTimeoutMs: 2_000 });
    await store.create(`${NS}before`, configMap('before', 'x'));
    await etcd().kill();
    try {
      const outcomes = await Promise.all([
        store.create(`${NS}during`, configMap('during', 'x')).then(() => 'ok', (e: unknown) => e),
        store.get(`${NS}before`).then(() => 'ok', (e: unknown) => e),
        store.list(NS).then(() => 'ok', (e: unknown) => e),
      ]);
      for (const o of outcomes) {
        expect(isStoreError(o, 'Unavailable'), String(o)).toBe(true);
        expect(String((o as Error).message)).toMatch(/^etcd at 127\.0\.0\.1:\d+ is unavailable: /);
      }
    } finally {
      await etcd().start();
    }
    const after = await waitFor('a write once etcd is back', () => store.create(`${NS}after`, configMap('after', 'x')));
    expect(rv(after)).toBeGreaterThan(1);
  });

  it('fails to open with a clear error when nothing listens at the address', async () => {
    const err = await openEtcdStore({ endpoints: ['127.0.0.1:1'], prefix: '/nowhere', openTimeoutMs: 1_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isStoreError(err, 'Unavailable')).toBe(true);
    expect((err as Error).message).toMatch(/^cannot use etcd at 127\.0\.0\.1:1: /);
  });
});

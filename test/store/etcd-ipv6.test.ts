// An etcd of three members on IPv6 loopback (::1), named in one URL as a user would write it
// (`--store etcd://[::1]:P1,[::1]:P2,[::1]:P3`): the store spreads its calls over the members and
// answers again, with nothing acknowledged lost, once the other two have a leader after one of them
// is killed (a write in flight on the killed member, or before a new leader, may fail: etcd-members
// tests that bound). (`up`'s refusal of several host names in one URL is in
// test/cli/resolve-config.test.ts.)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/types.js';
import { openEtcdStore, parseEtcdUrl } from '../../src/store/etcd/index.js';
import { startLocalEtcd, type LocalEtcd } from '../../src/store/etcd/local-server.js';
import { isStoreError, type Store } from '../../src/store/store.js';
import { waitFor } from '../support/wait.js';

let etcd: LocalEtcd | undefined;
let store: Store | undefined;
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loopkube-etcd-v6-'));
  etcd = await startLocalEtcd({ dir, members: 3, host: '::1' });
});
afterAll(async () => {
  await store?.close();
  await etcd?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const configMap = (name: string, value: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { value } }) as KubeObject;

describe('etcd on IPv6', () => {
  it('a URL of three [::1] members: writes and reads go through, and do again with one member killed', async () => {
    const url = etcd!.url;
    expect(url).toMatch(/^etcd:\/\/\[::1\]:\d+,\[::1\]:\d+,\[::1\]:\d+$/);
    const parsed = parseEtcdUrl(`${url}/`)!;
    store = await openEtcdStore({ endpoints: parsed.endpoints, prefix: '/v6-test', compactionIntervalMs: 0 });
    await store.create('/registry/configmaps/default/a', configMap('a', '1'));
    expect((await store.get('/registry/configmaps/default/a')) as unknown).toMatchObject({ data: { value: '1' } });

    await etcd!.members[0]!.kill();
    await waitFor('a write accepted by the two members left', async () => {
      try {
        return await store!.create('/registry/configmaps/default/b', configMap('b', '2'));
      } catch (err) {
        if (isStoreError(err, 'KeyExists')) return true; // a failed-looking try that was applied
        return undefined;
      }
    });
    const names = (await store.list('/registry/configmaps/default/')).items.map((o) => o.metadata.name);
    expect(names).toEqual(['a', 'b']);
  });

});

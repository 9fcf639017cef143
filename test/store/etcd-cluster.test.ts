// A whole cluster on an etcd of its own, as a user runs it: `loopkube up --etcd`; then `etcdctl
// get --prefix --keys-only /registry/` lists the cluster's objects under kube-apiserver's keys;
// `loopkube down` and `loopkube up` again bring every object back, ClusterIPs and NodePorts
// included, and the allocators know them (a new Service gets other ones).
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/api/types.js';
import { createApiClient, type ApiClient } from '../../src/client/client.js';
import { clientConfigFromHome } from '../../src/client/config.js';
import { readClusterConfig } from '../../src/cluster/config.js';
import { startLocalEtcd, type LocalEtcd } from '../../src/store/etcd/local-server.js';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';

const run = promisify(execFile);
const SERVICES = '/api/v1/namespaces/default/services';

const nodePortService = (name: string): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, labels: { app: name } },
  spec: { type: 'NodePort', selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
});
const allocated = (s: Service) => ({ clusterIP: s.spec.clusterIP, nodePort: s.spec.ports?.[0]?.nodePort });

describe('a cluster on an etcd of its own (loopkube up --etcd)', () => {
  let c: TestCluster | undefined;
  const clients: ApiClient[] = [];
  beforeAll(async () => {
    c = await startTestCluster({ upArgs: ['--etcd'] });
  });
  afterAll(async () => {
    for (const k of clients) k.close();
    await c?.down();
  });

  it('shows its objects to etcdctl under /registry/, and brings every one back after down and up', async () => {
    const cluster = c!;
    const endpoints = readClusterConfig(cluster.home).managedEtcd!.members.map((m) => `127.0.0.1:${m.clientPort}`);
    expect(readClusterConfig(cluster.home).store).toBe(`etcd://${endpoints.join(',')}/`);
    const web = await cluster.client.create<Service>(SERVICES, nodePortService('web'));
    const db = await cluster.client.create<Service>(SERVICES, { ...nodePortService('db'), spec: { selector: { app: 'db' }, ports: [{ port: 5432 }] } });
    expect(allocated(web).nodePort).toBeGreaterThanOrEqual(30000);

    const { stdout } = await run('etcdctl', ['--endpoints', endpoints.join(','), 'get', '--prefix', '--keys-only', '/registry/'], { env: { ...process.env, ETCDCTL_API: '3' } });
    const keys = stdout.split('\n').filter(Boolean);
    for (const k of [
      '/registry/services/specs/default/web',
      '/registry/services/specs/default/db',
      '/registry/services/specs/default/kubernetes',
      '/registry/services/endpoints/default/kubernetes',
      '/registry/namespaces/kube-system',
    ]) {
      expect(keys).toContain(k);
    }
    const before = await cluster.client.list<Service>(SERVICES);

    const down = await cluster.loopkube(['down', '--name', cluster.name]);
    expect(down.code, down.stderr).toBe(0);
    const up = await cluster.loopkube(['up', '--name', cluster.name], { timeoutMs: 90_000 });
    expect(up.code, up.stderr).toBe(0);
    expect(readClusterConfig(cluster.home).store).toBe(`etcd://${endpoints.join(',')}/`); // same members, same ports

    const again = createApiClient(clientConfigFromHome(cluster.home));
    clients.push(again);
    const after = await waitFor('the API server to answer', () => again.list<Service>(SERVICES), 30_000);
    expect(after.items).toEqual(before.items);
    expect(await again.get<Service>(`${SERVICES}/web`)).toEqual(web);
    expect(await again.get<Service>(`${SERVICES}/db`)).toEqual(db);

    // The allocators rebuilt from the store: a new Service gets an address and a port of its own.
    const next = await again.create<Service>(SERVICES, nodePortService('next'));
    expect(allocated(next).clusterIP).not.toBe(allocated(web).clusterIP);
    expect(allocated(next).clusterIP).not.toBe(allocated(db).clusterIP);
    expect(allocated(next).nodePort).not.toBe(allocated(web).nodePort);
    const kubectl = await cluster.kubectl(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP} {.spec.ports[0].nodePort}']);
    expect(kubectl.stdout).toBe(`${allocated(web).clusterIP} ${allocated(web).nodePort}`);
  });

  it("refuses --etcd on a cluster made with another store, naming what it was made with", async () => {
    const cluster = c!;
    expect((await cluster.loopkube(['down', '--name', cluster.name])).code).toBe(0);
    const r = await cluster.loopkube(['up', '--name', cluster.name, '--etcd=3']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('keeps its objects in an etcd of its own with 1 member (--etcd=1), chosen when it was created');
  });
});

describe('a cluster on an etcd that is already running (loopkube up --store etcd://HOST:PORT)', () => {
  let dir: string;
  let etcd: LocalEtcd | undefined;
  let c: TestCluster | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loopkube-etcd-shared-'));
    etcd = await startLocalEtcd({ dir });
    c = await startTestCluster({ upArgs: ['--store', etcd.url] });
  });
  afterAll(async () => {
    await c?.down();
    await etcd?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps the cluster's keys under /loopkube/<cluster>/registry/, so clusters can share one etcd", async () => {
    const cluster = c!;
    await cluster.client.create<Service>(SERVICES, nodePortService('web'));
    const { stdout } = await run('etcdctl', ['--endpoints', etcd!.endpoints.join(','), 'get', '--prefix', '--keys-only', '/'], { env: { ...process.env, ETCDCTL_API: '3' } });
    const keys = stdout.split('\n').filter(Boolean);
    expect(keys).toContain(`/loopkube/${cluster.name}/registry/services/specs/default/web`);
    expect(keys).toContain(`/loopkube/${cluster.name}/registry/namespaces/default`);
    expect(keys.filter((k) => k.startsWith('/registry/'))).toEqual([]);
    const down = await cluster.loopkube(['down', '--name', cluster.name, '--purge']);
    expect(down.stdout).toContain(`Note: the cluster's objects in ${etcd!.url} were left in place.`);
  });
});

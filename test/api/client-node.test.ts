// The official JavaScript client (@kubernetes/client-node 1.x) against a `loopkube up --nodes 0`
// cluster, configured from the cluster's kubeconfig alone: it lists, creates, reads, watches
// and deletes services, and gets Kubernetes' errors as ApiException with the Status.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';

const NS = 'official';
let c: TestCluster;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;

beforeAll(async () => {
  c = await startTestCluster({ nodes: 0 });
  kc = new k8s.KubeConfig();
  kc.loadFromFile(c.kubeconfig);
  core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NS } } });
});

afterAll(async () => {
  await c?.down();
});

const service = (name: string): k8s.V1Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, labels: { app: name } },
  spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
});

describe('@kubernetes/client-node', () => {
  it('lists services across namespaces and in one', async () => {
    const all = await core.listServiceForAllNamespaces();
    expect(all.items.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`)).toContain('default/kubernetes');
    expect(Number(all.metadata?.resourceVersion)).toBeGreaterThan(0);
    const mine = await core.listNamespacedService({ namespace: NS });
    expect(mine.items).toEqual([]);
  });

  it('creates and reads a service, and a second create is a 409 AlreadyExists', async () => {
    const created = await core.createNamespacedService({ namespace: NS, body: service('web') });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.spec?.clusterIP).toMatch(/^127\./);
    expect(created.spec?.ports?.[0]).toMatchObject({ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 });

    const read = await core.readNamespacedService({ name: 'web', namespace: NS });
    expect(read.metadata?.uid).toBe(created.metadata?.uid);
    expect(read.spec?.clusterIP).toBe(created.spec?.clusterIP);

    const listed = await core.listNamespacedService({ namespace: NS, labelSelector: 'app=web' });
    expect(listed.items.map((s) => s.metadata?.name)).toEqual(['web']);

    const err = (await core.createNamespacedService({ namespace: NS, body: service('web') }).catch((e: unknown) => e)) as k8s.ApiException<string>;
    expect(err).toBeInstanceOf(k8s.ApiException);
    expect(err.code).toBe(409);
    expect(JSON.parse(err.body)).toMatchObject({ kind: 'Status', reason: 'AlreadyExists', message: 'services "web" already exists' });
  });

  it('watches services: ADDED, MODIFIED, then DELETED', async () => {
    const seen: string[] = [];
    let ended: unknown = 'open';
    const list = await core.listNamespacedService({ namespace: NS });
    const watch = new k8s.Watch(kc);
    const abort = await watch.watch(
      `/api/v1/namespaces/${NS}/services`,
      { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
      (type: string, obj: k8s.V1Service) => {
        if (type !== 'BOOKMARK') seen.push(`${type} ${obj.metadata?.name}`);
      },
      (err: unknown) => {
        ended = err ?? null;
      },
    );
    try {
      await core.createNamespacedService({ namespace: NS, body: service('watched') });
      await waitFor('ADDED watched', () => seen.includes('ADDED watched'));
      await core.patchNamespacedService(
        { name: 'watched', namespace: NS, body: { metadata: { labels: { touched: 'yes' } } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      await waitFor('MODIFIED watched', () => seen.includes('MODIFIED watched'));
      await core.deleteNamespacedService({ name: 'watched', namespace: NS });
      await waitFor('DELETED watched', () => seen.includes('DELETED watched'));
      expect(seen).toEqual(['ADDED watched', 'MODIFIED watched', 'DELETED watched']);
      expect(ended).toBe('open');
    } finally {
      abort.abort();
    }
  });

  it('deletes a service; reading it then is a 404 NotFound', async () => {
    await core.deleteNamespacedService({ name: 'web', namespace: NS });
    const err = (await core.readNamespacedService({ name: 'web', namespace: NS }).catch((e: unknown) => e)) as k8s.ApiException<string>;
    expect(err).toBeInstanceOf(k8s.ApiException);
    expect(err.code).toBe(404);
    expect(JSON.parse(err.body)).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'services "web" not found' });
    expect((await core.listNamespacedService({ namespace: NS })).items).toEqual([]);
  });

  it('gets a 422 Invalid with the field errors for a service that breaks a rule', async () => {
    const bad = service('bad');
    bad.spec!.ports = [{ port: 0 }];
    const err = (await core.createNamespacedService({ namespace: NS, body: bad }).catch((e: unknown) => e)) as k8s.ApiException<string>;
    expect(err.code).toBe(422);
    const status = JSON.parse(err.body) as k8s.V1Status;
    expect(status.reason).toBe('Invalid');
    expect(status.details?.causes?.map((x) => x.field)).toEqual(['spec.ports[0].port', 'spec.ports[0].targetPort']);
  });
});

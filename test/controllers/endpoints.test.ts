// Endpoints and EndpointSlices in a real control plane, pod status written by the test as a
// kubelet would: ready / not-ready / terminating pods, ports by number and by name,
// publishNotReadyAddresses, services without a selector left alone, cleanup on service delete.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointSlice, Endpoints, KubeObject, Pod, Service } from '../../src/api/types.js';
import { startTestControlPlane, waitFor, type TestControlPlane } from '../support/control-plane.js';
import { confirmPodDeletion, createFakeNode, setPodStatus, type FakeNode } from '../support/fake-nodes.js';

let cp: TestControlPlane;
let node: FakeNode;

beforeAll(async () => {
  cp = await startTestControlPlane();
  node = await createFakeNode(cp.client, { name: 'node-1' });
  node.startHeartbeats(1000);
});
afterAll(async () => {
  await node?.stopHeartbeats();
  await cp?.stop();
});

async function namespace(): Promise<string> {
  const name = `ep-${Math.random().toString(36).slice(2, 8)}`;
  await cp.client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

const path = (ns: string, resource: string, name?: string): string =>
  resource === 'endpointslices'
    ? `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices${name ? `/${name}` : ''}`
    : `/api/v1/namespaces/${ns}/${resource}${name ? `/${name}` : ''}`;

function service(name: string, o: Partial<Service['spec']> = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: { team: 'web' } },
    spec: {
      selector: { app: name },
      ports: [
        { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
        { name: 'metrics', port: 9000, targetPort: 'metrics', protocol: 'TCP' },
      ],
      ...o,
    },
  };
}

async function runPod(ns: string, name: string, app: string, o: { ip: string; ready: boolean; metricsPort?: boolean }): Promise<Pod> {
  const ports = [{ containerPort: 8080 }, ...(o.metricsPort ? [{ name: 'metrics', containerPort: 9100 }] : [])];
  const pod = await cp.client.create<Pod>(path(ns, 'pods'), {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app } },
    spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'loopkube/app', ports }] },
  });
  return setPodStatus(cp.client, pod, { ip: o.ip, ready: o.ready });
}

async function slicesOf(ns: string, svc: string): Promise<EndpointSlice[]> {
  return (await cp.client.list<EndpointSlice>(path(ns, 'endpointslices'), { labelSelector: `kubernetes.io/service-name=${svc}` })).items;
}

async function endpointsOf(ns: string, svc: string): Promise<Endpoints | undefined> {
  return cp.client.get<Endpoints>(path(ns, 'endpoints', svc)).catch(() => undefined);
}

const ips = (addrs: Array<{ ip: string }> | undefined): string[] => (addrs ?? []).map((a) => a.ip).sort();

describe('endpoints and endpoint slices', () => {
  it('list ready and not-ready pods, with ports resolved by number and by name', async () => {
    const ns = await namespace();
    const svc = await cp.client.create<Service>(path(ns, 'services'), service('web'));
    const a = await runPod(ns, 'a', 'web', { ip: '127.244.1.10', ready: true, metricsPort: true });
    await runPod(ns, 'b', 'web', { ip: '127.244.1.11', ready: false, metricsPort: true });
    await runPod(ns, 'c', 'web', { ip: '127.244.1.12', ready: true }); // no "metrics" port

    const ep = await waitFor('Endpoints with 3 pods', async () => {
      const e = await endpointsOf(ns, 'web');
      const all = (e?.subsets ?? []).flatMap((s) => [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])]);
      return all.length === 3 ? e : undefined;
    });
    expect(ep.metadata.labels).toEqual({ team: 'web' });
    // a and b serve both ports; c only http: two subsets.
    const both = ep.subsets!.find((s) => s.ports?.length === 2)!;
    const httpOnly = ep.subsets!.find((s) => s.ports?.length === 1)!;
    expect(ips(both.addresses)).toEqual(['127.244.1.10']);
    expect(ips(both.notReadyAddresses)).toEqual(['127.244.1.11']);
    expect(both.ports).toEqual([
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'metrics', port: 9100, protocol: 'TCP' },
    ]);
    expect(ips(httpOnly.addresses)).toEqual(['127.244.1.12']);
    expect(httpOnly.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(both.addresses![0]).toEqual({
      ip: '127.244.1.10',
      nodeName: 'node-1',
      targetRef: { kind: 'Pod', namespace: ns, name: 'a', uid: a.metadata.uid },
    });

    const slices = await waitFor('slices with 3 endpoints', async () => {
      const s = await slicesOf(ns, 'web');
      return s.flatMap((x) => x.endpoints ?? []).length === 3 ? s : undefined;
    });
    for (const s of slices) {
      expect(s.metadata.name!).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(s.addressType).toBe('IPv4');
      expect(s.metadata.labels).toEqual({
        team: 'web',
        'kubernetes.io/service-name': 'web',
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
      });
      expect(s.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    }
    const endpointA = slices.flatMap((s) => s.endpoints ?? []).find((e) => e.targetRef?.name === 'a');
    expect(endpointA).toEqual({
      addresses: ['127.244.1.10'],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: 'node-1',
      targetRef: { kind: 'Pod', namespace: ns, name: 'a', uid: a.metadata.uid },
    });
    const endpointB = slices.flatMap((s) => s.endpoints ?? []).find((e) => e.targetRef?.name === 'b');
    expect(endpointB?.conditions).toEqual({ ready: false, serving: false, terminating: false });
  });

  it('follow a pod turning ready, terminating, and gone', async () => {
    const ns = await namespace();
    await cp.client.create(path(ns, 'services'), service('api', { ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] }));
    const p = await runPod(ns, 'p', 'api', { ip: '127.244.1.20', ready: false });
    await waitFor('not ready in Endpoints', async () => ips((await endpointsOf(ns, 'api'))?.subsets?.[0]?.notReadyAddresses).includes('127.244.1.20'));

    await setPodStatus(cp.client, p, { ip: '127.244.1.20', ready: true });
    await waitFor('ready in Endpoints', async () => ips((await endpointsOf(ns, 'api'))?.subsets?.[0]?.addresses).includes('127.244.1.20'));
    await waitFor('ready in the slice', async () => (await slicesOf(ns, 'api'))[0]?.endpoints?.[0]?.conditions?.ready === true);

    // Graceful delete: the pod terminates (its "kubelet" has not confirmed yet).
    await cp.client.delete(path(ns, 'pods', 'p'));
    const terminating = await waitFor('terminating in the slice', async () => {
      const ep = (await slicesOf(ns, 'api'))[0]?.endpoints?.[0];
      return ep?.conditions?.terminating ? ep : undefined;
    });
    expect(terminating.conditions).toEqual({ ready: false, serving: true, terminating: true });
    await waitFor('gone from Endpoints', async () => ((await endpointsOf(ns, 'api'))?.subsets ?? []).length === 0);

    await confirmPodDeletion(cp.client, p);
    const slices = await waitFor('gone from the slice', async () => {
      const s = await slicesOf(ns, 'api');
      return s.length === 1 && (s[0]?.endpoints ?? []).length === 0 ? s : undefined;
    });
    expect(slices[0]?.endpoints ?? []).toEqual([]);
  });

  it('publish not-ready pods as ready with publishNotReadyAddresses', async () => {
    const ns = await namespace();
    await cp.client.create(path(ns, 'services'), service('db', { clusterIP: 'None', publishNotReadyAddresses: true, ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }));
    await runPod(ns, 'db-0', 'db', { ip: '127.244.1.30', ready: false });
    const ep = await waitFor('Endpoints', async () => {
      const e = await endpointsOf(ns, 'db');
      return e?.subsets?.length ? e : undefined;
    });
    expect(ips(ep.subsets![0]!.addresses)).toEqual(['127.244.1.30']);
    expect(ep.subsets![0]!.notReadyAddresses).toBeUndefined();
    expect(ep.metadata.labels).toMatchObject({ 'service.kubernetes.io/headless': '' });
    const slice = await waitFor('slice', async () => (await slicesOf(ns, 'db'))[0]?.endpoints?.[0]);
    expect(slice.conditions).toEqual({ ready: true, serving: true, terminating: false });
  });

  it('leave the Endpoints and EndpointSlices of a service without a selector to the user', async () => {
    const ns = await namespace();
    await cp.client.create(path(ns, 'services'), { apiVersion: 'v1', kind: 'Service', metadata: { name: 'external' }, spec: { ports: [{ port: 80, protocol: 'TCP' }] } });
    const userEp = await cp.client.create<Endpoints>(path(ns, 'endpoints'), {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'external' },
      subsets: [{ addresses: [{ ip: '127.0.0.99' }], ports: [{ port: 80, protocol: 'TCP' }] }],
    });
    const userSlice = await cp.client.create<EndpointSlice>(path(ns, 'endpointslices'), {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'external-1', labels: { 'kubernetes.io/service-name': 'external', 'endpointslice.kubernetes.io/managed-by': 'user' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['127.0.0.99'], conditions: { ready: true } }],
      ports: [{ port: 80, protocol: 'TCP' }],
    });
    // A service with a selector, created after, is handled: once it is, the controller has seen the other.
    await cp.client.create(path(ns, 'services'), service('other'));
    await waitFor('the other service handled', async () => (await endpointsOf(ns, 'other')) !== undefined && (await slicesOf(ns, 'other')).length === 1);

    const ep = await cp.client.get<Endpoints>(path(ns, 'endpoints', 'external'));
    expect(ep.metadata.resourceVersion).toBe(userEp.metadata.resourceVersion);
    const slices = await slicesOf(ns, 'external');
    expect(slices.map((s: KubeObject) => [s.metadata.name, s.metadata.resourceVersion])).toEqual([['external-1', userSlice.metadata.resourceVersion]]);
  });

  it('remove the Endpoints and slices of a deleted service', async () => {
    const ns = await namespace();
    await cp.client.create(path(ns, 'services'), service('gone'));
    await runPod(ns, 'g', 'gone', { ip: '127.244.1.40', ready: true });
    await waitFor('endpoints', async () => ((await endpointsOf(ns, 'gone'))?.subsets ?? []).length === 1 && (await slicesOf(ns, 'gone')).length === 1);
    await cp.client.delete(path(ns, 'services', 'gone'));
    await waitFor('endpoints removed', async () => (await endpointsOf(ns, 'gone')) === undefined && (await slicesOf(ns, 'gone')).length === 0);
  });
});

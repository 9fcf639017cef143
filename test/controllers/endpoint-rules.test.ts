// What Endpoints and EndpointSlices contain for a set of pods (pure rules), and how slice
// writes are planned.
import { describe, expect, it } from 'vitest';
import type { EndpointSlice, Pod, Service } from '../../src/api/types.js';
import { desiredEndpoints, planSlices } from '../../src/controllers/endpoint-slices.js';
import { desiredSubsets } from '../../src/controllers/endpoint-subsets.js';

const svc = (o: Partial<Service['spec']> = {}): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default', uid: 'svc-uid' },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }], ...o },
});

function pod(name: string, o: { ip?: string; ready?: boolean; terminating?: boolean; phase?: 'Running' | 'Succeeded' | 'Failed'; namedPort?: string; node?: string } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `${name}-uid`, labels: { app: 'web' }, ...(o.terminating ? { deletionTimestamp: '2030-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: o.node ?? 'node-1', containers: [{ name: 'app', ports: [{ containerPort: 9090, ...(o.namedPort ? { name: o.namedPort } : {}) }] }] },
    status: {
      phase: o.phase ?? 'Running',
      ...(o.ip === '' ? {} : { podIP: o.ip ?? `127.244.1.${name.length}` }),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  };
}

describe('Endpoints subsets', () => {
  const cases: Array<{ name: string; service: Service; pods: Pod[]; want: { ready: string[]; notReady: string[]; port?: number } }> = [
    { name: 'ready pod in addresses', service: svc(), pods: [pod('a', { ip: '127.244.1.2' })], want: { ready: ['127.244.1.2'], notReady: [], port: 8080 } },
    { name: 'not-ready pod in notReadyAddresses', service: svc(), pods: [pod('a', { ip: '127.244.1.2', ready: false })], want: { ready: [], notReady: ['127.244.1.2'] } },
    { name: 'terminating pod left out', service: svc(), pods: [pod('a', { ip: '127.244.1.2', terminating: true })], want: { ready: [], notReady: [] } },
    { name: 'pod without an IP left out', service: svc(), pods: [pod('a', { ip: '' })], want: { ready: [], notReady: [] } },
    { name: 'finished pod left out', service: svc(), pods: [pod('a', { ip: '127.244.1.2', phase: 'Succeeded' })], want: { ready: [], notReady: [] } },
    {
      name: 'publishNotReadyAddresses puts not-ready pods in addresses',
      service: svc({ publishNotReadyAddresses: true }),
      pods: [pod('a', { ip: '127.244.1.2', ready: false })],
      want: { ready: ['127.244.1.2'], notReady: [] },
    },
    {
      name: 'named targetPort resolves per pod',
      service: svc({ ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }] }),
      pods: [pod('a', { ip: '127.244.1.2', namedPort: 'web' })],
      want: { ready: ['127.244.1.2'], notReady: [], port: 9090 },
    },
    {
      name: 'pod lacking the named port is skipped',
      service: svc({ ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }] }),
      pods: [pod('a', { ip: '127.244.1.2' })],
      want: { ready: [], notReady: [] },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const subsets = desiredSubsets(c.service, c.pods);
      const ready = subsets.flatMap((s) => (s.addresses ?? []).map((a) => a.ip));
      const notReady = subsets.flatMap((s) => (s.notReadyAddresses ?? []).map((a) => a.ip));
      expect({ ready, notReady }).toEqual({ ready: c.want.ready, notReady: c.want.notReady });
      if (c.want.port) expect(subsets[0]?.ports).toEqual([{ name: 'http', port: c.want.port, protocol: 'TCP' }]);
    });
  }

  it('names the node and the pod of each address', () => {
    const [subset] = desiredSubsets(svc(), [pod('a', { ip: '127.244.1.2', node: 'node-2' })]);
    expect(subset?.addresses?.[0]).toEqual({ ip: '127.244.1.2', nodeName: 'node-2', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'a-uid' } });
  });
});

describe('EndpointSlice endpoints', () => {
  const cases: Array<{ name: string; service: Service; pod: Pod; want: { ready: boolean; serving: boolean; terminating: boolean } | null }> = [
    { name: 'ready', service: svc(), pod: pod('a'), want: { ready: true, serving: true, terminating: false } },
    { name: 'not ready', service: svc(), pod: pod('a', { ready: false }), want: { ready: false, serving: false, terminating: false } },
    { name: 'terminating and still ready: serving, not ready', service: svc(), pod: pod('a', { terminating: true }), want: { ready: false, serving: true, terminating: true } },
    { name: 'terminating and not ready', service: svc(), pod: pod('a', { terminating: true, ready: false }), want: { ready: false, serving: false, terminating: true } },
    { name: 'publishNotReadyAddresses: ready and serving', service: svc({ publishNotReadyAddresses: true }), pod: pod('a', { ready: false }), want: { ready: true, serving: true, terminating: false } },
    { name: 'finished pod left out', service: svc(), pod: pod('a', { phase: 'Failed' }), want: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const eps = desiredEndpoints(c.service, [c.pod]);
      if (c.want === null) expect(eps).toEqual([]);
      else expect(eps[0]?.endpoint.conditions).toEqual(c.want);
    });
  }
});

describe('slice planning', () => {
  const service = svc();
  const pods = (n: number): Pod[] => Array.from({ length: n }, (_, i) => pod(`p${String(i).padStart(3, '0')}`, { ip: `127.244.${Math.floor(i / 200)}.${(i % 200) + 1}` }));
  /** Applies a plan the way the server would (names for creates). */
  function apply(existing: EndpointSlice[], plan: ReturnType<typeof planSlices>): EndpointSlice[] {
    let n = existing.length;
    const gone = new Set(plan.delete.map((s) => s.metadata.name));
    const updated = new Map(plan.update.map((s) => [s.metadata.name, s]));
    const out = existing.filter((s) => !gone.has(s.metadata.name)).map((s) => updated.get(s.metadata.name) ?? s);
    for (const c of plan.create) out.push({ ...c, metadata: { ...c.metadata, name: `web-${n++}` } });
    return out;
  }

  it('makes one placeholder slice when there are no endpoints', () => {
    const plan = planSlices(service, [], []);
    expect(plan.create).toHaveLength(1);
    expect(plan.create[0]?.endpoints).toEqual([]);
    expect(plan.create[0]?.metadata.labels).toMatchObject({ 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    expect(plan.create[0]?.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true, blockOwnerDeletion: true }]);
  });

  it('caps slices at 100 endpoints', () => {
    const plan = planSlices(service, desiredEndpoints(service, pods(250)), []);
    expect(plan.create.map((s) => s.endpoints?.length)).toEqual([100, 100, 50]);
  });

  it('writes nothing when nothing changed', () => {
    const desired = desiredEndpoints(service, pods(3));
    const slices = apply([], planSlices(service, desired, []));
    expect(planSlices(service, desired, slices)).toEqual({ create: [], update: [], delete: [] });
  });

  it('updates only the slice that holds a changed endpoint', () => {
    const all = pods(150);
    const slices = apply([], planSlices(service, desiredEndpoints(service, all), []));
    const changed = all.map((p, i) => (i === 120 ? pod(p.metadata.name!, { ip: p.status!.podIP!, ready: false }) : p));
    const plan = planSlices(service, desiredEndpoints(service, changed), slices);
    expect(plan.create).toEqual([]);
    expect(plan.delete).toEqual([]);
    expect(plan.update.map((s) => s.metadata.name)).toEqual(['web-1']);
  });

  it('reuses an emptied slice rather than deleting and creating', () => {
    const slices = apply([], planSlices(service, desiredEndpoints(service, pods(2)), []));
    const plan = planSlices(service, [], slices);
    expect(plan.create).toEqual([]);
    expect(plan.delete).toEqual([]);
    expect(plan.update[0]?.endpoints).toEqual([]);
  });
});

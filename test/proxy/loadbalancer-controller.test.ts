// The load-balancer IP controller in a real control plane, with a pool of two addresses: it
// assigns, honours requests, leaves a Service <pending> with a Warning event when the pool is
// exhausted, and releases an address on delete or type change so a waiting Service gets it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/api/types.js';
import { startTestControlPlane, waitFor, type TestControlPlane } from '../support/control-plane.js';
import { createService, deleteQuietly, serviceEvents } from './support.js';

const NS = 'default';
let cp: TestControlPlane;
let created: string[] = [];
const base = `127.${240 + Math.floor(Math.random() * 11)}.${Math.floor(Math.random() * 256)}`;
const quad = 4 * Math.floor(Math.random() * 63);
const POOL = `${base}.${quad}/30`;
const IP1 = `${base}.${quad + 1}`;
const IP2 = `${base}.${quad + 2}`;

async function lb(name: string, spec: Partial<Service['spec']> = {}, annotations?: Record<string, string>): Promise<Service> {
  created.push(name);
  return cp.client.create<Service>(`/api/v1/namespaces/${NS}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NS, ...(annotations ? { annotations } : {}) },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, targetPort: 8080 }], ...spec },
  });
}

const get = (name: string): Promise<Service> => cp.client.get<Service>(`/api/v1/namespaces/${NS}/services/${name}`);
const ingress = async (name: string): Promise<string[]> => ((await get(name)).status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '');

async function assigned(name: string): Promise<string> {
  return waitFor(`an IP for ${name}`, async () => (await ingress(name))[0]);
}

async function eventWith(name: string, reason: string, text: string): Promise<string> {
  return waitFor(`a ${reason} event on ${name}`, async () => (await serviceEvents(cp.client, NS, name)).find((e) => e.reason === reason && e.message?.includes(text))?.message);
}

beforeAll(async () => {
  cp = await startTestControlPlane({ config: { loadBalancerPool: POOL } });
});

afterEach(async () => {
  for (const name of created) await deleteQuietly(cp.client, `/api/v1/namespaces/${NS}/services/${name}`);
  created = [];
  // Wait until the pool is whole again for the next test.
  await waitFor('the services to be gone', async () => {
    const list = await cp.client.list<Service>(`/api/v1/namespaces/${NS}/services`);
    return !list.items.some((s) => s.spec.type === 'LoadBalancer');
  });
});

afterAll(async () => {
  await cp?.stop();
});

describe('load-balancer IP controller', () => {
  it('assigns the first free address of the pool, in status.loadBalancer.ingress, with an IPAllocated event', async () => {
    await lb('web');
    expect(await assigned('web')).toBe(IP1);
    expect((await get('web')).status?.loadBalancer?.ingress).toEqual([{ ip: IP1, ipMode: 'VIP' }]);
    expect(await eventWith('web', 'IPAllocated', IP1)).toBe(`Assigned IP ["${IP1}"]`);
  });

  it('honours spec.loadBalancerIP and the MetalLB annotation', async () => {
    await lb('asks', { loadBalancerIP: IP2 });
    expect(await assigned('asks')).toBe(IP2);
    await cp.client.delete(`/api/v1/namespaces/${NS}/services/asks`);
    await lb('annotated', {}, { 'metallb.universe.tf/loadBalancerIPs': IP2 });
    expect(await assigned('annotated')).toBe(IP2);
  });

  it('refuses an address outside the pool with a Warning event, leaving the service pending', async () => {
    await lb('outside', { loadBalancerIP: '127.1.2.3' });
    const msg = await eventWith('outside', 'AllocationFailed', '127.1.2.3');
    expect(msg).toBe(`Failed to allocate IP for "${NS}/outside": ["127.1.2.3"] is not allowed in config (the pool is ${POOL})`);
    expect(await ingress('outside')).toEqual([]);
  });

  it('leaves a service <pending> with a Warning when the pool is exhausted, and gives it the address freed by a delete', async () => {
    await lb('one');
    await lb('two');
    const ips = [await assigned('one'), await assigned('two')].sort();
    expect(ips).toEqual([IP1, IP2].sort());
    await lb('three');
    expect(await eventWith('three', 'AllocationFailed', 'no available IPs')).toBe(`Failed to allocate IP for "${NS}/three": no available IPs`);
    expect(await ingress('three')).toEqual([]);
    const freed = (await ingress('one'))[0];
    await cp.client.delete(`/api/v1/namespaces/${NS}/services/one`);
    expect(await assigned('three')).toBe(freed);
  });

  it('takes the address back when the service stops being a LoadBalancer, and a waiting service gets it', async () => {
    await lb('first');
    await lb('second');
    await assigned('first');
    await assigned('second');
    await lb('waiting');
    await eventWith('waiting', 'AllocationFailed', 'no available IPs');
    const freed = (await ingress('first'))[0];
    const svc = await get('first');
    await cp.client.update(`/api/v1/namespaces/${NS}/services/first`, {
      ...svc,
      spec: { ...svc.spec, type: 'ClusterIP', ports: svc.spec.ports!.map(({ nodePort: _np, ...p }) => p), externalTrafficPolicy: undefined, allocateLoadBalancerNodePorts: undefined },
    } as Service);
    expect(await assigned('waiting')).toBe(freed);
    expect(await ingress('first')).toEqual([]);
  });

  it('leaves services of another loadBalancerClass alone', async () => {
    await lb('foreign', { loadBalancerClass: 'example.com/other' });
    await lb('ours');
    await assigned('ours');
    expect(await ingress('foreign')).toEqual([]);
    expect((await serviceEvents(cp.client, NS, 'foreign')).filter((e) => e.reason === 'AllocationFailed')).toEqual([]);
  });
});

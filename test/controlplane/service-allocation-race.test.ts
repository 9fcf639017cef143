// Two API servers on one etcd allocating ClusterIPs and NodePorts at once (each its own registry,
// admission and store client, as `loopkube up --control-planes 2` runs them): the values they
// hand out never collide, because each reserves its pick in the store's RangeAllocation
// (/registry/ranges/serviceips, /registry/ranges/servicenodeports) before it stores the Service,
// as kube-apiserver does. A deleted Service's values are released; a reservation no Service holds
// (a crash between the two writes) is cleared by the repair pass after three passes in a row.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api/errors.js';
import type { Service } from '../../src/api/types.js';
import { changeRange } from '../../src/apiserver/range-reservations.js';
import { repairRanges, type RepairState } from '../../src/apiserver/range-repair.js';
import { createApiRegistry, type ApiRegistry } from '../../src/controlplane/api-registry.js';
import { NAMESPACES } from '../../src/kinds/namespace/resource.js';
import { SERVICES } from '../../src/kinds/service/resource.js';
import { decodeBitmap, SERVICE_IPS_KEY, SERVICE_NODE_PORTS_KEY, type RangeAllocation } from '../../src/kinds/service/shared-ranges.js';
import { silentLogger } from '../../src/log.js';
import { openEtcdStore } from '../../src/store/etcd/index.js';
import { startLocalEtcd, type LocalEtcd } from '../../src/store/etcd/local-server.js';
import type { Store } from '../../src/store/store.js';

// A /27 has 30 addresses to hand out, a 30-port range as many ports: small enough that two
// servers picking at random collide within a few creates unless they reserve.
const SERVICE_CIDR = '127.99.0.0/27';
const NODE_PORTS = { min: 30000, max: 30029 };

let etcd: LocalEtcd | undefined;
let dir = '';
const stores: Store[] = [];
const servers: ApiRegistry[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loopkube-alloc-race-'));
  etcd = await startLocalEtcd({ dir });
  for (let i = 0; i < 2; i++) {
    const store = await openEtcdStore({ endpoints: etcd.endpoints, prefix: '/alloc-race', compactionIntervalMs: 0 });
    stores.push(store);
    servers.push(createApiRegistry({ store, serviceCIDR: SERVICE_CIDR, nodePortRange: NODE_PORTS, logger: silentLogger() }));
  }
  await servers[0]!.registry.create(NAMESPACES, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'race' } }, {});
});
afterAll(async () => {
  for (const s of stores) await s.close();
  await etcd?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const nodePortService = (name: string): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'race' },
  spec: { type: 'NodePort', selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] },
});

async function create(server: ApiRegistry, svc: Service): Promise<Service> {
  return (await server.registry.create(SERVICES, 'race', svc, {})).object as Service;
}

async function bits(key: string): Promise<Set<number>> {
  const alloc = (await stores[0]!.get(key)) as RangeAllocation | undefined;
  return decodeBitmap(alloc?.data ?? '');
}

describe('two API servers allocating on one etcd', () => {
  it('hand out every ClusterIP and NodePort of a small range once each, creating at the same time, then say the range is full', async () => {
    const made = await Promise.all(Array.from({ length: 30 }, (_, i) => create(servers[i % 2]!, nodePortService(`s${i}`))));
    const ips = made.map((s) => s.spec.clusterIP);
    const ports = made.map((s) => s.spec.ports![0]!.nodePort);
    expect(new Set(ips).size).toBe(30);
    expect(new Set(ports).size).toBe(30);
    // What is stored is what was answered, and the ranges hold exactly those values.
    const stored = await servers[1]!.listServices();
    expect(new Set(stored.map((s) => s.spec.clusterIP)).size).toBe(30);
    expect((await bits(SERVICE_IPS_KEY)).size).toBe(30);
    expect((await bits(SERVICE_NODE_PORTS_KEY)).size).toBe(30);

    const full = await create(servers[1]!, nodePortService('one-too-many')).catch((err: unknown) => err);
    expect(full).toBeInstanceOf(ApiError);
    expect((full as ApiError).status.message).toBe('Internal error occurred: failed to allocate a serviceIP: range is full');
  });

  it('a deleted Service gives its ClusterIP and NodePort back, and the other server can hand them out', async () => {
    const gone = (await servers[0]!.registry.get(SERVICES, 'race', 's0')) as Service;
    await servers[0]!.registry.delete(SERVICES, 'race', 's0', {}, {});
    const again = await create(servers[1]!, nodePortService('after-delete'));
    expect(again.spec.clusterIP).toBe(gone.spec.clusterIP);
    expect(again.spec.ports![0]!.nodePort).toBe(gone.spec.ports![0]!.nodePort);
  });

  it('a ClusterIP asked for by name that the other server holds is refused in upstream words', async () => {
    const held = ((await servers[0]!.registry.get(SERVICES, 'race', 's1')) as Service).spec.clusterIP!;
    await servers[1]!.registry.delete(SERVICES, 'race', 's2', {}, {});
    const svc = nodePortService('wants-held');
    svc.spec.clusterIP = held;
    const err = (await create(servers[1]!, svc).catch((e: unknown) => e)) as ApiError;
    expect(err.status.code).toBe(422);
    expect(err.status.message).toContain(`spec.clusterIPs: Invalid value: []string{"${held}"}: failed to allocate IP ${held}: provided IP is already allocated`);
  });

  it('the repair pass clears a reservation no Service holds after three passes in a row, and restores one a Service holds', async () => {
    const ipRange = servers[0]!.ranges.find((r) => r.key === SERVICE_IPS_KEY)!;
    // s2 was deleted above: its address is free. Leave a reservation on a free one, as a crash
    // between the reservation and the Service's write would.
    const before = await bits(SERVICE_IPS_KEY);
    const leak = [...Array(30).keys()].find((i) => !before.has(i))!;
    expect(leak).toBeDefined();
    expect(await changeRange(stores[0]!, ipRange, [leak], [])).toBe('ok');
    // And a Service's address missing from the range (a Service stored before ranges were kept).
    const s3 = (await servers[0]!.registry.get(SERVICES, 'race', 's3')) as Service;
    const s3Bit = ipRange.indexOf(s3.spec.clusterIP!)!;
    expect(await changeRange(stores[0]!, ipRange, [], [s3Bit])).toBe('ok');

    const holders = async () => servers[0]!.listServices();
    let state: RepairState = new Map();
    state = await repairRanges(stores[0]!, [ipRange], holders, state);
    expect((await bits(SERVICE_IPS_KEY)).has(s3Bit)).toBe(true);
    expect((await bits(SERVICE_IPS_KEY)).has(leak)).toBe(true);
    state = await repairRanges(stores[0]!, [ipRange], holders, state);
    expect((await bits(SERVICE_IPS_KEY)).has(leak)).toBe(true);
    await repairRanges(stores[0]!, [ipRange], holders, state);
    expect((await bits(SERVICE_IPS_KEY)).has(leak)).toBe(false);
  });
});

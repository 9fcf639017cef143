// The ClusterIP and NodePort allocators: static and dynamic bands as upstream sizes them, and
// upstream's errors when a range is exhausted.
import { describe, expect, it } from 'vitest';
import type { Service } from '../../src/api/types.js';
import { clusterIPStaticBand, createClusterIPAllocator, parseServiceCIDR } from '../../src/kinds/service/cluster-ip-allocator.js';
import { createNodePortAllocator, nodePortStaticBand } from '../../src/kinds/service/node-port-allocator.js';
import { cluster, expectRefused, service } from './helpers.js';

const first = (): number => 0;

describe('band sizes (upstream calculateRangeOffset)', () => {
  const ipCases: Array<[string, number]> = [
    ['127.96.0.0/12', 256],
    ['127.96.0.0/20', 256],
    ['127.96.0.0/24', 16],
    ['127.96.0.0/28', 0],
  ];
  for (const [cidr, band] of ipCases) {
    it(`ClusterIP static band of ${cidr} is ${band} addresses`, () => {
      expect(clusterIPStaticBand(parseServiceCIDR(cidr))).toBe(band);
    });
  }
  const portCases: Array<[number, number, number]> = [
    [30000, 32767, 86],
    [30000, 30015, 0],
    [30000, 30099, 16],
    [20000, 39999, 128],
  ];
  for (const [min, max, band] of portCases) {
    it(`NodePort static band of ${min}-${max} is ${band} ports`, () => {
      expect(nodePortStaticBand({ min, max })).toBe(band);
    });
  }
});

describe('random allocation prefers the dynamic band', () => {
  it('the first ClusterIP past the static band of 127.96.0.0/12 is 127.96.1.1', () => {
    const a = createClusterIPAllocator('127.96.0.0/12', [], first);
    expect(a.allocateNext()).toBe('127.96.1.1');
  });

  it('a full dynamic band falls back to the static band', () => {
    const a = createNodePortAllocator({ min: 30000, max: 30099 }, [], first);
    const taken = Array.from({ length: 84 }, () => a.allocateNext()!);
    expect(Math.min(...taken)).toBe(30016);
    expect(Math.max(...taken)).toBe(30099);
    expect(a.allocateNext()).toBe(30000);
  });

  it('allocated values are skipped', () => {
    const a = createClusterIPAllocator('127.96.0.0/24', ['127.96.0.17'], first);
    expect(a.allocateNext()).toBe('127.96.0.18');
  });

  it('the network and broadcast addresses are never handed out', () => {
    const a = createClusterIPAllocator('127.96.0.0/30', [], first);
    expect([a.allocateNext(), a.allocateNext(), a.allocateNext()]).toEqual(['127.96.0.1', '127.96.0.2', undefined]);
    expect(a.allocate('127.96.0.3')).toBe('provided IP is not in the valid range. The range of valid IPs is 127.96.0.0/30');
  });
});

describe('exhaustion, as upstream words it', () => {
  it('no ClusterIP left: 500 "failed to allocate a serviceIP: range is full"', async () => {
    const c = cluster({ serviceCIDR: '127.96.0.0/30' });
    await c.store(service((o) => (o.metadata.name = 'a')));
    await c.store(service((o) => (o.metadata.name = 'b')));
    await expectRefused(c.create(service((o) => (o.metadata.name = 'c'))), {
      code: 500,
      reason: 'InternalError',
      message: 'Internal error occurred: failed to allocate a serviceIP: range is full',
    });
  });

  it('no NodePort left: 500 "failed to allocate a nodePort: range is full"', async () => {
    const c = cluster({ nodePortRange: { min: 30000, max: 30001 } });
    const np = (name: string) =>
      service((o) => {
        o.metadata.name = name;
        o.spec.type = 'NodePort';
      });
    const a = await c.store(np('a'));
    const b = await c.store(np('b'));
    expect([a.spec.ports![0]!.nodePort, b.spec.ports![0]!.nodePort].sort()).toEqual([30000, 30001]);
    await expectRefused(c.create(np('c')), {
      code: 500,
      reason: 'InternalError',
      message: 'Internal error occurred: failed to allocate a nodePort: range is full',
    });
  });

  it('no health check NodePort left: 500 with upstream\'s (odd) text', async () => {
    const c = cluster({ nodePortRange: { min: 30000, max: 30002 } });
    await c.store(service((o) => {
      o.metadata.name = 'two-ports';
      o.spec.type = 'NodePort';
      o.spec.ports = [{ name: 'a', port: 80 }, { name: 'b', port: 81 }];
    }));
    await expectRefused(
      c.create(service((o) => {
        o.spec.type = 'LoadBalancer';
        o.spec.externalTrafficPolicy = 'Local';
      })),
      { code: 500, reason: 'InternalError', message: 'Internal error occurred: failed to allocate a HealthCheck NodePort 0: range is full' },
    );
  });

  it('a requested health check NodePort that is taken: 500 naming it', async () => {
    const c = cluster();
    await c.store(service((o) => {
      o.metadata.name = 'other';
      o.spec.type = 'NodePort';
      o.spec.ports[0].nodePort = 30300;
    }));
    await expectRefused(
      c.create(service((o) => {
        o.spec.type = 'LoadBalancer';
        o.spec.externalTrafficPolicy = 'Local';
        o.spec.healthCheckNodePort = 30300;
      })),
      {
        code: 500,
        reason: 'InternalError',
        message: 'Internal error occurred: failed to allocate requested HealthCheck NodePort 30300: provided port is already allocated',
      },
    );
  });

  it('an updated service keeps its own ports out of new allocations', async () => {
    const c = cluster({ nodePortRange: { min: 30000, max: 30001 } });
    const stored = (await c.store(service((o) => {
      o.spec.type = 'NodePort';
      o.spec.ports[0].nodePort = 30000;
    }))) as Service;
    const next = structuredClone(stored);
    next.spec.ports!.push({ name: 'b', port: 81 });
    next.spec.ports![0]!.name = 'a';
    const updated = (await c.update(next, stored)) as Service;
    expect(updated.spec.ports!.map((p) => p.nodePort)).toEqual([30000, 30001]);
  });
});

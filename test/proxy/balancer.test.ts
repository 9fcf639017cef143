// The balancers each mode selects, and ClientIP session affinity.
import { describe, expect, it } from 'vitest';
import { createAffinityTable, createBalancer } from '../../proxy/balancer/index.js';
import { createLeastConnections } from '../../proxy/balancer/least-connections.js';
import { createRandom } from '../../proxy/balancer/random.js';
import { createRoundRobin } from '../../proxy/balancer/round-robin.js';
import type { EndpointTarget } from '../../proxy/endpoint-slices.js';

function target(host: number): EndpointTarget {
  return { key: `127.244.1.${host}:8080`, ip: `127.244.1.${host}`, port: 8080, nodeName: 'node-1', ready: true, serving: true, terminating: false };
}

const A = target(1);
const B = target(2);
const C = target(3);
const D = target(4);

function counts(picks: Array<EndpointTarget | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of picks) out[p?.ip ?? 'none'] = (out[p?.ip ?? 'none'] ?? 0) + 1;
  return out;
}

describe('round-robin', () => {
  it('gives each of K endpoints N/K of N connections, in order', () => {
    const rr = createRoundRobin();
    const picks = Array.from({ length: 30 }, () => rr.pick([A, B, C]));
    expect(picks.slice(0, 4).map((p) => p!.ip)).toEqual([A.ip, B.ip, C.ip, A.ip]);
    expect(counts(picks)).toEqual({ [A.ip]: 10, [B.ip]: 10, [C.ip]: 10 });
  });

  it('carries on over a changed endpoint list, and a new endpoint takes its share at once', () => {
    const rr = createRoundRobin();
    rr.pick([A, B, C]);
    rr.pick([A, B, C]);
    const after = Array.from({ length: 8 }, () => rr.pick([A, B, C, D]));
    expect(counts(after)).toEqual({ [A.ip]: 2, [B.ip]: 2, [C.ip]: 2, [D.ip]: 2 });
    expect(rr.pick([A])).toBe(A);
  });

  it('picks nothing from no endpoint', () => {
    expect(createRoundRobin().pick([])).toBeUndefined();
  });
});

describe('random', () => {
  it('reaches every endpoint and only candidates', () => {
    let seed = 1;
    const r = createRandom(() => {
      seed = (seed * 16807) % 2147483647;
      return (seed - 1) / 2147483646;
    });
    const c = counts(Array.from({ length: 300 }, () => r.pick([A, B, C])));
    expect(Object.keys(c).sort()).toEqual([A.ip, B.ip, C.ip]);
    for (const n of Object.values(c)) expect(n).toBeGreaterThan(50);
    expect(r.pick([])).toBeUndefined();
  });
});

describe('least-connections', () => {
  it('picks the endpoint with the fewest open connections, rotating among equals', () => {
    const open = new Map<string, number>([
      [A.key, 3],
      [B.key, 1],
      [C.key, 1],
    ]);
    const lc = createLeastConnections((e) => open.get(e.key) ?? 0);
    const first = lc.pick([A, B, C])!;
    expect([B, C]).toContain(first);
    open.set(first.key, (open.get(first.key) ?? 0) + 1);
    const second = lc.pick([A, B, C])!;
    expect(second).not.toBe(first);
    expect(second).not.toBe(A);
  });

  it('spreads evenly when every connection stays open', () => {
    const open = new Map<string, number>();
    const lc = createBalancer('least-connections', (e) => open.get(e.key) ?? 0);
    for (let i = 0; i < 12; i++) {
      const p = lc.pick([A, B, C])!;
      open.set(p.key, (open.get(p.key) ?? 0) + 1);
    }
    expect(Object.fromEntries(open)).toEqual({ [A.key]: 4, [B.key]: 4, [C.key]: 4 });
  });
});

describe('ClientIP affinity', () => {
  it('pins a client to its endpoint until timeoutSeconds after its last connection', () => {
    const t = createAffinityTable(10);
    t.remember('127.10.0.1', B, 0);
    expect(t.lookup('127.10.0.1', [A, B, C], 9_000)).toBe(B);
    // The lookup at 9 s renewed the pin: still there at 18 s, gone after 19 s of silence.
    expect(t.lookup('127.10.0.1', [A, B, C], 18_000)).toBe(B);
    expect(t.lookup('127.10.0.1', [A, B, C], 28_001)).toBeUndefined();
    expect(t.size).toBe(0);
  });

  it('forgets a pin whose endpoint is no longer a candidate', () => {
    const t = createAffinityTable(60);
    t.remember('127.10.0.1', B, 0);
    expect(t.lookup('127.10.0.1', [A, C], 1)).toBeUndefined();
    expect(t.lookup('127.10.0.2', [A, B, C], 1)).toBeUndefined();
  });

  it('sweeps expired pins', () => {
    const t = createAffinityTable(1);
    t.remember('a', A, 0);
    t.remember('b', B, 500);
    t.sweep(1200);
    expect(t.size).toBe(1);
  });
});

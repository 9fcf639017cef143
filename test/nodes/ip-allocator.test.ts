import { describe, expect, it } from 'vitest';
import { createIpAllocator, PodCidrExhaustedError } from '../../nodes/ip-allocator.js';

describe('pod IP allocator', () => {
  it('hands out addresses in order, skipping the network, gateway and broadcast addresses', () => {
    const a = createIpAllocator('127.244.3.0/24');
    expect(a.capacity).toBe(253);
    expect(a.allocate()).toBe('127.244.3.2');
    expect(a.allocate()).toBe('127.244.3.3');
  });

  it('does not reuse a released address at once: the next pod gets the next address', () => {
    const a = createIpAllocator('127.244.3.0/24');
    const first = a.allocate();
    a.release(first);
    const second = a.allocate();
    expect(second).not.toBe(first);
    expect(second).toBe('127.244.3.3');
  });

  it('wraps around to the start of the range once the end is reached', () => {
    const a = createIpAllocator('127.244.3.0/29'); // .2 .. .6
    const got = [a.allocate(), a.allocate(), a.allocate(), a.allocate(), a.allocate()];
    expect(got).toEqual(['127.244.3.2', '127.244.3.3', '127.244.3.4', '127.244.3.5', '127.244.3.6']);
    a.release('127.244.3.4');
    a.release('127.244.3.2');
    expect(a.allocate()).toBe('127.244.3.2');
    expect(a.allocate()).toBe('127.244.3.4');
  });

  it('fails with a clear error when the range is full, and recovers when an address frees', () => {
    const a = createIpAllocator('127.244.3.0/29');
    for (let i = 0; i < a.capacity; i++) a.allocate();
    expect(() => a.allocate()).toThrow(PodCidrExhaustedError);
    expect(() => a.allocate()).toThrow(/no IP addresses available in range set: 127.244.3.0\/29/);
    a.release('127.244.3.5');
    expect(a.allocate()).toBe('127.244.3.5');
  });

  it('lets a pod keep the address it already has, and continues after it', () => {
    const a = createIpAllocator('127.244.3.0/24');
    expect(a.reserve('127.244.3.40')).toBe(true);
    expect(a.reserve('127.244.3.40')).toBe(false); // taken
    expect(a.isAllocated('127.244.3.40')).toBe(true);
    expect(a.allocate()).toBe('127.244.3.41');
  });

  it('resumes after the last address handed out before a restart', () => {
    const a = createIpAllocator('127.244.3.0/24');
    a.resumeAfter('127.244.3.17');
    expect(a.allocate()).toBe('127.244.3.18');
    a.resumeAfter('127.244.3.254');
    expect(a.allocate()).toBe('127.244.3.2');
  });

  it.each([
    ['outside the block', '127.244.4.7'],
    ['the network address', '127.244.3.0'],
    ['the gateway address', '127.244.3.1'],
    ['the broadcast address', '127.244.3.255'],
    ['not an address', 'pod-ip'],
  ])('refuses to reserve an address %s', (_rule, ip) => {
    const a = createIpAllocator('127.244.3.0/24');
    expect(a.reserve(ip)).toBe(false);
  });

  it('rejects a malformed podCIDR', () => {
    expect(() => createIpAllocator('127.244.3.7/24')).toThrow(/invalid podCIDR/);
    expect(() => createIpAllocator('nonsense')).toThrow(/invalid podCIDR/);
  });
});

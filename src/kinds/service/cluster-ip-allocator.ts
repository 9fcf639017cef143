// ClusterIP allocation from the service CIDR (upstream's ipallocator bitmap Range, IPv4): the
// network and broadcast addresses are never handed out; the first 16..256 addresses form the
// static band (so `kubernetes` at .1 and DNS at .10 never collide with a random pick).
import { randomInt } from 'node:crypto';
import { bandOffset, pickFree } from './band-scan.js';
import type { IPv4Cidr } from '../../admission/ip.js';
import { formatIPv4, formatIPv4Cidr, parseIPv4, parseIPv4Cidr } from '../../admission/ip.js';

export const IP_RANGE_FULL = 'range is full';
export const IP_ALREADY_ALLOCATED = 'provided IP is already allocated';

export interface ClusterIPAllocator {
  readonly cidr: string;
  /** Reserves `ip`; returns upstream's error text when it cannot. */
  allocate(ip: string): string | undefined;
  /** A random free IP, or undefined when the range is full. */
  allocateNext(): string | undefined;
}

export function notInRangeError(cidr: string): string {
  return `provided IP is not in the valid range. The range of valid IPs is ${cidr}`;
}

/** The static band's size for a CIDR (upstream's calculateRangeOffset for IPs). */
export function clusterIPStaticBand(cidr: IPv4Cidr): number {
  return bandOffset(cidr.size, { min: 16, max: 256, step: 16 });
}

export function parseServiceCIDR(serviceCIDR: string): IPv4Cidr {
  const cidr = parseIPv4Cidr(serviceCIDR);
  if (!cidr) throw new Error(`serviceCIDR ${JSON.stringify(serviceCIDR)} is not an IPv4 CIDR`);
  return cidr;
}

/** An allocator over `serviceCIDR` where `inUse` are the IPs already taken. */
export function createClusterIPAllocator(serviceCIDR: string, inUse: Iterable<string>, random: (n: number) => number = randomInt): ClusterIPAllocator {
  const cidr = parseServiceCIDR(serviceCIDR);
  const rangeText = formatIPv4Cidr(cidr);
  const base = cidr.base + 1;
  const max = Math.max(0, cidr.size - 2);
  const offset = clusterIPStaticBand(cidr);
  const used = new Set<number>();
  const indexOf = (ip: string): number | undefined => {
    const n = parseIPv4(ip);
    if (n === null) return undefined;
    const i = n - base;
    return i >= 0 && i < max ? i : undefined;
  };
  for (const ip of inUse) {
    const i = indexOf(ip);
    if (i !== undefined) used.add(i);
  }
  return {
    cidr: rangeText,
    allocate(ip) {
      const i = indexOf(ip);
      if (i === undefined) return notInRangeError(rangeText);
      if (used.has(i)) return IP_ALREADY_ALLOCATED;
      used.add(i);
      return undefined;
    },
    allocateNext() {
      const i = pickFree(max, Math.min(offset, max), (at) => used.has(at), random);
      if (i === undefined) return undefined;
      used.add(i);
      return formatIPv4(base + i);
    },
  };
}

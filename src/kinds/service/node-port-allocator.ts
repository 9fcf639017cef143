// NodePort allocation (upstream's portallocator): user-chosen ports must lie in the range and be
// free; random ports come from the dynamic band (the static band is the lowest 16..128 ports).
import { randomInt } from 'node:crypto';
import { bandOffset, pickFree } from './band-scan.js';

export const PORT_RANGE_FULL = 'range is full';
export const PORT_ALREADY_ALLOCATED = 'provided port is already allocated';

export interface NodePortRange {
  min: number;
  max: number;
}

export interface NodePortAllocator {
  /** Reserves `port`; returns upstream's error text when it cannot. */
  allocate(port: number): string | undefined;
  /** A random free port, or undefined when the range is full. */
  allocateNext(): number | undefined;
  has(port: number): boolean;
}

export function portNotInRangeError(range: NodePortRange): string {
  return `provided port is not in the valid range. The range of valid ports is ${range.min}-${range.max}`;
}

/** The static band's size for a port range (upstream's calculateRangeOffset for ports). */
export function nodePortStaticBand(range: NodePortRange): number {
  return bandOffset(range.max - range.min + 1, { min: 16, max: 128, step: 32 });
}

export function createNodePortAllocator(range: NodePortRange, inUse: Iterable<number>, random: (n: number) => number = randomInt): NodePortAllocator {
  const size = Math.max(0, range.max - range.min + 1);
  const offset = nodePortStaticBand(range);
  const used = new Set<number>();
  for (const p of inUse) if (p >= range.min && p <= range.max) used.add(p - range.min);
  return {
    allocate(port) {
      if (!Number.isInteger(port) || port < range.min || port > range.max) return portNotInRangeError(range);
      if (used.has(port - range.min)) return PORT_ALREADY_ALLOCATED;
      used.add(port - range.min);
      return undefined;
    },
    allocateNext() {
      const i = pickFree(size, offset, (at) => used.has(at), random);
      if (i === undefined) return undefined;
      used.add(i);
      return range.min + i;
    },
    has(port) {
      return used.has(port - range.min);
    },
  };
}

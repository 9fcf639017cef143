// Pod IPs from the node's podCIDR, handed out round-robin: the next allocation continues after
// the last one, so an address freed a moment ago is the last to come back and a recreated pod
// visibly gets a new IP (kubelet's host-local IPAM plugin behaves the same way). The network
// address, the first host address (the "gateway") and the broadcast address are never given.
import { cidrSize, formatIPv4, parseCidr, parseIPv4, type Cidr } from '../src/cluster/cidr.js';

export interface IpAllocator {
  readonly cidr: string;
  /** How many addresses the block can hand out. */
  readonly capacity: number;
  /** The next free address after the last one handed out; throws when the block is full. */
  allocate(): string;
  /** Marks an address as in use (a pod that already has it); false when outside the block or taken. */
  reserve(ip: string): boolean;
  release(ip: string): void;
  /** The next allocation starts after this address (the last one handed out before a restart). */
  resumeAfter(ip: string): void;
  isAllocated(ip: string): boolean;
  inUse(): number;
}

export class PodCidrExhaustedError extends Error {
  constructor(cidr: string, used: number) {
    super(`no IP addresses available in range set: ${cidr} (${used} in use)`);
    this.name = 'PodCidrExhaustedError';
  }
}

export function createIpAllocator(cidrText: string): IpAllocator {
  const cidr: Cidr | null = parseCidr(cidrText);
  if (!cidr) throw new Error(`invalid podCIDR ${JSON.stringify(cidrText)}: must be an IPv4 CIDR such as 127.244.1.0/24`);
  const size = cidrSize(cidr);
  // Usable offsets: 2 .. size-2 (skip network, gateway, broadcast). A /31 or /32 has none.
  const first = 2;
  const last = size - 2;
  const capacity = Math.max(0, last - first + 1);
  const used = new Set<number>();
  /** The offset the next search starts at. */
  let cursor = first;

  const offsetOf = (ip: string): number | null => {
    const n = parseIPv4(ip);
    if (n === null) return null;
    const off = n - cidr.base;
    return off >= first && off <= last ? off : null;
  };

  return {
    cidr: cidrText,
    capacity,
    allocate() {
      for (let i = 0; i < capacity; i++) {
        const off = first + ((cursor - first + i) % capacity);
        if (!used.has(off)) {
          used.add(off);
          cursor = off + 1 > last ? first : off + 1;
          return formatIPv4(cidr.base + off);
        }
      }
      throw new PodCidrExhaustedError(cidrText, used.size);
    },
    reserve(ip) {
      const off = offsetOf(ip);
      if (off === null || used.has(off)) return false;
      used.add(off);
      // Continue after the highest address known to be in use, so addresses used before a
      // restart of this process are not handed out again at once.
      if (off >= cursor) cursor = off + 1 > last ? first : off + 1;
      return true;
    },
    release(ip) {
      const off = offsetOf(ip);
      if (off !== null) used.delete(off);
    },
    resumeAfter(ip) {
      const off = offsetOf(ip);
      if (off !== null) cursor = off + 1 > last ? first : off + 1;
    },
    isAllocated(ip) {
      const off = offsetOf(ip);
      return off !== null && used.has(off);
    },
    inUse: () => used.size,
  };
}

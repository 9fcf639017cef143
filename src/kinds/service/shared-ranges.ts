// The ClusterIPs and NodePorts every API server of a cluster allocates from, kept in the store
// as kube-apiserver keeps them: a RangeAllocation object at /registry/ranges/serviceips and
// /registry/ranges/servicenodeports (`range`: the CIDR or port range; `data`: a bitmap, bit i
// for the range's i-th value, as upstream's allocator snapshot). One API server's writes are
// serialized in-process; several on one store reserve a value by compare-and-swap on the range
// object before the Service is stored, so two of them can never hand out the same value (upstream:
// pkg/registry/core/service/allocator/storage, the etcd-backed allocator).
import type { KubeObject, Service } from '../../api/types.js';
import { formatIPv4, parseIPv4 } from '../../admission/ip.js';
import type { NodePortRange } from './node-port-allocator.js';
import { parseServiceCIDR } from './cluster-ip-allocator.js';
import { clusterIPsHeld, nodePortsHeld } from './service-kinds.js';

/** One range of values that objects of a resource hold, shared by every API server. */
export interface SharedRange {
  /** Store key of its RangeAllocation. */
  key: string;
  /** The group/resource whose objects hold its values. */
  group: string;
  resource: string;
  /** The RangeAllocation's `range`: `127.96.0.0/12`, `30000-32767`. */
  range: string;
  /** The bit of a value, undefined when it is outside the range. */
  indexOf(value: string): number | undefined;
  valueAt(index: number): string;
  /** The values an object holds. */
  held(obj: KubeObject): string[];
}

export const SERVICE_IPS_KEY = '/registry/ranges/serviceips';
export const SERVICE_NODE_PORTS_KEY = '/registry/ranges/servicenodeports';

export function serviceClusterIPRange(serviceCIDR: string): SharedRange {
  const cidr = parseServiceCIDR(serviceCIDR);
  const base = cidr.base + 1;
  const max = Math.max(0, cidr.size - 2);
  return {
    key: SERVICE_IPS_KEY,
    group: '',
    resource: 'services',
    range: serviceCIDR,
    indexOf(value) {
      const n = parseIPv4(value);
      if (n === null) return undefined;
      const i = n - base;
      return i >= 0 && i < max ? i : undefined;
    },
    valueAt: (i) => formatIPv4(base + i),
    held: (obj) => clusterIPsHeld(obj as Service),
  };
}

export function serviceNodePortRange(ports: NodePortRange): SharedRange {
  return {
    key: SERVICE_NODE_PORTS_KEY,
    group: '',
    resource: 'services',
    range: `${ports.min}-${ports.max}`,
    indexOf(value) {
      const p = Number(value);
      return Number.isInteger(p) && p >= ports.min && p <= ports.max ? p - ports.min : undefined;
    },
    valueAt: (i) => String(ports.min + i),
    held: (obj) => nodePortsHeld(obj as Service).map(String),
  };
}

export interface RangeAllocation extends KubeObject {
  range: string;
  /** base64 of the bitmap: big-endian, bit i (from the last byte's lowest bit) for value i. */
  data: string;
}

/** The bit indexes set in a RangeAllocation's data. */
export function decodeBitmap(data: string): Set<number> {
  const bytes = Buffer.from(data, 'base64');
  const out = new Set<number>();
  for (let b = 0; b < bytes.length; b++) {
    const byte = bytes[bytes.length - 1 - b]!;
    if (byte === 0) continue;
    for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) out.add(b * 8 + bit);
  }
  return out;
}

/** The data of a bitmap with these bits set (as Go's big.Int.Bytes(): no leading zero bytes). */
export function encodeBitmap(bits: Iterable<number>): string {
  let top = -1;
  const set = [...bits];
  for (const i of set) top = Math.max(top, i);
  if (top < 0) return '';
  const bytes = Buffer.alloc(Math.floor(top / 8) + 1);
  for (const i of set) bytes[bytes.length - 1 - Math.floor(i / 8)]! |= 1 << i % 8;
  return bytes.toString('base64');
}

/** The values a RangeAllocation holds. */
export function rangeValues(r: SharedRange, alloc: RangeAllocation | undefined): string[] {
  if (!alloc) return [];
  return [...decodeBitmap(alloc.data ?? '')].sort((a, b) => a - b).map((i) => r.valueAt(i));
}

export function rangeAllocation(r: SharedRange, bits: Iterable<number>, creationTimestamp: string): RangeAllocation {
  return { apiVersion: 'v1', kind: 'RangeAllocation', metadata: { creationTimestamp }, range: r.range, data: encodeBitmap(bits) };
}

// IP addresses and CIDRs as the API validates them (k8s.io/apimachinery/pkg/util/validation/ip.go,
// ValidateNonSpecialIP), and the IPv4 arithmetic the ClusterIP allocator needs.
import net from 'node:net';
import type { FieldError } from './field-errors.js';
import { invalid } from './field-errors.js';

/** IPv4 as Go's ParseIPSloppy reads it (leading zeros allowed); null when not IPv4. */
export function parseIPv4(s: string): number | null {
  if (typeof s !== 'string') return null;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return null;
    n = n * 256 + octet;
  }
  return n;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function isIPv6(s: string): boolean {
  return typeof s === 'string' && net.isIPv6(s);
}

export type IPFamily = 'IPv4' | 'IPv6';

export function ipFamilyOf(s: string): IPFamily | undefined {
  if (parseIPv4(s) !== null) return 'IPv4';
  if (isIPv6(s)) return 'IPv6';
  return undefined;
}

export function isValidIP(field: string, value: string): FieldError[] {
  if (ipFamilyOf(value)) return [];
  return [invalid(field, value, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
}

export function isValidIPv4Address(field: string, value: string): FieldError[] {
  if (parseIPv4(value) !== null) return [];
  return [invalid(field, value, 'must be a valid IPv4 address')];
}

export function isValidIPv6Address(field: string, value: string): FieldError[] {
  if (isIPv6(value)) return [];
  return [invalid(field, value, 'must be a valid IPv6 address')];
}

export interface IPv4Cidr {
  /** The network address. */
  base: number;
  bits: number;
  size: number;
}

export function parseIPv4Cidr(s: string): IPv4Cidr | null {
  if (typeof s !== 'string') return null;
  const slash = s.indexOf('/');
  if (slash < 0) return null;
  const ip = parseIPv4(s.slice(0, slash));
  const bitsText = s.slice(slash + 1);
  if (ip === null || !/^\d{1,2}$/.test(bitsText)) return null;
  const bits = Number(bitsText);
  if (bits > 32) return null;
  const size = 2 ** (32 - bits);
  const base = Math.floor(ip / size) * size;
  return { base, bits, size };
}

export function formatIPv4Cidr(c: IPv4Cidr): string {
  return `${formatIPv4(c.base)}/${c.bits}`;
}

function isValidIPv6Cidr(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) return false;
  const bits = s.slice(slash + 1);
  return isIPv6(s.slice(0, slash)) && /^\d{1,3}$/.test(bits) && Number(bits) <= 128;
}

export function isValidCIDR(field: string, value: string): FieldError[] {
  if (parseIPv4Cidr(value) || isValidIPv6Cidr(value)) return [];
  return [invalid(field, value, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')];
}

/**
 * Endpoint addresses and external IPs may not be unspecified or link-local. Upstream also
 * refuses the loopback range (127.0.0.0/8, ::1); loopkube's pods and nodes live there, so that
 * one rule is loopkube's exception.
 */
export function validateNonSpecialIP(ip: string, field: string): FieldError[] {
  const v4 = parseIPv4(ip);
  if (v4 === null && !isIPv6(ip)) return [invalid(field, ip, 'must be a valid IP address')];
  const errs: FieldError[] = [];
  const lower = ip.toLowerCase();
  const unspecified = v4 !== null ? v4 === 0 : /^[0:]+$/.test(lower);
  if (unspecified) errs.push(invalid(field, ip, `may not be unspecified (${ip})`));
  const linkLocalUnicast = v4 !== null ? v4 >>> 16 === (169 << 8) + 254 : /^fe[89ab][0-9a-f]:/.test(lower);
  if (linkLocalUnicast) errs.push(invalid(field, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  const linkLocalMulticast = v4 !== null ? v4 >>> 8 === (224 << 16) : /^ff[0-9a-f]2:/.test(lower);
  if (linkLocalMulticast) errs.push(invalid(field, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return errs;
}

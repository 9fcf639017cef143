// Port numbers and IANA service names (k8s.io/apimachinery/pkg/util/validation), and the one
// protocol loopkube serves.
import type { FieldError } from './field-errors.js';
import { invalid, notSupported, required } from './field-errors.js';
import { inclusiveRangeError, maxLenError } from './names.js';

export function isValidPortNum(port: unknown): string[] {
  if (typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535) return [];
  return [inclusiveRangeError(1, 65535)];
}

/** An IANA_SVC_NAME: at most 15 characters of [-a-z0-9], at least one letter, no `--`, no edge dash. */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (port.length > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) errs.push('must not begin or end with a hyphen');
  return errs;
}

/** A port given by number or by name (targetPort, probe ports). */
export function validatePortNumOrName(port: unknown, field: string): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => invalid(field, port, m));
  if (typeof port === 'string') return isValidPortName(port).map((m) => invalid(field, port, m));
  return [invalid(field, port ?? null, inclusiveRangeError(1, 65535))];
}

/**
 * loopkube's limit: its proxy and pods speak TCP only, so UDP and SCTP (which Kubernetes
 * accepts) are refused here with Kubernetes' "Unsupported value" wording, listing what is
 * supported.
 */
export const SUPPORTED_PROTOCOLS = ['TCP'] as const;

export function validateProtocol(protocol: unknown, field: string): FieldError[] {
  if (protocol === undefined || protocol === null || protocol === '') return [required(field, '')];
  if (!(SUPPORTED_PROTOCOLS as readonly unknown[]).includes(protocol)) return [notSupported(field, protocol, SUPPORTED_PROTOCOLS)];
  return [];
}

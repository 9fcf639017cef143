// Liveness, readiness and startup probes: upstream's SetDefaults_Probe / SetDefaults_HTTPGetAction
// and validateProbe.
import type { Probe } from '../api/types.js';
import type { FieldError } from './field-errors.js';
import { forbidden, invalid, notSupported, required } from './field-errors.js';
import { child } from './field-path.js';
import { IS_NEGATIVE_ERROR, regexError } from './names.js';
import { isValidPortNum, validatePortNumOrName } from './ports.js';

export type ProbeKind = 'livenessProbe' | 'readinessProbe' | 'startupProbe';

interface GrpcAction {
  port: number;
  service?: string;
}

export type ProbeShape = Probe & { grpc?: GrpcAction; terminationGracePeriodSeconds?: number };

export function defaultProbe(probe: Probe | undefined): void {
  if (!probe || typeof probe !== 'object') return;
  if (!probe.timeoutSeconds) probe.timeoutSeconds = 1;
  if (!probe.periodSeconds) probe.periodSeconds = 10;
  if (!probe.successThreshold) probe.successThreshold = 1;
  if (!probe.failureThreshold) probe.failureThreshold = 3;
  if (probe.httpGet && typeof probe.httpGet === 'object') {
    if (!probe.httpGet.path) probe.httpGet.path = '/';
    if (!probe.httpGet.scheme) probe.httpGet.scheme = 'HTTP';
  }
}

export function validateHandler(p: ProbeShape, field: string): FieldError[] {
  const errs: FieldError[] = [];
  let handlers = 0;
  const one = (name: string, present: boolean, check: () => FieldError[]): void => {
    if (!present) return;
    if (handlers > 0) {
      errs.push(forbidden(child(field, name), 'may not specify more than 1 handler type'));
      return;
    }
    handlers++;
    errs.push(...check());
  };
  one('exec', !!p.exec, () => ((p.exec?.command ?? []).length === 0 ? [required(child(field, 'exec', 'command'), '')] : []));
  one('httpGet', !!p.httpGet, () => {
    const h = p.httpGet!;
    const path = child(field, 'httpGet');
    const out: FieldError[] = [];
    if (!h.path) out.push(required(child(path, 'path'), ''));
    out.push(...validatePortNumOrName(h.port, child(path, 'port')));
    if (h.scheme !== 'HTTP' && h.scheme !== 'HTTPS') out.push(notSupported(child(path, 'scheme'), h.scheme ?? '', ['HTTP', 'HTTPS']));
    const headers = (h as { httpHeaders?: Array<{ name: string }> }).httpHeaders ?? [];
    for (const header of headers) {
      if (!/^[-A-Za-z0-9]+$/.test(header.name ?? '')) {
        out.push(
          invalid(child(path, 'httpHeaders'), header.name ?? '', regexError("a valid HTTP header must consist of alphanumeric characters or '-'", '[-A-Za-z0-9]+', 'X-Header-Name')),
        );
      }
    }
    return out;
  });
  one('tcpSocket', !!p.tcpSocket, () => validatePortNumOrName(p.tcpSocket!.port, child(field, 'tcpSocket', 'port')));
  one('grpc', !!p.grpc, () => isValidPortNum(p.grpc!.port).map((m) => invalid(child(field, 'grpc', 'port'), p.grpc!.port, m)));
  if (handlers === 0) errs.push(required(field, 'must specify a handler type'));
  return errs;
}

export function validateProbe(probe: Probe | undefined, kind: ProbeKind, field: string): FieldError[] {
  if (!probe) return [];
  const p = probe as ProbeShape;
  const errs = validateHandler(p, field);
  for (const name of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    const v = p[name];
    if (typeof v === 'number' && v < 0) errs.push(invalid(child(field, name), v, IS_NEGATIVE_ERROR));
  }
  if (typeof p.terminationGracePeriodSeconds === 'number' && p.terminationGracePeriodSeconds <= 0) {
    errs.push(invalid(child(field, 'terminationGracePeriodSeconds'), p.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  if ((kind === 'livenessProbe' || kind === 'startupProbe') && p.successThreshold !== 1) {
    errs.push(invalid(child(field, 'successThreshold'), p.successThreshold ?? 0, 'must be 1'));
  }
  if (kind === 'readinessProbe' && p.terminationGracePeriodSeconds !== undefined) {
    errs.push(invalid(child(field, 'terminationGracePeriodSeconds'), p.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
  }
  return errs;
}

// Endpoints (core validation's ValidateEndpoints): every subset has addresses, each a valid IP,
// ports named when there are several. Ports default to TCP.
import type { EndpointAddress, EndpointPort, Endpoints, KubeObject } from '../../api/types.js';
import type { FieldError } from '../../admission/field-errors.js';
import { invalid, invalidObject, required } from '../../admission/field-errors.js';
import { child, index } from '../../admission/field-path.js';
import { isValidIP, validateNonSpecialIP } from '../../admission/ip.js';
import { validateLabelName } from '../../admission/labels.js';
import { isDNS1123Label, nameIsDNSSubdomain } from '../../admission/names.js';
import { carrySystemMeta, validateObjectMeta, validateObjectMetaUpdate } from '../../admission/object-meta.js';
import { isValidPortNum, validateProtocol } from '../../admission/ports.js';
import type { AdmissionRequest } from '../kind.js';

function validateAddress(a: EndpointAddress, field: string): FieldError[] {
  const errs = isValidIP(child(field, 'ip'), a.ip);
  if (a.hostname) errs.push(...isDNS1123Label(a.hostname).map((m) => invalid(child(field, 'hostname'), a.hostname, m)));
  if (a.nodeName !== undefined && a.nodeName !== null) {
    errs.push(...nameIsDNSSubdomain(a.nodeName, false).map((m) => invalid(child(field, 'nodeName'), a.nodeName, m)));
  }
  errs.push(...validateNonSpecialIP(a.ip, child(field, 'ip')));
  return errs;
}

/** Shared with EndpointSlices' ports: name, number, protocol, appProtocol. */
export function validateEndpointPort(p: EndpointPort, requireName: boolean, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !p.name) errs.push(required(child(field, 'name'), ''));
  else if (p.name) errs.push(...isDNS1123Label(p.name).map((m) => invalid(child(field, 'name'), p.name, m)));
  errs.push(...isValidPortNum(p.port).map((m) => invalid(child(field, 'port'), p.port ?? 0, m)));
  errs.push(...validateProtocol(p.protocol, child(field, 'protocol')));
  if (p.appProtocol !== undefined && p.appProtocol !== null) errs.push(...validateLabelName(p.appProtocol, child(field, 'appProtocol')));
  return errs;
}

function validateEndpoints(ep: Endpoints): FieldError[] {
  const errs = validateObjectMeta(ep.metadata, true, nameIsDNSSubdomain);
  (ep.subsets ?? []).forEach((ss, i) => {
    const path = index('subsets', i);
    if ((ss.addresses ?? []).length === 0 && (ss.notReadyAddresses ?? []).length === 0) {
      errs.push(required(path, 'must specify `addresses` or `notReadyAddresses`'));
    }
    (ss.addresses ?? []).forEach((a, j) => errs.push(...validateAddress(a, index(child(path, 'addresses'), j))));
    (ss.notReadyAddresses ?? []).forEach((a, j) => errs.push(...validateAddress(a, index(child(path, 'notReadyAddresses'), j))));
    const ports = ss.ports ?? [];
    ports.forEach((p, j) => errs.push(...validateEndpointPort(p, ports.length > 1, index(child(path, 'ports'), j))));
  });
  return errs;
}

export function admitEndpoints(req: AdmissionRequest): KubeObject {
  const ep = structuredClone(req.object) as Endpoints;
  for (const ss of ep.subsets ?? []) for (const p of ss.ports ?? []) if (p && !p.protocol) p.protocol = 'TCP';
  const errs: FieldError[] = [];
  if (req.operation === 'UPDATE' && req.oldObject) {
    carrySystemMeta(ep.metadata, req.oldObject.metadata);
    errs.push(...validateObjectMetaUpdate(ep.metadata, req.oldObject.metadata));
  }
  errs.push(...validateEndpoints(ep));
  if (errs.length) throw invalidObject('Endpoints', '', ep.metadata.name ?? '', errs);
  return ep;
}

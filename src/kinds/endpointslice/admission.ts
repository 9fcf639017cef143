// EndpointSlices (discovery validation's ValidateEndpointSlice): an address type, endpoints with
// addresses of that type, ports (named uniquely, TCP in loopkube).
import type { EndpointSlice, KubeObject } from '../../api/types.js';
import type { FieldError } from '../../admission/field-errors.js';
import { duplicate, invalid, invalidObject, notSupported, required, tooMany } from '../../admission/field-errors.js';
import { child, index } from '../../admission/field-path.js';
import { isValidIPv4Address, isValidIPv6Address, validateNonSpecialIP } from '../../admission/ip.js';
import { validateLabelName } from '../../admission/labels.js';
import { FIELD_IMMUTABLE_ERROR, isDNS1123Label, isDNS1123Subdomain, nameIsDNSSubdomain } from '../../admission/names.js';
import { carrySystemMeta, validateObjectMeta, validateObjectMetaUpdate } from '../../admission/object-meta.js';
import { isValidPortNum, validateProtocol } from '../../admission/ports.js';
import type { AdmissionRequest } from '../kind.js';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 100;

/** IsFullyQualifiedDomainName: a subdomain of at least two labels, a trailing dot allowed. */
function validateFQDN(field: string, name: string): FieldError[] {
  if (!name) return [required(field, '')];
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  const msgs = isDNS1123Subdomain(n);
  if (msgs.length) return [invalid(field, n, msgs.join(','))];
  const labels = n.split('.');
  if (labels.length < 2) return [invalid(field, n, 'should be a domain with at least two segments separated by dots')];
  for (const l of labels) {
    const m = isDNS1123Label(l);
    if (m.length) return [invalid(field, l, m.join(','))];
  }
  return [];
}

function validateSlice(slice: EndpointSlice): FieldError[] {
  const errs = validateObjectMeta(slice.metadata, true, nameIsDNSSubdomain);
  const type = slice.addressType as string | undefined;
  if (!type) errs.push(required('addressType', ''));
  else if (!ADDRESS_TYPES.includes(type)) errs.push(notSupported('addressType', type, ADDRESS_TYPES));
  const endpoints = slice.endpoints ?? [];
  if (endpoints.length > MAX_ENDPOINTS) {
    errs.push(tooMany('endpoints', endpoints.length, MAX_ENDPOINTS));
  } else {
    endpoints.forEach((ep, i) => {
      const path = index('endpoints', i);
      const addrPath = child(path, 'addresses');
      const addresses = ep.addresses ?? [];
      if (addresses.length === 0) errs.push(required(addrPath, 'must contain at least 1 address'));
      else if (addresses.length > MAX_ADDRESSES) errs.push(tooMany(addrPath, addresses.length, MAX_ADDRESSES));
      addresses.forEach((a, j) => {
        const p = index(addrPath, j);
        if (type === 'IPv4') errs.push(...isValidIPv4Address(p, a), ...validateNonSpecialIP(a, p));
        else if (type === 'IPv6') errs.push(...isValidIPv6Address(p, a), ...validateNonSpecialIP(a, p));
        else if (type === 'FQDN') errs.push(...validateFQDN(p, a));
      });
      if (ep.nodeName !== undefined && ep.nodeName !== null) {
        errs.push(...nameIsDNSSubdomain(ep.nodeName, false).map((m) => invalid(child(path, 'nodeName'), ep.nodeName, m)));
      }
      if (ep.hostname !== undefined && ep.hostname !== null) {
        errs.push(...isDNS1123Label(ep.hostname).map((m) => invalid(child(path, 'hostname'), ep.hostname, m)));
      }
    });
  }
  const ports = slice.ports ?? [];
  if (ports.length > MAX_PORTS) {
    errs.push(tooMany('ports', ports.length, MAX_PORTS));
  } else {
    const names = new Set<string>();
    ports.forEach((p, i) => {
      const path = index('ports', i);
      const name = p.name ?? '';
      if (name) errs.push(...isDNS1123Label(name).map((m) => invalid(child(path, 'name'), name, m)));
      if (names.has(name)) errs.push(duplicate(child(path, 'name'), name));
      else names.add(name);
      errs.push(...validateProtocol(p.protocol, child(path, 'protocol')));
      if (p.port !== undefined && p.port !== null) errs.push(...isValidPortNum(p.port).map((m) => invalid(child(path, 'port'), p.port, m)));
      if (p.appProtocol !== undefined && p.appProtocol !== null) errs.push(...validateLabelName(p.appProtocol, child(path, 'appProtocol')));
    });
  }
  return errs;
}

export function admitEndpointSlice(req: AdmissionRequest): KubeObject {
  const slice = structuredClone(req.object) as EndpointSlice;
  for (const p of slice.ports ?? []) {
    if (!p) continue;
    if (p.name === undefined || p.name === null) p.name = '';
    if (!p.protocol) p.protocol = 'TCP';
  }
  const errs: FieldError[] = [];
  const old = req.oldObject as EndpointSlice | undefined;
  if (req.operation === 'UPDATE' && old) {
    carrySystemMeta(slice.metadata, old.metadata);
    errs.push(...validateObjectMetaUpdate(slice.metadata, old.metadata));
  }
  errs.push(...validateSlice(slice));
  if (old && slice.addressType !== old.addressType) errs.push(invalid('addressType', slice.addressType ?? '', FIELD_IMMUTABLE_ERROR));
  if (errs.length) throw invalidObject('EndpointSlice', 'discovery.k8s.io', slice.metadata.name ?? '', errs);
  return slice;
}

// Service validation (core validation's ValidateService, ValidateServiceUpdate,
// ValidateServiceStatusUpdate, ValidateServiceClusterIPsRelatedFields).
import type { Service, ServicePort, ServiceSpec } from '../../api/types.js';
import type { FieldError } from '../../admission/field-errors.js';
import { duplicate, forbidden, invalid, notSupported, required } from '../../admission/field-errors.js';
import { child, index } from '../../admission/field-path.js';
import { GoSyntax, goQuote, goStringSlice } from '../../admission/go-syntax.js';
import { ipFamilyOf, isValidCIDR, isValidIP, validateNonSpecialIP } from '../../admission/ip.js';
import { isQualifiedName, validateLabelName, validateLabels } from '../../admission/labels.js';
import { FIELD_IMMUTABLE_ERROR, isDNS1123Label, isDNS1123Subdomain, nameIsDNS1035Label } from '../../admission/names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../admission/object-meta.js';
import { isValidPortNum, validatePortNumOrName, validateProtocol } from '../../admission/ports.js';
import { externallyAccessible, isHeadless, needsHealthCheck, sameLoadBalancerClass, specOf } from './service-kinds.js';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const SESSION_AFFINITIES = ['ClientIP', 'None'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const MAX_CLIENT_IP_AFFINITY_SECONDS = 86400;

function validateServicePort(sp: ServicePort, requireName: boolean, names: Set<string>, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !sp.name) errs.push(required(child(field, 'name'), ''));
  else if (sp.name) {
    errs.push(...isDNS1123Label(sp.name).map((m) => invalid(child(field, 'name'), sp.name, m)));
    if (names.has(sp.name)) errs.push(duplicate(child(field, 'name'), sp.name));
    else names.add(sp.name);
  }
  errs.push(...isValidPortNum(sp.port).map((m) => invalid(child(field, 'port'), sp.port ?? 0, m)));
  errs.push(...validateProtocol(sp.protocol, child(field, 'protocol')));
  errs.push(...validatePortNumOrName(sp.targetPort, child(field, 'targetPort')));
  if (sp.appProtocol !== undefined) errs.push(...validateLabelName(sp.appProtocol, child(field, 'appProtocol')));
  return errs;
}

function validateClientIPAffinityConfig(s: ServiceSpec, field: string): FieldError[] {
  const when = 'when session affinity type is ClientIP';
  const config = s.sessionAffinityConfig;
  if (!config) return [required(field, when)];
  if (!config.clientIP) return [required(child(field, 'clientIP'), when)];
  const t = config.clientIP.timeoutSeconds;
  const path = child(field, 'clientIP', 'timeoutSeconds');
  if (t === undefined || t === null) return [required(path, when)];
  if (t <= 0 || t > MAX_CLIENT_IP_AFFINITY_SECONDS) {
    return [invalid(path, t, `must be greater than 0 and less than ${MAX_CLIENT_IP_AFFINITY_SECONDS}`)];
  }
  return [];
}

export function validateServiceClusterIPsRelatedFields(svc: Service): FieldError[] {
  const s = specOf(svc);
  if (s.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const clusterIPsField = 'spec.clusterIPs';
  const ips = s.clusterIPs ?? [];
  if (s.clusterIP) {
    if (ips.length === 0) errs.push(required(clusterIPsField, ''));
    else if (ips[0] !== s.clusterIP) errs.push(invalid(clusterIPsField, goStringSlice(ips), 'first value must match `clusterIP`'));
  } else if (ips.length !== 0) {
    errs.push(invalid(clusterIPsField, goStringSlice(ips), 'must be empty when `clusterIP` is not specified'));
  }
  const seen = new Set<string>();
  (s.ipFamilies ?? []).forEach((f, i) => {
    if (!IP_FAMILIES.includes(f)) errs.push(notSupported(index('spec.ipFamilies', i), f, IP_FAMILIES));
    if (seen.has(f)) errs.push(duplicate(index('spec.ipFamilies', i), f));
    seen.add(f);
  });
  if (s.ipFamilyPolicy !== undefined && s.ipFamilyPolicy !== null && !IP_FAMILY_POLICIES.includes(s.ipFamilyPolicy)) {
    errs.push(notSupported('spec.ipFamilyPolicy', s.ipFamilyPolicy, IP_FAMILY_POLICIES));
  }
  let hasInvalidIPs = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) {
        hasInvalidIPs = true;
        errs.push(invalid(clusterIPsField, goStringSlice(ips), "'None' must be the first and only value"));
      }
      return;
    }
    const e = isValidIP(index(clusterIPsField, i), ip);
    if (e.length) hasInvalidIPs = true;
    errs.push(...e);
  });
  if (ips.length > 2) errs.push(invalid(clusterIPsField, goStringSlice(ips), 'may only hold up to 2 values'));
  if (hasInvalidIPs) return errs;
  if (ips.length > 1 && new Set(ips.map(ipFamilyOf)).size !== ips.length) {
    errs.push(invalid(clusterIPsField, goStringSlice(ips), 'may specify no more than one IP for each IP family'));
  }
  if (!isHeadless(svc) && ips.length > 0 && (s.ipFamilies ?? []).length > 0) {
    ips.forEach((ip, i) => {
      const fam = s.ipFamilies?.[i];
      if (fam === undefined) return;
      if (fam === 'IPv4' && ipFamilyOf(ip) === 'IPv6') errs.push(invalid(index(clusterIPsField, i), ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (fam === 'IPv6' && ipFamilyOf(ip) !== 'IPv6') errs.push(invalid(index(clusterIPsField, i), ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

function goServicePortKey(protocol: string | undefined, port: number | undefined): GoSyntax {
  return new GoSyntax(
    `core.ServicePort{Name:"", Protocol:${goQuote(protocol ?? '')}, AppProtocol:(*string)(nil), Port:${port ?? 0}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`,
  );
}

function validateExternalTrafficPolicy(svc: Service): FieldError[] {
  const s = specOf(svc);
  const errs: FieldError[] = [];
  if (!externallyAccessible(svc)) {
    if (s.externalTrafficPolicy) errs.push(invalid('spec.externalTrafficPolicy', s.externalTrafficPolicy, 'may only be set for externally-accessible services'));
  } else if (!s.externalTrafficPolicy) {
    errs.push(required('spec.externalTrafficPolicy', ''));
  } else if (!TRAFFIC_POLICIES.includes(s.externalTrafficPolicy)) {
    errs.push(notSupported('spec.externalTrafficPolicy', s.externalTrafficPolicy, TRAFFIC_POLICIES));
  }
  const hc = s.healthCheckNodePort ?? 0;
  if (!needsHealthCheck(svc)) {
    if (hc !== 0) errs.push(invalid('spec.healthCheckNodePort', hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  } else if (hc === 0) {
    errs.push(required('spec.healthCheckNodePort', ''));
  } else {
    errs.push(...isValidPortNum(hc).map((m) => invalid('spec.healthCheckNodePort', hc, m)));
  }
  return errs;
}

function validateLoadBalancerClass(svc: Service, old: Service | undefined): FieldError[] {
  const s = specOf(svc);
  const errs: FieldError[] = [];
  if (old && specOf(old).type === 'LoadBalancer' && s.type === 'LoadBalancer' && !sameLoadBalancerClass(old, svc)) {
    errs.push(invalid('spec.loadBalancerClass', s.loadBalancerClass ?? null, 'may not change once set'));
  }
  if (s.type === 'LoadBalancer') {
    if (s.loadBalancerClass !== undefined && s.loadBalancerClass !== null) {
      errs.push(...isQualifiedName(s.loadBalancerClass).map((m) => invalid('spec.loadBalancerClass', s.loadBalancerClass, m)));
    }
  } else if (s.loadBalancerClass !== undefined && s.loadBalancerClass !== null) {
    errs.push(forbidden('spec.loadBalancerClass', "may only be used when `type` is 'LoadBalancer'"));
  }
  return errs;
}

export function validateService(svc: Service): FieldError[] {
  const s = specOf(svc);
  const errs = validateObjectMeta(svc.metadata, true, nameIsDNS1035Label);
  const ports = s.ports ?? [];
  const headless = isHeadless(svc);
  if (ports.length === 0 && !headless && s.type !== 'ExternalName') errs.push(required('spec.ports', ''));
  switch (s.type) {
    case 'LoadBalancer':
      if (headless) errs.push(invalid('spec.clusterIPs[0]', 'None', "may not be set to 'None' for LoadBalancer services"));
      break;
    case 'NodePort':
      if (headless) errs.push(invalid('spec.clusterIPs[0]', 'None', "may not be set to 'None' for NodePort services"));
      break;
    case 'ExternalName': {
      if ((s.clusterIPs ?? []).length > 0) errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
      if ((s.ipFamilies ?? []).length > 0) errs.push(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
      if (s.ipFamilyPolicy !== undefined && s.ipFamilyPolicy !== null) errs.push(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
      const cname = (s.externalName ?? '').replace(/\.$/, '');
      if (cname) errs.push(...isDNS1123Subdomain(cname).map((m) => invalid('spec.externalName', cname, m)));
      else errs.push(required('spec.externalName', ''));
      break;
    }
    default:
      break;
  }
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, index('spec.ports', i))));
  if (s.selector) errs.push(...validateLabels(s.selector, 'spec.selector'));
  if (!s.sessionAffinity) errs.push(required('spec.sessionAffinity', ''));
  else if (!SESSION_AFFINITIES.includes(s.sessionAffinity)) errs.push(notSupported('spec.sessionAffinity', s.sessionAffinity, SESSION_AFFINITIES));
  if (s.sessionAffinity === 'ClientIP') errs.push(...validateClientIPAffinityConfig(s, 'spec.sessionAffinityConfig'));
  else if (s.sessionAffinity === 'None' && s.sessionAffinityConfig) {
    errs.push(forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  errs.push(...validateServiceClusterIPsRelatedFields(svc));
  (s.externalIPs ?? []).forEach((ip, i) => {
    const path = index('spec.externalIPs', i);
    const e = isValidIP(path, ip);
    errs.push(...(e.length ? e : validateNonSpecialIP(ip, path)));
  });
  if (!s.type) errs.push(required('spec.type', ''));
  else if (!SERVICE_TYPES.includes(s.type)) errs.push(notSupported('spec.type', s.type, SERVICE_TYPES));
  if (s.type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (p.nodePort) errs.push(forbidden(child(index('spec.ports', i), 'nodePort'), "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!p.nodePort) return;
    const k = `${p.protocol}/${p.nodePort}`;
    if (nodePorts.has(k)) errs.push(duplicate(child(index('spec.ports', i), 'nodePort'), p.nodePort));
    nodePorts.add(k);
  });
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    const k = `${p.protocol}/${p.port}`;
    if (portKeys.has(k)) errs.push(duplicate(index('spec.ports', i), goServicePortKey(p.protocol, p.port)));
    portKeys.add(k);
  });
  const ranges = (s as ServiceSpec & { loadBalancerSourceRanges?: string[] }).loadBalancerSourceRanges ?? [];
  if (ranges.length > 0) {
    if (s.type !== 'LoadBalancer') errs.push(forbidden('spec.LoadBalancerSourceRanges', "may only be used when `type` is 'LoadBalancer'"));
    ranges.forEach((r, i) => errs.push(...isValidCIDR(index('spec.LoadBalancerSourceRanges', i), String(r).trim())));
  }
  if (s.allocateLoadBalancerNodePorts !== undefined && s.allocateLoadBalancerNodePorts !== null && s.type !== 'LoadBalancer') {
    errs.push(forbidden('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"));
  }
  if (s.type === 'LoadBalancer' && (s.allocateLoadBalancerNodePorts === undefined || s.allocateLoadBalancerNodePorts === null)) {
    errs.push(required('allocateLoadBalancerNodePorts', ''));
  }
  errs.push(...validateLoadBalancerClass(svc, undefined));
  errs.push(...validateExternalTrafficPolicy(svc));
  if (!s.internalTrafficPolicy) {
    if (s.type === 'NodePort' || s.type === 'LoadBalancer' || s.type === 'ClusterIP') errs.push(required('spec.internalTrafficPolicy', ''));
  } else if (!TRAFFIC_POLICIES.includes(s.internalTrafficPolicy)) {
    errs.push(notSupported('spec.internalTrafficPolicy', s.internalTrafficPolicy, TRAFFIC_POLICIES));
  }
  const td = (s as ServiceSpec & { trafficDistribution?: string }).trafficDistribution;
  if (td !== undefined && td !== null && td !== 'PreferClose') errs.push(notSupported('spec.trafficDistribution', td, ['PreferClose']));
  return errs;
}

function validateUpgradeDowngradeClusterIPs(old: Service, svc: Service): FieldError[] {
  const o = specOf(old);
  const s = specOf(svc);
  if (s.type === 'ExternalName' || o.type === 'ExternalName') return [];
  if (isHeadless(old) && isHeadless(svc)) return [];
  const oldIPs = o.clusterIPs ?? [];
  const ips = s.clusterIPs ?? [];
  const errs: FieldError[] = [];
  const value = goStringSlice(s.clusterIPs);
  if (oldIPs.length === ips.length) {
    oldIPs.forEach((ip, i) => {
      if (ip !== ips[i]) errs.push(invalid(index('spec.clusterIPs', i), value, 'may not change once set'));
    });
  } else if (oldIPs.length > ips.length) {
    if (ips.length === 0) errs.push(invalid('spec.clusterIPs[0]', value, 'primary clusterIP can not be unset'));
    if (oldIPs.length > 0 && ips.length > 0 && ips[0] !== oldIPs[0]) errs.push(invalid('spec.clusterIPs[0]', value, 'may not change once set'));
    if (ips.length === 1 && s.ipFamilyPolicy !== 'SingleStack') {
      errs.push(invalid('spec.ipFamilyPolicy', s.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
    }
  } else if (oldIPs.length > 0 && ips[0] !== oldIPs[0]) {
    errs.push(invalid('spec.clusterIPs[0]', value, 'may not change once set'));
  }
  return errs;
}

function validateUpgradeDowngradeIPFamilies(old: Service, svc: Service): FieldError[] {
  const o = specOf(old);
  const s = specOf(svc);
  if (s.type === 'ExternalName' || o.type === 'ExternalName') return [];
  if (isHeadless(old) !== isHeadless(svc) || isHeadless(svc)) return [];
  const oldF = o.ipFamilies ?? [];
  const f = s.ipFamilies ?? [];
  const errs: FieldError[] = [];
  if (oldF.length === f.length) {
    oldF.forEach((fam, i) => {
      if (fam !== f[i]) errs.push(invalid('spec.ipFamilies[0]', goStringSlice(f, '[]core.IPFamily'), 'may not change once set'));
    });
  } else if (oldF.length > f.length) {
    if ((s.clusterIPs ?? []).length === 0) errs.push(invalid('spec.ipFamilies[0]', goStringSlice(f, '[]core.IPFamily'), 'primary ipFamily can not be unset'));
    if (f.length > 0 && f[0] !== oldF[0]) errs.push(invalid('spec.ipFamilies[0]', goStringSlice(s.clusterIPs), 'may not change once set'));
    if (f.length === 1 && s.ipFamilyPolicy !== 'SingleStack') {
      errs.push(invalid('spec.ipFamilyPolicy', s.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary ipFamily"));
    }
  } else if (oldF.length > 0 && f.length > 0 && f[0] !== oldF[0]) {
    errs.push(invalid('spec.ipFamilies[0]', goStringSlice(s.clusterIPs), 'may not change once set'));
  }
  return errs;
}

export function validateServiceUpdate(svc: Service, old: Service): FieldError[] {
  const errs = validateObjectMetaUpdate(svc.metadata, old.metadata);
  errs.push(...validateUpgradeDowngradeClusterIPs(old, svc));
  errs.push(...validateUpgradeDowngradeIPFamilies(old, svc));
  errs.push(...validateLoadBalancerClass(svc, old).filter((e) => e.detail === 'may not change once set'));
  if (needsHealthCheck(old) && needsHealthCheck(svc) && specOf(svc).healthCheckNodePort !== specOf(old).healthCheckNodePort) {
    errs.push(forbidden('spec.healthCheckNodePort', FIELD_IMMUTABLE_ERROR));
  }
  return [...errs, ...validateService(svc)];
}

const IP_MODES = ['Proxy', 'VIP'];

export function validateServiceStatusUpdate(svc: Service, old: Service): FieldError[] {
  const errs = validateObjectMetaUpdate(svc.metadata, old.metadata);
  const ingress = svc.status?.loadBalancer?.ingress ?? [];
  const path = 'status.loadBalancer.ingress';
  if (specOf(svc).type !== 'LoadBalancer' && ingress.length !== 0) {
    errs.push(forbidden(path, "may only be used when `spec.type` is 'LoadBalancer'"));
    return errs;
  }
  ingress.forEach((ing, i) => {
    const p = index(path, i);
    if (ing.ip) errs.push(...isValidIP(child(p, 'ip'), ing.ip));
    if (!ing.ipMode) {
      if (ing.ip) errs.push(required(child(p, 'ipMode'), 'must be specified when `ip` is set'));
    } else if (!ing.ip) {
      errs.push(forbidden(child(p, 'ipMode'), 'may not be specified when `ip` is not set'));
    } else if (!IP_MODES.includes(ing.ipMode)) {
      errs.push(notSupported(child(p, 'ipMode'), ing.ipMode, IP_MODES));
    }
    if (ing.hostname) {
      errs.push(...isDNS1123Subdomain(ing.hostname).map((m) => invalid(child(p, 'hostname'), ing.hostname, m)));
      if (ipFamilyOf(ing.hostname)) errs.push(invalid(child(p, 'hostname'), ing.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

// networking.k8s.io/v1 Ingress: the DefaultIngressClass admission plugin (an Ingress created
// without a class gets the newest IngressClass annotated as the default), then ValidateIngressCreate
// / ValidateIngressUpdate / ValidateIngressStatusUpdate (pkg/apis/networking/validation) in
// upstream's words: either rules or a defaultBackend, hosts precise or `*.`-wildcard and never
// IPs, pathType Exact / Prefix / ImplementationSpecific with absolute, clean paths, a backend by
// Service (name and port name or number) or by resource, TLS hosts and Secret names, the class
// name and the legacy annotation agreeing.
import {
  DEFAULT_INGRESS_CLASS_ANNOTATION,
  INGRESS_CLASS_ANNOTATION,
  PATH_TYPES,
  type HTTPIngressPath,
  type Ingress,
  type IngressBackend,
  type IngressClass,
  type IngressRule,
  type IngressTLS,
} from '../../api/networking.js';
import { invalid, notSupported, required, type FieldError } from '../../admission/field-errors.js';
import { GoSyntax } from '../../admission/go-syntax.js';
import { isWildcardDNS1123Subdomain } from '../../admission/hosts.js';
import { isIPv6, isValidIP, parseIPv4 } from '../../admission/ip.js';
import { isDNS1035Label, isDNS1123Subdomain, nameIsDNSSubdomain } from '../../admission/names.js';
import { isValidPortName, isValidPortNum } from '../../admission/ports.js';
import { specStatusAdmission } from '../shared/admission.js';
import { INGRESS_CLASSES } from '../ingressclass/resource.js';
import { validateKindAndName } from '../ingressclass/admission.js';
import type { AdmissionDeps, AdmissionRequest } from '../kind.js';
import type { KubeObject } from '../../api/types.js';

const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];

const isIP = (s: string): boolean => parseIPv4(s) !== null || isIPv6(s);

/** A host of a rule or of a TLS entry: a DNS subdomain, or one with a leading `*.` label. */
function hostErrors(host: string, field: string): FieldError[] {
  const msgs = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
  return msgs.map((m) => invalid(field, host, m));
}

function validateBackend(b: IngressBackend | undefined, field: string): FieldError[] {
  const backend = b ?? {};
  if (backend.resource && backend.service) return [invalid(field, '', 'cannot set both resource and service backends')];
  if (backend.resource) return validateKindAndName(backend.resource, `${field}.resource`).concat(
    typeof backend.resource.apiGroup === 'string' ? isDNS1123Subdomain(backend.resource.apiGroup).map((m) => invalid(`${field}.resource.apiGroup`, backend.resource?.apiGroup, m)) : [],
  );
  const svc = backend.service;
  if (!svc) return [invalid(field, '', 'resource or service backend is required')];
  const errs: FieldError[] = [];
  if (!svc.name) errs.push(required(`${field}.service.name`, ''));
  else errs.push(...isDNS1035Label(svc.name).map((m) => invalid(`${field}.service.name`, svc.name, m)));
  const portName = svc.port?.name ?? '';
  const portNumber = svc.port?.number ?? 0;
  if (portName && portNumber) errs.push(invalid(field, '', 'cannot set both port name & port number'));
  else if (portName) errs.push(...isValidPortName(portName).map((m) => invalid(`${field}.service.port.name`, portName, m)));
  else if (portNumber) errs.push(...isValidPortNum(portNumber).map((m) => invalid(`${field}.service.port.number`, portNumber, m)));
  else errs.push(required(field, 'port name or number is required'));
  return errs;
}

function validatePath(p: HTTPIngressPath, field: string): FieldError[] {
  if (p.pathType === undefined || p.pathType === null) return [required(`${field}.pathType`, 'pathType must be specified')];
  const errs: FieldError[] = [];
  const path = p.path ?? '';
  switch (p.pathType) {
    case 'Exact':
    case 'Prefix':
      if (!path.startsWith('/')) errs.push(invalid(`${field}.path`, path, 'must be an absolute path'));
      for (const seq of INVALID_PATH_SEQUENCES) if (path.includes(seq)) errs.push(invalid(`${field}.path`, path, `must not contain '${seq}'`));
      for (const suffix of INVALID_PATH_SUFFIXES) if (path.endsWith(suffix)) errs.push(invalid(`${field}.path`, path, `cannot end with '${suffix}'`));
      break;
    case 'ImplementationSpecific':
      if (path.length > 0 && !path.startsWith('/')) errs.push(invalid(`${field}.path`, path, 'must be an absolute path'));
      break;
    default:
      errs.push(notSupported(`${field}.pathType`, p.pathType, PATH_TYPES));
  }
  errs.push(...validateBackend(p.backend, `${field}.backend`));
  return errs;
}

function validateRules(rules: IngressRule[], field: string): FieldError[] {
  const errs: FieldError[] = [];
  rules.forEach((rule, i) => {
    const host = rule.host ?? '';
    if (host) {
      if (isIP(host)) errs.push(invalid(`${field}[${i}].host`, host, 'must be a DNS name, not an IP address'));
      errs.push(...hostErrors(host, `${field}[${i}].host`));
    }
    if (rule.http) {
      const paths = rule.http.paths ?? [];
      if (paths.length === 0) errs.push(required(`${field}[${i}].http.paths`, ''));
      paths.forEach((p, j) => errs.push(...validatePath(p, `${field}[${i}].http.paths[${j}]`)));
    }
  });
  return errs;
}

function validateTLS(tls: IngressTLS[], field: string): FieldError[] {
  const errs: FieldError[] = [];
  tls.forEach((t, i) => {
    (t.hosts ?? []).forEach((h, j) => errs.push(...hostErrors(h, `${field}[${i}].hosts[${j}]`)));
    if (t.secretName) errs.push(...isDNS1123Subdomain(t.secretName).map((m) => invalid(`${field}[${i}].secretName`, t.secretName, m)));
  });
  return errs;
}

function validateSpec(ing: Ingress): FieldError[] {
  const spec = ing.spec ?? {};
  const errs: FieldError[] = [];
  const rules = spec.rules;
  if ((rules ?? []).length === 0 && !spec.defaultBackend) {
    errs.push(invalid('spec', new GoSyntax(rules ? '[]networking.IngressRule{}' : '[]networking.IngressRule(nil)'), 'either `defaultBackend` or `rules` must be specified'));
  }
  if (spec.defaultBackend) errs.push(...validateBackend(spec.defaultBackend, 'spec.defaultBackend'));
  if (rules?.length) errs.push(...validateRules(rules, 'spec.rules'));
  if (spec.tls?.length) errs.push(...validateTLS(spec.tls, 'spec.tls'));
  if (typeof spec.ingressClassName === 'string') errs.push(...nameIsDNSSubdomain(spec.ingressClassName, false).map((m) => invalid('spec.ingressClassName', spec.ingressClassName, m)));
  return errs;
}

/** ValidateIngressCreate's extra rule: the legacy annotation and the field agree. */
function validateClassAnnotation(ing: Ingress): FieldError[] {
  const annotation = ing.metadata.annotations?.[INGRESS_CLASS_ANNOTATION];
  const name = ing.spec?.ingressClassName;
  if (annotation === undefined || typeof name !== 'string' || annotation === name) return [];
  return [invalid(`annotations.${INGRESS_CLASS_ANNOTATION}`, annotation, 'must match `ingressClassName` when both are specified')];
}

function validateStatus(ing: Ingress): FieldError[] {
  const errs: FieldError[] = [];
  (ing.status?.loadBalancer?.ingress ?? []).forEach((lb, i) => {
    const field = `status.loadBalancer.ingress[${i}]`;
    if (lb.ip) errs.push(...isValidIP(`${field}.ip`, lb.ip));
    if (lb.hostname) {
      errs.push(...isDNS1123Subdomain(lb.hostname).map((m) => invalid(`${field}.hostname`, lb.hostname, m)));
      if (isIP(lb.hostname)) errs.push(invalid(`${field}.hostname`, lb.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

const validate = specStatusAdmission<Ingress>({
  kind: 'Ingress',
  group: 'networking.k8s.io',
  namespaced: true,
  name: nameIsDNSSubdomain,
  defaults: (ing) => {
    ing.spec ??= {};
  },
  validate: validateSpec,
  validateCreate: validateClassAnnotation,
  validateStatus,
  initialStatus: () => ({ loadBalancer: {} }),
});

/** getDefaultClass: the IngressClasses marked default, newest first (ties by name). */
export function defaultIngressClass(classes: readonly IngressClass[]): IngressClass | undefined {
  const defaults = classes.filter((c) => c.metadata.annotations?.[DEFAULT_INGRESS_CLASS_ANNOTATION] === 'true');
  const time = (c: IngressClass): number => Date.parse(c.metadata.creationTimestamp ?? '') || 0;
  defaults.sort((a, b) => time(b) - time(a) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  return defaults[0];
}

export async function admitIngress(req: AdmissionRequest, deps: AdmissionDeps): Promise<KubeObject> {
  let request = req;
  // DefaultIngressClass: on create only, when neither the field nor the legacy annotation names a class.
  const ing = req.object as Ingress;
  if (req.operation === 'CREATE' && req.subresource === '' && (ing.spec?.ingressClassName ?? undefined) === undefined && ing.metadata.annotations?.[INGRESS_CLASS_ANNOTATION] === undefined) {
    const chosen = defaultIngressClass(((await deps.listObjects?.(INGRESS_CLASSES, undefined)) ?? []) as IngressClass[]);
    if (chosen?.metadata.name) request = { ...req, object: { ...ing, spec: { ...(ing.spec ?? {}), ingressClassName: chosen.metadata.name } } as KubeObject };
  }
  return validate(request);
}

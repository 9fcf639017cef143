// networking.k8s.io/v1 IngressClass: SetDefaults_IngressClass (a parameters reference without a
// scope is Cluster-scoped) and ValidateIngressClass / its update (the controller is immutable).
import type { IngressClass, IngressClassParametersReference } from '../../api/networking.js';
import { forbidden, invalid, notSupported, required, tooLong, type FieldError } from '../../admission/field-errors.js';
import { isPathSegmentName, validateDomainPrefixedPath } from '../../admission/hosts.js';
import { FIELD_IMMUTABLE_ERROR, isDNS1123Label, isDNS1123Subdomain, nameIsDNSSubdomain } from '../../admission/names.js';
import { specStatusAdmission } from '../shared/admission.js';

const MAX_CONTROLLER_LENGTH = 250;
const SCOPES = ['Cluster', 'Namespace'];

/** The kind and name of a reference: required, one URL path segment each. */
export function validateKindAndName(ref: { kind?: string; name?: string }, field: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const part of ['kind', 'name'] as const) {
    const v = ref[part] ?? '';
    if (v === '') errs.push(required(`${field}.${part}`, ''));
    else errs.push(...isPathSegmentName(v).map((m) => invalid(`${field}.${part}`, v, m)));
  }
  return errs;
}

function validateParameters(p: IngressClassParametersReference | undefined, field: string): FieldError[] {
  if (!p) return [];
  const errs: FieldError[] = [];
  if (typeof p.apiGroup === 'string') errs.push(...isDNS1123Subdomain(p.apiGroup).map((m) => invalid(`${field}.apiGroup`, p.apiGroup, m)));
  errs.push(...validateKindAndName(p, field));
  if (p.scope === undefined || p.scope === null) return [...errs, required(`${field}.scope`, '')];
  if (!SCOPES.includes(p.scope)) return [...errs, notSupported(`${field}.scope`, p.scope, SCOPES)];
  if (p.scope === 'Namespace') {
    if (p.namespace === undefined || p.namespace === null) errs.push(required(`${field}.namespace`, "`parameters.scope` is set to 'Namespace'"));
    else errs.push(...isDNS1123Label(p.namespace).map((m) => invalid(`${field}.namespace`, p.namespace, m)));
  }
  if (p.scope === 'Cluster' && p.namespace !== undefined && p.namespace !== null) errs.push(forbidden(`${field}.namespace`, "`parameters.scope` is set to 'Cluster'"));
  return errs;
}

function validateSpec(c: IngressClass): FieldError[] {
  const spec = c.spec ?? {};
  const errs: FieldError[] = [];
  const controller = spec.controller ?? '';
  if (controller === '') errs.push(required('spec.controller', ''));
  else {
    if (controller.length > MAX_CONTROLLER_LENGTH) errs.push(tooLong('spec.controller', MAX_CONTROLLER_LENGTH));
    errs.push(...validateDomainPrefixedPath('spec.controller', controller));
  }
  errs.push(...validateParameters(spec.parameters, 'spec.parameters'));
  return errs;
}

export const admitIngressClass = specStatusAdmission<IngressClass>({
  kind: 'IngressClass',
  group: 'networking.k8s.io',
  namespaced: false,
  name: nameIsDNSSubdomain,
  defaults: (c) => {
    c.spec ??= {};
    const p = c.spec.parameters;
    if (p && (p.scope === undefined || p.scope === null)) p.scope = 'Cluster';
  },
  validate: validateSpec,
  updateRulesFirst: true,
  validateUpdate: (c, old) => ((c.spec?.controller ?? '') === (old.spec?.controller ?? '') ? [] : [invalid('spec.controller', c.spec?.controller ?? '', FIELD_IMMUTABLE_ERROR)]),
});

// Object metadata on create and update (k8s.io/apimachinery/pkg/api/validation/objectmeta.go and
// core's finalizer rules).
import type { ObjectMeta, OwnerReference } from '../api/types.js';
import type { FieldError } from './field-errors.js';
import { forbidden, invalid, required } from './field-errors.js';
import { child, index } from './field-path.js';
import { GoSyntax, goQuote, goStringSlice } from './go-syntax.js';
import { isQualifiedName, validateAnnotations, validateLabels } from './labels.js';
import type { NameValidator } from './names.js';
import { FIELD_IMMUTABLE_ERROR, IS_NEGATIVE_ERROR, nameIsDNSLabel } from './names.js';

/** Finalizer names Kubernetes knows without a domain prefix. */
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

function goBoolPtr(v: boolean | undefined): string {
  return v === undefined ? '(*bool)(nil)' : `&${v}`;
}

function goOwnerReference(r: OwnerReference): string {
  return (
    `v1.OwnerReference{APIVersion:${goQuote(r.apiVersion ?? '')}, Kind:${goQuote(r.kind ?? '')}, Name:${goQuote(r.name ?? '')}, ` +
    `UID:${goQuote(r.uid ?? '')}, Controller:${goBoolPtr(r.controller)}, BlockOwnerDeletion:${goBoolPtr(r.blockOwnerDeletion)}}`
  );
}

function validateOwnerReferences(refs: OwnerReference[] | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    const apiVersion = ref.apiVersion ?? '';
    const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    if (!version) errs.push(invalid(child(field, 'apiVersion'), apiVersion, 'version must not be empty'));
    if (!ref.kind) errs.push(invalid(child(field, 'kind'), ref.kind ?? '', 'must not be empty'));
    if (!ref.name) errs.push(invalid(child(field, 'name'), ref.name ?? '', 'must not be empty'));
    if (!ref.uid) errs.push(invalid(child(field, 'uid'), ref.uid ?? '', 'must not be empty'));
    if (group === '' && version === 'v1' && ref.kind === 'Event') {
      errs.push(invalid(field, new GoSyntax(goOwnerReference(ref)), '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (ref.controller === true) {
      const name = `${ref.kind}/${ref.name}`;
      if (firstController) {
        errs.push(
          invalid(
            field,
            new GoSyntax(`[]v1.OwnerReference{${(refs ?? []).map(goOwnerReference).join(', ')}}`),
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${name}`,
          ),
        );
      } else {
        firstController = name;
      }
    }
  }
  return errs;
}

function validateFinalizers(finalizers: string[] | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of finalizers ?? []) errs.push(...isQualifiedName(f).map((m) => invalid(field, f, m)));
  const list = finalizers ?? [];
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(invalid(field, goStringSlice(list), 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

/** Core's extra rule: a finalizer without a domain prefix must be one Kubernetes defines. */
export function validateKubeFinalizerName(name: string, field: string): FieldError[] {
  if (!name.includes('/') && !STANDARD_FINALIZERS.has(name)) {
    return [invalid(field, name, 'name is neither a standard finalizer name nor is it fully qualified')];
  }
  return [];
}

function validateKubeFinalizers(finalizers: string[] | undefined, field: string): FieldError[] {
  return (finalizers ?? []).flatMap((f, i) => validateKubeFinalizerName(f, index(field, i)));
}

/** ValidateObjectMeta: name (or generateName), namespace by scope, labels, annotations, owners, finalizers. */
export function validateObjectMeta(meta: ObjectMeta, namespaced: boolean, nameFn: NameValidator, field = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  if (meta.generateName) {
    errs.push(...nameFn(meta.generateName, true).map((m) => invalid(child(field, 'generateName'), meta.generateName, m)));
  }
  if (!meta.name) errs.push(required(child(field, 'name'), 'name or generateName is required'));
  else errs.push(...nameFn(meta.name, false).map((m) => invalid(child(field, 'name'), meta.name, m)));
  if (namespaced) {
    if (!meta.namespace) errs.push(required(child(field, 'namespace'), ''));
    else errs.push(...nameIsDNSLabel(meta.namespace, false).map((m) => invalid(child(field, 'namespace'), meta.namespace, m)));
  } else if (meta.namespace) {
    errs.push(forbidden(child(field, 'namespace'), 'not allowed on this type'));
  }
  if (typeof meta.generation === 'number' && meta.generation < 0) {
    errs.push(invalid(child(field, 'generation'), meta.generation, IS_NEGATIVE_ERROR));
  }
  errs.push(...validateLabels(meta.labels, child(field, 'labels')));
  errs.push(...validateAnnotations(meta.annotations, child(field, 'annotations')));
  errs.push(...validateOwnerReferences(meta.ownerReferences, child(field, 'ownerReferences')));
  errs.push(...validateFinalizers(meta.finalizers, child(field, 'finalizers')));
  errs.push(...validateKubeFinalizers(meta.finalizers, child(field, 'finalizers')));
  return errs;
}

/** ValidateObjectMetaUpdate: identity is immutable; labels and the rest re-validated. */
export function validateObjectMetaUpdate(meta: ObjectMeta, old: ObjectMeta, field = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  if (old.deletionTimestamp) {
    const extra = [...new Set(meta.finalizers ?? [])].filter((f) => !(old.finalizers ?? []).includes(f)).sort();
    if (extra.length > 0) {
      errs.push(
        forbidden(
          child(field, 'finalizers'),
          `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(extra).text}`,
        ),
      );
    }
  }
  for (const name of ['name', 'namespace', 'uid'] as const) {
    if ((meta[name] ?? '') !== (old[name] ?? '')) errs.push(invalid(child(field, name), meta[name] ?? '', FIELD_IMMUTABLE_ERROR));
  }
  errs.push(...validateLabels(meta.labels, child(field, 'labels')));
  errs.push(...validateAnnotations(meta.annotations, child(field, 'annotations')));
  errs.push(...validateOwnerReferences(meta.ownerReferences, child(field, 'ownerReferences')));
  errs.push(...validateFinalizers(meta.finalizers, child(field, 'finalizers')));
  errs.push(...validateKubeFinalizers(meta.finalizers, child(field, 'finalizers')));
  return errs;
}

/** What an update can never change (upstream's BeforeUpdate): creation time, deletion state, uid when omitted. */
export function carrySystemMeta(meta: ObjectMeta, old: ObjectMeta): void {
  if (!meta.uid) meta.uid = old.uid;
  if (old.creationTimestamp) meta.creationTimestamp = old.creationTimestamp;
  if (old.deletionTimestamp) meta.deletionTimestamp = old.deletionTimestamp;
  if (old.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds;
}

// Namespaces: the `kubernetes.io/metadata.name` label, the `kubernetes` finalizer and phase
// Active on create (upstream's SetDefaults_Namespace and namespace strategy), and validation.
import type { KubeObject, Namespace } from '../../api/types.js';
import type { FieldError } from '../../admission/field-errors.js';
import { invalid, invalidObject } from '../../admission/field-errors.js';
import { isQualifiedName } from '../../admission/labels.js';
import { nameIsDNSLabel } from '../../admission/names.js';
import { carrySystemMeta, validateKubeFinalizerName, validateObjectMeta, validateObjectMetaUpdate } from '../../admission/object-meta.js';
import type { AdmissionRequest } from '../kind.js';

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

function defaultNamespace(ns: Namespace): void {
  if (ns.metadata.name) ns.metadata.labels = { ...(ns.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: ns.metadata.name };
}

function validateSpecFinalizers(ns: Namespace): FieldError[] {
  const field = 'spec.finalizers';
  return (ns.spec?.finalizers ?? []).flatMap((f) => [...isQualifiedName(f).map((m) => invalid(field, f, m)), ...validateKubeFinalizerName(f, field)]);
}

function fail(ns: KubeObject, errs: FieldError[]): void {
  if (errs.length) throw invalidObject('Namespace', '', ns.metadata.name ?? '', errs);
}

export function admitNamespace(req: AdmissionRequest): KubeObject {
  const ns = structuredClone(req.object) as Namespace;
  const old = req.oldObject as Namespace | undefined;
  if (req.operation === 'CREATE') {
    defaultNamespace(ns);
    ns.status = { phase: 'Active' };
    const finalizers = ns.spec?.finalizers ?? [];
    if (!finalizers.includes('kubernetes')) ns.spec = { ...(ns.spec ?? {}), finalizers: [...finalizers, 'kubernetes'] };
    fail(ns, [...validateObjectMeta(ns.metadata, false, nameIsDNSLabel), ...validateSpecFinalizers(ns)]);
    return ns;
  }
  if (!old) throw new Error('UPDATE without oldObject');
  carrySystemMeta(ns.metadata, old.metadata);
  defaultNamespace(ns);
  const errs = validateObjectMetaUpdate(ns.metadata, old.metadata);
  if (req.subresource === 'status') {
    ns.spec = structuredClone(old.spec);
    const phase = ns.status?.phase ?? '';
    if (!ns.metadata.deletionTimestamp) {
      if (phase !== 'Active') errs.push(invalid('status.Phase', phase, "may only be 'Active' if `deletionTimestamp` is empty"));
    } else if (phase !== 'Terminating') {
      errs.push(invalid('status.Phase', phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"));
    }
  } else {
    ns.status = structuredClone(old.status);
    errs.push(...validateSpecFinalizers(ns));
  }
  fail(ns, errs);
  return ns;
}

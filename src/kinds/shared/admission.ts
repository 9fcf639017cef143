// The admission most kinds share (upstream's strategies for objects with a spec and a status):
// on create, defaults then validation of metadata and spec; on an update of the main resource,
// defaults, the stored status kept, validation of the metadata change, the spec and what may not
// change; on a status update, the stored spec kept and the status validated.
import type { KubeObject } from '../../api/types.js';
import type { FieldError } from '../../admission/field-errors.js';
import { invalidObject } from '../../admission/field-errors.js';
import type { NameValidator } from '../../admission/names.js';
import { carrySystemMeta, validateObjectMeta, validateObjectMetaUpdate } from '../../admission/object-meta.js';
import type { AdmissionRequest } from '../kind.js';

export interface SpecStatusAdmission<T extends KubeObject> {
  kind: string;
  group: string;
  namespaced: boolean;
  name: NameValidator;
  defaults?(obj: T): void;
  /** The object's own rules (spec), on create and on update. */
  validate(obj: T): FieldError[];
  /** Rules only a create checks (after validate's). */
  validateCreate?(obj: T): FieldError[];
  /** What may not change (immutable fields), on update. */
  validateUpdate?(obj: T, old: T): FieldError[];
  /** validateUpdate's errors come before validate's (as ValidateConfigMapUpdate orders them). */
  updateRulesFirst?: boolean;
  validateStatus?(obj: T, old: T): FieldError[];
  /** The status a new object starts with (undefined: none). */
  initialStatus?(obj: T): unknown;
}

export function specStatusAdmission<T extends KubeObject>(a: SpecStatusAdmission<T>): (req: AdmissionRequest) => KubeObject {
  const fail = (obj: T, errs: FieldError[]): void => {
    if (errs.length) throw invalidObject(a.kind, a.group, obj.metadata.name ?? '', errs);
  };
  return (req) => {
    const obj = structuredClone(req.object) as T;
    const old = req.oldObject as T | undefined;
    if (req.operation === 'CREATE') {
      a.defaults?.(obj);
      const status = a.initialStatus?.(obj);
      const o = obj as KubeObject;
      if (status === undefined) delete o.status;
      else o.status = status;
      fail(obj, [...validateObjectMeta(obj.metadata, a.namespaced, a.name), ...a.validate(obj), ...(a.validateCreate?.(obj) ?? [])]);
      return obj;
    }
    if (!old) throw new Error('UPDATE without oldObject');
    carrySystemMeta(obj.metadata, old.metadata);
    if (req.subresource === 'status') {
      (obj as KubeObject).spec = structuredClone((old as KubeObject).spec);
      fail(obj, [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...(a.validateStatus?.(obj, old) ?? [])]);
      return obj;
    }
    a.defaults?.(obj);
    if ('status' in old) (obj as KubeObject).status = structuredClone((old as KubeObject).status);
    const rules = a.validate(obj);
    const updateRules = a.validateUpdate?.(obj, old) ?? [];
    fail(obj, [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...(a.updateRulesFirst ? [...updateRules, ...rules] : [...rules, ...updateRules])]);
    return obj;
  };
}

// apps/v1 ControllerRevision: ValidateControllerRevisionCreate (a DNS-subdomain name, data
// mandatory, a non-negative revision) and ValidateControllerRevisionUpdate (data is immutable;
// only the revision number and metadata may change).
import type { ControllerRevision } from '../../api/apps.js';
import { invalid, required, type FieldError } from '../../admission/field-errors.js';
import { FIELD_IMMUTABLE_ERROR, IS_NEGATIVE_ERROR, nameIsDNSSubdomain } from '../../admission/names.js';
import { semanticEqual } from '../../api/semantic-equal.js';
import { specStatusAdmission } from '../shared/admission.js';

function validate(cr: ControllerRevision): FieldError[] {
  const errs: FieldError[] = [];
  if (cr.data === undefined || cr.data === null) errs.push(required('data', 'data is mandatory'));
  if (typeof cr.revision === 'number' && cr.revision < 0) errs.push(invalid('revision', cr.revision, IS_NEGATIVE_ERROR));
  return errs;
}

export const admitControllerRevision = specStatusAdmission<ControllerRevision>({
  kind: 'ControllerRevision',
  group: 'apps',
  namespaced: true,
  name: nameIsDNSSubdomain,
  defaults: (cr) => {
    if (typeof cr.revision !== 'number') cr.revision = 0;
  },
  validate,
  validateUpdate: (cr, old) => (semanticEqual(cr.data ?? null, old.data ?? null) ? [] : [invalid('data', '', FIELD_IMMUTABLE_ERROR)]),
});

// core/v1 ConfigMap (ValidateConfigMap, ValidateConfigMapUpdate): keys as IsConfigMapKey has them,
// a key in data or binaryData but not both, at most 1 MiB of values in all, and nothing but
// labels and annotations may change once `immutable` is set.
import type { ConfigMap } from '../../api/config.js';
import { decodedByteMap } from '../../admission/go-base64.js';
import { invalid, tooLong, type FieldError } from '../../admission/field-errors.js';
import { key } from '../../admission/field-path.js';
import { isConfigMapKey, MAX_SECRET_SIZE } from '../../admission/config-keys.js';
import { nameIsDNSSubdomain } from '../../admission/names.js';
import { specStatusAdmission } from '../shared/admission.js';
import { sameStringMap, validateImmutableData } from '../shared/immutable-data.js';

/** binaryData as Go holds it: checked base64, written back canonical (as Go re-encodes []byte). */
function canonicalBinaryData(cm: ConfigMap): void {
  const decoded = decodedByteMap('ConfigMap', 'binaryData', cm.binaryData);
  if (cm.binaryData === null) delete cm.binaryData;
  for (const [k, v] of decoded) cm.binaryData![k] = v.toString('base64');
}

function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const k of Object.keys(cm.data ?? {}).sort()) {
    errs.push(...isConfigMapKey(k).map((m) => invalid(key('data', k), k, m)));
    if (cm.binaryData && k in cm.binaryData) errs.push(invalid(key('data', k), k, 'duplicate of key present in binaryData'));
    total += Buffer.byteLength(cm.data![k] ?? '', 'utf8');
  }
  for (const k of Object.keys(cm.binaryData ?? {}).sort()) {
    errs.push(...isConfigMapKey(k).map((m) => invalid(key('binaryData', k), k, m)));
    total += Buffer.byteLength(cm.binaryData![k] ?? '', 'base64');
  }
  // upstream passes an empty path, "the whole object": it prints as `[]`
  if (total > MAX_SECRET_SIZE) errs.push(tooLong('[]', MAX_SECRET_SIZE));
  return errs;
}

export const admitConfigMap = specStatusAdmission<ConfigMap>({
  kind: 'ConfigMap',
  group: '',
  namespaced: true,
  name: nameIsDNSSubdomain,
  defaults: canonicalBinaryData,
  validate: validateConfigMap,
  updateRulesFirst: true,
  validateUpdate: (cm, old) =>
    validateImmutableData(old.immutable, cm.immutable, [
      ['data', sameStringMap(cm.data, old.data)],
      ['binaryData', sameStringMap(cm.binaryData, old.binaryData)],
    ]),
});

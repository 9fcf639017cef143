// core/v1 Secret: what its v1 conversion and defaulting do (stringData merged over data and never
// stored, data decoded as Go decodes []byte and written back canonical, type Opaque when none) and
// ValidateSecret / ValidateSecretUpdate: keys as IsConfigMapKey has them, at most 1 MiB, the keys
// each known type requires, type immutable, nothing but metadata changing once `immutable` is set.
import { SECRET_TYPES, type Secret } from '../../api/config.js';
import { decodedByteMap } from '../../admission/go-base64.js';
import { invalid, required, type FieldError } from '../../admission/field-errors.js';
import { key } from '../../admission/field-path.js';
import { isConfigMapKey, MAX_SECRET_SIZE } from '../../admission/config-keys.js';
import { FIELD_IMMUTABLE_ERROR, nameIsDNSSubdomain } from '../../admission/names.js';
import { tooLong } from '../../admission/field-errors.js';
import { specStatusAdmission } from '../shared/admission.js';
import { sameStringMap, validateImmutableData } from '../shared/immutable-data.js';

const REDACTED = '<secret contents redacted>';

function convertAndDefault(secret: Secret): void {
  const decoded = decodedByteMap('Secret', 'data', secret.data);
  const data: Record<string, string> = {};
  for (const [k, v] of decoded) data[k] = v.toString('base64');
  // StringData overwrites Data (Convert_v1_Secret_To_core_Secret); it is write-only.
  const stringData = secret.stringData;
  if (stringData && typeof stringData === 'object') {
    for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(typeof v === 'string' ? v : '', 'utf8').toString('base64');
  }
  delete secret.stringData;
  if (Object.keys(data).length > 0 || (secret.data !== undefined && secret.data !== null)) secret.data = data;
  else delete secret.data;
  if (!secret.type) secret.type = SECRET_TYPES.opaque;
}

/** What Go's json.Unmarshal into a map says of a value (Go 1.22's messages for the common cases). */
function jsonObjectError(raw: Buffer): string | undefined {
  try {
    const v: unknown = JSON.parse(raw.toString('utf8'));
    if (v === null || (typeof v === 'object' && !Array.isArray(v))) return undefined;
    const type = Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v;
    return `json: cannot unmarshal ${type} into Go value of type map[string]interface {}`;
  } catch {
    if (raw.length === 0) return 'unexpected end of JSON input';
    return goJsonSyntaxError(raw);
  }
}

/**
 * encoding/json's SyntaxError for the common ways a value is not JSON: a byte that cannot start a
 * value, a misspelt literal, a value cut short, bytes after the value.
 */
function goJsonSyntaxError(raw: Buffer): string {
  const text = raw.toString('utf8');
  const ws = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  const quote = (c: string): string => (c === "'" ? "'\\''" : `'${c}'`);
  let i = 0;
  while (ws(text[i])) i++;
  const first = text[i];
  if (first === undefined) return 'unexpected end of JSON input';
  const literal = first === 'n' ? 'null' : first === 't' ? 'true' : first === 'f' ? 'false' : undefined;
  if (literal) {
    for (let k = 1; k < literal.length; k++) {
      const c = text[i + k];
      if (c === undefined) return 'unexpected end of JSON input';
      if (c !== literal[k]) return `invalid character ${quote(c)} in literal ${literal} (expecting ${quote(literal[k]!)})`;
    }
    let j = i + literal.length;
    while (ws(text[j])) j++;
    if (text[j] !== undefined) return `invalid character ${quote(text[j]!)} after top-level value`;
  }
  if (!'{["-0123456789'.includes(first)) return `invalid character ${quote(first)} looking for beginning of value`;
  return 'unexpected end of JSON input';
}

function validateSecret(secret: Secret): FieldError[] {
  const errs: FieldError[] = [];
  const data = secret.data ?? {};
  const has = (k: string): boolean => k in data;
  const bytes = (k: string): Buffer => Buffer.from(data[k] ?? '', 'base64');
  let total = 0;
  for (const k of Object.keys(data).sort()) {
    errs.push(...isConfigMapKey(k).map((m) => invalid(key('data', k), k, m)));
    total += bytes(k).length;
  }
  if (total > MAX_SECRET_SIZE) errs.push(tooLong('data', MAX_SECRET_SIZE));
  const jsonKey = (k: string): void => {
    if (!has(k)) {
      errs.push(required(key('data', k), ''));
      return;
    }
    const why = jsonObjectError(bytes(k));
    if (why) errs.push(invalid(key('data', k), REDACTED, why));
  };
  switch (secret.type) {
    case SECRET_TYPES.serviceAccountToken:
      // only the name: the uid and the token may come later from a controller
      if (!secret.metadata.annotations?.['kubernetes.io/service-account.name']) {
        errs.push(required(key('metadata.annotations', 'kubernetes.io/service-account.name'), ''));
      }
      break;
    case SECRET_TYPES.dockercfg:
      jsonKey('.dockercfg');
      break;
    case SECRET_TYPES.dockerConfigJson:
      jsonKey('.dockerconfigjson');
      break;
    case SECRET_TYPES.basicAuth:
      // username or password may be empty, but one of them must be there
      if (!has('username') && !has('password')) errs.push(required(key('data', 'username'), ''), required(key('data', 'password'), ''));
      break;
    case SECRET_TYPES.sshAuth:
      if (bytes('ssh-privatekey').length === 0) errs.push(required(key('data', 'ssh-privatekey'), ''));
      break;
    case SECRET_TYPES.tls:
      if (!has('tls.crt')) errs.push(required(key('data', 'tls.crt'), ''));
      if (!has('tls.key')) errs.push(required(key('data', 'tls.key'), ''));
      break;
    default:
      break;
  }
  return errs;
}

function validateSecretUpdate(secret: Secret, old: Secret): FieldError[] {
  const errs: FieldError[] = [];
  if ((secret.type ?? '') !== (old.type ?? '')) errs.push(invalid('type', secret.type ?? '', FIELD_IMMUTABLE_ERROR));
  // stringData was merged into data before this, so data is all there is to compare
  errs.push(...validateImmutableData(old.immutable, secret.immutable, [['data', sameStringMap(secret.data, old.data)]]));
  return errs;
}

export const admitSecret = specStatusAdmission<Secret>({
  kind: 'Secret',
  group: '',
  namespaced: true,
  name: nameIsDNSSubdomain,
  defaults: convertAndDefault,
  validate: validateSecret,
  updateRulesFirst: true,
  validateUpdate: validateSecretUpdate,
});

// Keys of ConfigMaps and Secrets (apimachinery's IsConfigMapKey), used for data keys and for the
// keys env vars and volumes select, and the paths volumes project them to.
import { maxLenError, regexError } from './names.js';

const CONFIG_MAP_KEY_FMT = '[-._a-zA-Z0-9]+';
const CONFIG_MAP_KEY_ERR = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";
const configMapKey = new RegExp(`^${CONFIG_MAP_KEY_FMT}$`);

/** What a ConfigMap's or Secret's data holds at most, all values together (core.MaxSecretSize). */
export const MAX_SECRET_SIZE = 1024 * 1024;

function hasChDirPrefix(value: string): string[] {
  if (value === '.') return ["must not be '.'"];
  if (value === '..') return ["must not be '..'"];
  if (value.startsWith('..')) return ["must not start with '..'"];
  return [];
}

export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLenError(253));
  if (!configMapKey.test(value)) errs.push(regexError(CONFIG_MAP_KEY_ERR, CONFIG_MAP_KEY_FMT, 'key.name', 'KEY_NAME', 'key-name'));
  errs.push(...hasChDirPrefix(value));
  return errs;
}

// Host names and paths as k8s.io/apimachinery/pkg/util/validation checks them beyond plain DNS
// names: wildcard subdomains (`*.example.com`), domain-prefixed paths (`example.com/controller`)
// and path segment names (apimachinery's api/validation/path).
import { invalid, required, type FieldError } from './field-errors.js';
import { isDNS1123Subdomain, maxLenError, regexError } from './names.js';

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const WILDCARD_FMT = `\\*\\.${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const WILDCARD_ERR =
  "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character";
const wildcard = new RegExp(`^${WILDCARD_FMT}$`);

export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLenError(253));
  if (!wildcard.test(value)) errs.push(regexError(WILDCARD_ERR, WILDCARD_FMT, '*.example.com'));
  return errs;
}

const HTTP_PATH_FMT = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const httpPath = new RegExp(`^${HTTP_PATH_FMT}$`);

/** IsDomainPrefixedPath: `acme.io/foo`. */
export function validateDomainPrefixedPath(field: string, value: string): FieldError[] {
  if (value.length === 0) return [required(field, '')];
  const slash = value.indexOf('/');
  const host = slash < 0 ? '' : value.slice(0, slash);
  const path = slash < 0 ? '' : value.slice(slash + 1);
  if (slash < 0 || host.length === 0 || path.length === 0) return [invalid(field, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const errs = isDNS1123Subdomain(host).map((m) => invalid(field, host, m));
  if (!httpPath.test(path)) errs.push(invalid(field, path, regexError('Invalid path', HTTP_PATH_FMT)));
  return errs;
}

/** IsPathSegmentName: a name that can be one segment of a URL path. */
export function isPathSegmentName(name: string): string[] {
  for (const bad of ['.', '..']) if (name === bad) return [`may not be '${bad}'`];
  return ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
}

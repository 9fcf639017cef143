// A container's resource requirements (core validation's validateResourceRequirements): names
// must be standard or fully qualified, quantities non-negative, requests at most the limits.
import { compareQuantities, formatQuantity, milliValue, parseQuantityExact } from '../api/quantity.js';
import type { ResourceList, ResourceRequirements } from '../api/types.js';
import type { FieldError } from './field-errors.js';
import { forbidden, invalid, required } from './field-errors.js';
import { child, key } from './field-path.js';
import { goStringer } from './go-syntax.js';
import { isQualifiedName } from './labels.js';
import { IS_NEGATIVE_ERROR } from './names.js';

const STANDARD_RESOURCES = new Set([
  'cpu', 'memory', 'ephemeral-storage',
  'requests.cpu', 'requests.memory', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
  'pods', 'resourcequotas', 'services', 'replicationcontrollers', 'secrets', 'configmaps',
  'persistentvolumeclaims', 'storage', 'requests.storage', 'services.nodeports', 'services.loadbalancers',
]);
const INTEGER_RESOURCES = new Set([
  'pods', 'resourcequotas', 'services', 'replicationcontrollers', 'secrets', 'configmaps',
  'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers',
]);

function isHugePageResourceName(name: string): boolean {
  return name.startsWith('hugepages-');
}

function isStandardResourceName(name: string): boolean {
  return STANDARD_RESOURCES.has(name) || isHugePageResourceName(name) || name.startsWith('requests.hugepages-');
}

function isStandardContainerResourceName(name: string): boolean {
  return name === 'cpu' || name === 'memory' || name === 'ephemeral-storage' || isHugePageResourceName(name);
}

export function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

export function isExtendedResourceName(name: string): boolean {
  if (isNativeResource(name) || name.startsWith('requests.')) return false;
  return isQualifiedName(`requests.${name}`).length === 0;
}

function isIntegerResourceName(name: string): boolean {
  return INTEGER_RESOURCES.has(name) || isExtendedResourceName(name);
}

function isOvercommitAllowed(name: string): boolean {
  return isNativeResource(name) && !isHugePageResourceName(name);
}

function validateResourceName(name: string, field: string): FieldError[] {
  const errs = isQualifiedName(name).map((m) => invalid(field, name, m));
  if (errs.length > 0) return errs;
  if (!name.includes('/') && !isStandardResourceName(name)) {
    errs.push(invalid(field, name, 'must be a standard resource type or fully qualified'));
  }
  return errs;
}

function validateContainerResourceName(name: string, field: string): FieldError[] {
  const errs = validateResourceName(name, field);
  if (!name.includes('/')) {
    if (!isStandardContainerResourceName(name)) errs.push(invalid(field, name, 'must be a standard resource for containers'));
  } else if (!isNativeResource(name) && !isExtendedResourceName(name)) {
    errs.push(invalid(field, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** ValidateResourceQuantityValue: not negative, whole numbers for countable resources. */
export function validateResourceQuantityValue(name: string, value: string, field: string): FieldError[] {
  const q = parseQuantityExact(value);
  const errs: FieldError[] = [];
  if (q.digits < 0n) errs.push(invalid(field, formatQuantity(q), IS_NEGATIVE_ERROR));
  if (isIntegerResourceName(name) && milliValue(q) % 1000n !== 0n) errs.push(invalid(field, goStringer(formatQuantity(q)), 'must be an integer'));
  return errs;
}

const sortedEntries = (list: ResourceList | undefined): Array<[string, string]> =>
  Object.entries(list ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** Quantities must already be canonical (resource-lists.ts). */
export function validateContainerResources(req: ResourceRequirements | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const limPath = child(field, 'limits');
  const reqPath = child(field, 'requests');
  let cpuOrMemory = false;
  let hugePages = false;
  for (const [name, quantity] of sortedEntries(req?.limits)) {
    const path = key(limPath, name);
    errs.push(...validateContainerResourceName(name, path));
    errs.push(...validateResourceQuantityValue(name, quantity, path));
    if (isHugePageResourceName(name)) hugePages = true;
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
  }
  for (const [name, quantity] of sortedEntries(req?.requests)) {
    const path = key(reqPath, name);
    errs.push(...validateContainerResourceName(name, path));
    errs.push(...validateResourceQuantityValue(name, quantity, path));
    const limit = req?.limits?.[name];
    const q = parseQuantityExact(quantity);
    if (limit !== undefined) {
      const l = parseQuantityExact(limit);
      const cmp = compareQuantities(q, l);
      if (cmp !== 0 && !isOvercommitAllowed(name)) {
        errs.push(invalid(reqPath, formatQuantity(q), `must be equal to ${name} limit of ${formatQuantity(l)}`));
      } else if (cmp > 0) {
        errs.push(invalid(reqPath, formatQuantity(q), `must be less than or equal to ${name} limit of ${formatQuantity(l)}`));
      }
    } else if (!isOvercommitAllowed(name)) {
      errs.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
    if (isHugePageResourceName(name)) hugePages = true;
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
  }
  if (hugePages && !cpuOrMemory) errs.push(forbidden(field, 'HugePages require cpu or memory'));
  return errs;
}

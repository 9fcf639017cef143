// What a pod update may change (upstream's ValidatePodUpdate): images, activeDeadlineSeconds
// (only down), tolerations (only additions), and terminationGracePeriodSeconds from negative to 1.
// Anything else is refused with upstream's message and a diff of what changed.
import type { Container, PodSpec } from '../../api/types.js';
import type { FieldError } from '../../admission/field-errors.js';
import { forbidden, invalid, required } from '../../admission/field-errors.js';
import { child, index } from '../../admission/field-path.js';
import { inclusiveRangeError } from '../../admission/names.js';
import { semanticDiff, semanticEqual } from '../../api/semantic-equal.js';
import type { Toleration } from '../../admission/tolerations.js';
import { validateTolerations } from '../../admission/tolerations.js';

type SpecShape = PodSpec & { activeDeadlineSeconds?: number | null };

const MAX_INT32 = 2147483647;

export const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function validateContainerUpdates(next: Container[] | undefined, old: Container[] | undefined, field: string): { errs: FieldError[]; stop: boolean } {
  const n = next ?? [];
  if (n.length !== (old ?? []).length) return { errs: [forbidden(field, 'pod updates may not add or remove containers')], stop: true };
  const errs: FieldError[] = [];
  n.forEach((c, i) => {
    if (!c.image) errs.push(required(child(index(field, i), 'image'), ''));
    if (c.image && c.image.trim() !== c.image) errs.push(invalid(child(index(field, i), 'image'), c.image, 'must not have leading or trailing whitespace'));
  });
  return { errs, stop: false };
}

function tolerationsOnlyAdded(next: Toleration[] | undefined, old: Toleration[] | undefined, field: string): FieldError[] {
  for (const o of old ?? []) {
    const found = (next ?? []).some((n) => semanticEqual({ ...o, tolerationSeconds: n.tolerationSeconds }, n));
    if (!found) return [forbidden(field, 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(next, field);
}

function formatDiff(before: unknown, after: unknown): string {
  const lines = semanticDiff(before, after).flatMap((d) => [
    `- \t${d.path}: ${JSON.stringify(d.before ?? null)},`,
    `+ \t${d.path}: ${JSON.stringify(d.after ?? null)},`,
  ]);
  return ['  core.PodSpec{', ...lines, '  }', ''].join('\n');
}

export function validatePodSpecUpdate(next: PodSpec, old: PodSpec): FieldError[] {
  const spec = next as SpecShape;
  const prev = old as SpecShape;
  const errs: FieldError[] = [];
  const specPath = 'spec';
  for (const [name, list, oldList] of [
    ['containers', spec.containers, prev.containers],
    ['initContainers', spec.initContainers, prev.initContainers],
  ] as const) {
    const r = validateContainerUpdates(list, oldList, child(specPath, name));
    errs.push(...r.errs);
    if (r.stop) return errs;
  }
  const deadlinePath = child(specPath, 'activeDeadlineSeconds');
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) {
    const v = spec.activeDeadlineSeconds;
    if (v < 0 || v > MAX_INT32) return [...errs, invalid(deadlinePath, v, inclusiveRangeError(0, MAX_INT32))];
    if (typeof prev.activeDeadlineSeconds === 'number' && prev.activeDeadlineSeconds < v) {
      return [...errs, invalid(deadlinePath, v, 'must be less than or equal to previous value')];
    }
  } else if (typeof prev.activeDeadlineSeconds === 'number') {
    errs.push(invalid(deadlinePath, null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...tolerationsOnlyAdded(spec.tolerations as Toleration[] | undefined, prev.tolerations as Toleration[] | undefined, child(specPath, 'tolerations')));
  if (semanticEqual(spec, prev)) return errs;

  const munged = structuredClone(spec);
  munged.containers = (munged.containers ?? []).map((c, i) => ({ ...c, image: prev.containers?.[i]?.image ?? c.image }));
  if (munged.initContainers) munged.initContainers = munged.initContainers.map((c, i) => ({ ...c, image: prev.initContainers?.[i]?.image ?? c.image }));
  munged.activeDeadlineSeconds = prev.activeDeadlineSeconds;
  munged.tolerations = prev.tolerations;
  if (typeof prev.terminationGracePeriodSeconds === 'number' && prev.terminationGracePeriodSeconds < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = prev.terminationGracePeriodSeconds;
  }
  if (!semanticEqual(munged, prev)) {
    errs.push(forbidden(specPath, `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n${formatDiff(prev, munged)}`));
  }
  return errs;
}

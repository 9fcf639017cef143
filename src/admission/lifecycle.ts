// A container's lifecycle hooks (postStart, preStop): upstream's validateLifecycle and
// validateSleepAction, and SetDefaults_HTTPGetAction for their httpGet handlers. A handler is one
// of exec, httpGet, tcpSocket (validated as a probe's) or sleep, whose seconds must fit in the
// pod's grace period.
import type { Lifecycle, LifecycleHandler } from '../api/types.js';
import type { FieldError } from './field-errors.js';
import { forbidden, invalid, required } from './field-errors.js';
import { child } from './field-path.js';
import { validateHandler, type ProbeShape } from './probes.js';

const HOOKS = ['postStart', 'preStop'] as const;

export function defaultLifecycle(lc: Lifecycle | undefined): void {
  if (!lc || typeof lc !== 'object') return;
  for (const hook of HOOKS) {
    const h = lc[hook]?.httpGet;
    if (!h || typeof h !== 'object') continue;
    if (!h.path) h.path = '/';
    if (!h.scheme) h.scheme = 'HTTP';
  }
}

function validateSleep(sleep: NonNullable<LifecycleHandler['sleep']>, gracePeriod: number | undefined, field: string): FieldError[] {
  const seconds = (sleep as { seconds?: unknown }).seconds;
  if (typeof seconds !== 'number' || !Number.isInteger(seconds)) return [required(child(field, 'seconds'), '')];
  if (gracePeriod !== undefined && (seconds <= 0 || seconds > gracePeriod)) {
    return [
      invalid(
        field,
        seconds,
        `must be greater than 0 and less than terminationGracePeriodSeconds (${gracePeriod}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`,
      ),
    ];
  }
  return [];
}

export function validateLifecycle(lc: Lifecycle | undefined, gracePeriod: number | undefined, field: string): FieldError[] {
  if (lc === undefined || lc === null) return [];
  const errs: FieldError[] = [];
  for (const hook of HOOKS) {
    const h = lc[hook];
    if (h === undefined || h === null) continue;
    const path = child(field, hook);
    const { sleep, ...rest } = h;
    const others = Object.values(rest).some((v) => v !== undefined && v !== null);
    if (others) errs.push(...validateHandler(rest as ProbeShape, path));
    if (sleep !== undefined && sleep !== null) {
      if (others) errs.push(forbidden(child(path, 'sleep'), 'may not specify more than 1 handler type'));
      else errs.push(...validateSleep(sleep, gracePeriod, child(path, 'sleep')));
    } else if (!others) errs.push(required(path, 'must specify a handler type'));
  }
  return errs;
}

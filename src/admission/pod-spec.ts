// Pod specs, for pods and for replication controllers' templates: upstream's SetDefaults_PodSpec
// and ValidatePodSpec (the parts loopkube serves).
import type { PodSpec } from '../api/types.js';
import type { FieldError } from './field-errors.js';
import { invalid, notSupported, required } from './field-errors.js';
import { child } from './field-path.js';
import { defaultContainer, validateContainers, validateInitContainers } from './containers.js';
import { validateLabels } from './labels.js';
import { inclusiveRangeError, isDNS1123Label, nameIsDNSSubdomain } from './names.js';
import type { Toleration } from './tolerations.js';
import { validateTolerations } from './tolerations.js';
import { defaultVolumes, validateVolumes } from './volumes.js';

type PodSpecShape = PodSpec & { activeDeadlineSeconds?: number; priorityClassName?: string; dnsConfig?: unknown };

const MAX_INT32 = 2147483647;

export function defaultPodSpec(spec: PodSpec, kind: string): void {
  if (!spec || typeof spec !== 'object') return;
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  if (!spec.securityContext) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null) spec.terminationGracePeriodSeconds = 30;
  if (!spec.schedulerName) spec.schedulerName = 'default-scheduler';
  // v1's deprecated `serviceAccount` is an alias of serviceAccountName (the newer field wins),
  // and is written back from it (Convert_v1_PodSpec_To_core_PodSpec and back)
  const aliased = spec as PodSpec & { serviceAccount?: string };
  if (!spec.serviceAccountName && aliased.serviceAccount) spec.serviceAccountName = aliased.serviceAccount;
  if (spec.serviceAccountName) aliased.serviceAccount = spec.serviceAccountName;
  else delete aliased.serviceAccount;
  defaultVolumes(spec.volumes);
  for (const c of spec.containers ?? []) defaultContainer(c, kind);
  for (const c of spec.initContainers ?? []) defaultContainer(c, kind);
}

export function validatePodSpec(spec0: PodSpec | undefined, field: string): FieldError[] {
  const spec = (spec0 ?? {}) as PodSpecShape;
  const errs: FieldError[] = [];
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null) {
    errs.push(required(child(field, 'terminationGracePeriodSeconds'), ''));
  }
  const volumes = validateVolumes(spec.volumes, child(field, 'volumes'));
  errs.push(...volumes.errs);
  errs.push(...validateContainers(spec.containers, child(field, 'containers'), volumes.names, typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : undefined));
  errs.push(...validateInitContainers(spec.initContainers, spec.containers, child(field, 'initContainers'), volumes.names));
  const restart = spec.restartPolicy ?? '';
  if (!restart) errs.push(required(child(field, 'restartPolicy'), ''));
  else if (!['Always', 'OnFailure', 'Never'].includes(restart)) {
    errs.push(notSupported(child(field, 'restartPolicy'), restart, ['Always', 'OnFailure', 'Never']));
  }
  const dns = spec.dnsPolicy ?? '';
  if (!dns) errs.push(required(child(field, 'dnsPolicy'), ''));
  else if (!['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'].includes(dns)) {
    errs.push(notSupported(child(field, 'dnsPolicy'), dns, ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None']));
  }
  errs.push(...validateLabels(spec.nodeSelector, child(field, 'nodeSelector')));
  if (dns === 'None' && !spec.dnsConfig) errs.push(required(child(field, 'dnsConfig'), 'must provide `dnsConfig` when `dnsPolicy` is None'));
  if (spec.serviceAccountName) {
    errs.push(...nameIsDNSSubdomain(spec.serviceAccountName, false).map((m) => invalid(child(field, 'serviceAccountName'), spec.serviceAccountName, m)));
  }
  if (spec.nodeName) errs.push(...nameIsDNSSubdomain(spec.nodeName, false).map((m) => invalid(child(field, 'nodeName'), spec.nodeName, m)));
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) {
    const v = spec.activeDeadlineSeconds;
    if (v < 1 || v > MAX_INT32) errs.push(invalid(child(field, 'activeDeadlineSeconds'), v, inclusiveRangeError(1, MAX_INT32)));
  }
  if (spec.hostname) errs.push(...isDNS1123Label(spec.hostname).map((m) => invalid(child(field, 'hostname'), spec.hostname, m)));
  if (spec.subdomain) errs.push(...isDNS1123Label(spec.subdomain).map((m) => invalid(child(field, 'subdomain'), spec.subdomain, m)));
  errs.push(...validateTolerations(spec.tolerations as Toleration[] | undefined, child(field, 'tolerations')));
  if (spec.priorityClassName) {
    errs.push(...nameIsDNSSubdomain(spec.priorityClassName, false).map((m) => invalid(child(field, 'priorityClassName'), spec.priorityClassName, m)));
  }
  if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== null) {
    const p = spec.preemptionPolicy;
    if (!p) errs.push(required(child(field, 'preemptionPolicy'), ''));
    else if (p !== 'PreemptLowerPriority' && p !== 'Never') errs.push(notSupported(child(field, 'preemptionPolicy'), p, ['PreemptLowerPriority', 'Never']));
  }
  return errs;
}

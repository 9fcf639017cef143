// Pods: defaulting (SetDefaults_Pod/PodSpec, the Priority plugin, status on create) and
// validation for create, update, status and binding.
import type { ApiError } from '../../api/errors.js';
import type { KubeObject, Pod } from '../../api/types.js';
import type { AdmissionDeps, AdmissionRequest } from '../kind.js';
import type { FieldError } from '../../admission/field-errors.js';
import { invalid, invalidObject, required } from '../../admission/field-errors.js';
import { defaultRequestsFromLimits, validateImagesForPod } from '../../admission/containers.js';
import { nameIsDNSSubdomain } from '../../admission/names.js';
import { carrySystemMeta, validateObjectMeta, validateObjectMetaUpdate } from '../../admission/object-meta.js';
import { defaultPodSpec, validatePodSpec } from '../../admission/pod-spec.js';
import { syncPodIPs, validatePodStatusUpdate } from './status-validation.js';
import { validatePodSpecUpdate } from './update-validation.js';
import { admitPriority, keepPriority } from './priority.js';
import { computePodQOS } from './qos.js';
import { admitServiceAccount, keepServiceAccount } from './service-account.js';

type PodSpecExtras = { enableServiceLinks?: boolean; hostNetwork?: boolean };

export function defaultPod(pod: Pod): void {
  pod.spec ??= { containers: [] };
  const spec = pod.spec as Pod['spec'] & PodSpecExtras;
  defaultPodSpec(spec, 'Pod');
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) defaultRequestsFromLimits(c);
  if (spec.enableServiceLinks === undefined || spec.enableServiceLinks === null) spec.enableServiceLinks = true;
  if (spec.hostNetwork) {
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      for (const p of c.ports ?? []) if (!p.hostPort) p.hostPort = p.containerPort;
    }
  }
}

function validatePodMetadataAndSpec(pod: Pod): FieldError[] {
  return [
    ...validateObjectMeta(pod.metadata, true, nameIsDNSSubdomain),
    ...validatePodSpec(pod.spec, 'spec'),
    ...validateImagesForPod(pod.spec?.containers, 'spec.containers'),
    ...validateImagesForPod(pod.spec?.initContainers, 'spec.initContainers'),
  ];
}

function fail(pod: KubeObject, errs: FieldError[]): ApiError | undefined {
  return errs.length > 0 ? invalidObject('Pod', '', pod.metadata.name ?? '', errs) : undefined;
}

/** The pod a binding changes (spec.nodeName set from the Binding's target, validated in binding.ts). */
function admitBinding(req: AdmissionRequest): KubeObject {
  const pod = structuredClone(req.object) as Pod;
  const old = req.oldObject as Pod;
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata);
  const node = pod.spec?.nodeName ?? '';
  if (!node) errs.push(required('target.name', ''));
  else errs.push(...nameIsDNSSubdomain(node, false).map((m) => invalid('target.name', node, m)));
  const err = fail(pod, errs);
  if (err) throw err;
  return pod;
}

export async function admitPod(req: AdmissionRequest, deps: AdmissionDeps): Promise<KubeObject> {
  if (req.subresource === 'binding') return admitBinding(req);
  const pod = structuredClone(req.object) as Pod;
  const old = req.oldObject as Pod | undefined;

  if (req.operation === 'CREATE') {
    defaultPod(pod);
    // the admission plugins, before validation: Priority, then ServiceAccount
    const refused = admitPriority(pod.spec, pod.metadata.name ?? '') ?? (await admitServiceAccount(pod, deps));
    if (refused) throw refused;
    pod.status = { phase: 'Pending', qosClass: computePodQOS(pod.spec) };
    const err = fail(pod, validatePodMetadataAndSpec(pod));
    if (err) throw err;
    return pod;
  }

  if (!old) throw new Error('UPDATE without oldObject');
  carrySystemMeta(pod.metadata, old.metadata);

  if (req.subresource === 'status') {
    pod.spec = structuredClone(old.spec);
    pod.metadata.ownerReferences = old.metadata.ownerReferences;
    pod.status ??= {};
    // The QoS class is the API server's to compute, and never changes.
    if (old.status?.qosClass) pod.status.qosClass = old.status.qosClass;
    syncPodIPs(pod.status);
    const err = fail(pod, [...validateObjectMetaUpdate(pod.metadata, old.metadata), ...validatePodStatusUpdate(pod, old)]);
    if (err) throw err;
    return pod;
  }

  if (pod.spec && old.spec) keepServiceAccount(pod.spec, old.spec);
  defaultPod(pod);
  keepPriority(pod.spec, old.spec);
  pod.status = structuredClone(old.status);
  const errs = [...validateObjectMetaUpdate(pod.metadata, old.metadata), ...validatePodMetadataAndSpec(pod)];
  errs.push(...validatePodSpecUpdate(pod.spec, old.spec));
  const err = fail(pod, errs);
  if (err) throw err;
  return pod;
}

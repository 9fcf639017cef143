// A StatefulSet pod's identity (upstream's stateful_set_utils.go): the name `<set>-<ordinal>`,
// the `statefulset.kubernetes.io/pod-name` and `apps.kubernetes.io/pod-index` labels, hostname =
// the pod's name and subdomain = spec.serviceName (so a headless Service of that name gives it
// `<pod>.<service>.<ns>.svc.<zone>`), and the revision it was made from.
import type { StatefulSet } from '../../api/apps.js';
import type { Pod, PodTemplateSpec } from '../../api/types.js';
import { STATEFUL_SETS } from '../../kinds/statefulset/resource.js';
import { REVISION_HASH_LABEL } from '../history/revisions.js';
import { podFromTemplate } from '../replica-controller.js';
import { mountClaims } from './claims.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

const ORDINAL = /^(.*)-([0-9]+)$/;

export function podName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

/** getParentNameAndOrdinal: the ordinal of a pod of this set, or -1. */
export function ordinalOf(set: StatefulSet, pod: Pod): number {
  const m = ORDINAL.exec(pod.metadata.name ?? '');
  return m && m[1] === set.metadata.name ? Number(m[2]) : -1;
}

export function startOrdinal(set: StatefulSet): number {
  return set.spec.ordinals?.start ?? 0;
}

/** newVersionedStatefulSetPod: the pod of `ordinal` made from `template`, labelled with its revision. */
export function newStatefulPod(set: StatefulSet, template: PodTemplateSpec, ordinal: number, revisionName: string): Pod {
  const pod = podFromTemplate({ ...set, spec: { ...set.spec, template } } as unknown as Parameters<typeof podFromTemplate>[0], STATEFUL_SETS);
  delete pod.metadata.generateName;
  pod.metadata.name = podName(set, ordinal);
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [POD_NAME_LABEL]: pod.metadata.name, [POD_INDEX_LABEL]: String(ordinal), [REVISION_HASH_LABEL]: revisionName };
  pod.spec.hostname = pod.metadata.name;
  if (set.spec.serviceName) pod.spec.subdomain = set.spec.serviceName;
  mountClaims(set, pod, ordinal);
  return pod;
}

export const revisionOfPod = (pod: Pod): string => pod.metadata.labels?.[REVISION_HASH_LABEL] ?? '';

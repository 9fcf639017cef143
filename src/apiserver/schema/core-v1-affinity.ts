// core/v1 Affinity: node affinity, pod affinity and anti-affinity. Described down to the
// (atomic) term lists, so a strategic merge patch can walk every object on the way; the terms
// themselves are kept as written.
import { arr, obj, opaque, ref, type OpenAPISchema } from './openapi-schema.js';

const CORE = 'io.k8s.api.core.v1';
const c = (name: string): string => `${CORE}.${name}`;

const REQUIRED = 'requiredDuringSchedulingIgnoredDuringExecution';
const PREFERRED = 'preferredDuringSchedulingIgnoredDuringExecution';

function podAffinity(description: string, verb: string): OpenAPISchema {
  return obj(description, {
    [PREFERRED]: arr(
      opaque('WeightedPodAffinityTerm: a pod affinity term with a weight (1-100).'),
      `The scheduler prefers nodes that ${verb} the pods these terms select; the weights add up per node.`,
      { listType: 'atomic' },
    ),
    [REQUIRED]: arr(
      opaque('PodAffinityTerm: a label selector over pods, the namespaces to look in, and a topology key.'),
      `The pod is only scheduled where it can ${verb} the pods these terms select.`,
      { listType: 'atomic' },
    ),
  });
}

export const CORE_V1_AFFINITY_SCHEMAS: Record<string, OpenAPISchema> = {
  [c('Affinity')]: obj('Affinity is a group of scheduling constraints of a pod.', {
    nodeAffinity: ref(c('NodeAffinity'), 'Node affinity scheduling rules of the pod.'),
    podAffinity: ref(c('PodAffinity'), 'Rules to co-locate the pod with other pods (same node, zone, ...).'),
    podAntiAffinity: ref(c('PodAntiAffinity'), 'Rules to keep the pod away from other pods.'),
  }),
  [c('NodeAffinity')]: obj('Node affinity scheduling rules.', {
    [PREFERRED]: arr(
      opaque('PreferredSchedulingTerm: a node selector term with a weight (1-100).'),
      'The scheduler prefers nodes that satisfy these terms; the weights add up per node.',
      { listType: 'atomic' },
    ),
    [REQUIRED]: ref(c('NodeSelector'), 'The pod is only scheduled on nodes matching this selector.'),
  }),
  [c('NodeSelector')]: obj('A node selector: the union of its terms.', {
    nodeSelectorTerms: arr(opaque('NodeSelectorTerm: matchExpressions and matchFields over node labels and fields, ANDed.'), 'The terms, ORed.', {
      listType: 'atomic',
    }),
  }, { required: ['nodeSelectorTerms'] }),
  [c('PodAffinity')]: podAffinity('Pod affinity scheduling rules.', 'run with'),
  [c('PodAntiAffinity')]: podAffinity('Pod anti-affinity scheduling rules.', 'avoid'),
};

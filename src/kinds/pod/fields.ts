// The pod fields kube-apiserver lets a field selector use (pod.GetAttrs / PodToSelectableFields).
import { fieldAt, fieldOr, type FieldSelectors } from '../../api/fields.js';

export const POD_FIELDS: FieldSelectors = {
  'spec.nodeName': fieldAt('spec.nodeName'),
  'spec.restartPolicy': fieldAt('spec.restartPolicy'),
  'spec.schedulerName': fieldAt('spec.schedulerName'),
  'spec.serviceAccountName': fieldAt('spec.serviceAccountName'),
  'spec.hostNetwork': fieldOr('spec.hostNetwork', false),
  'status.phase': fieldAt('status.phase'),
  'status.podIP': fieldAt('status.podIP'),
  'status.nominatedNodeName': fieldAt('status.nominatedNodeName'),
};

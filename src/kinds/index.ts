// The kinds loopkube serves: the one list everything else follows (discovery, OpenAPI, the REST
// handlers, protobuf decoding, kubectl's tables, the garbage collector, the namespace
// controller). To add a kind: a folder under src/kinds/ with its definition, and a line here.
import { deploymentKind } from './deployment/index.js';
import { controllerRevisionKind } from './controllerrevision/index.js';
import { daemonSetKind } from './daemonset/index.js';
import { statefulSetKind } from './statefulset/index.js';
import { configMapKind } from './configmap/index.js';
import { cronJobKind } from './cronjob/index.js';
import { endpointsKind } from './endpoints/index.js';
import { endpointSliceKind } from './endpointslice/index.js';
import { eventKind } from './event/index.js';
import { jobKind } from './job/index.js';
import { horizontalPodAutoscalerKind, horizontalPodAutoscalerV1Kind } from './horizontalpodautoscaler/index.js';
import { ingressKind } from './ingress/index.js';
import { ingressClassKind } from './ingressclass/index.js';
import type { KindDefinition } from './kind.js';
import { leaseKind } from './lease/index.js';
import { namespaceKind } from './namespace/index.js';
import { nodeMetricsKind } from './nodemetrics/index.js';
import { podMetricsKind } from './podmetrics/index.js';
import { nodeKind } from './node/index.js';
import { persistentVolumeKind } from './persistentvolume/index.js';
import { persistentVolumeClaimKind } from './persistentvolumeclaim/index.js';
import { podKind } from './pod/index.js';
import { podDisruptionBudgetKind } from './poddisruptionbudget/index.js';
import { replicaSetKind } from './replicaset/index.js';
import { replicationControllerKind } from './replicationcontroller/index.js';
import { secretKind } from './secret/index.js';
import { serviceKind } from './service/index.js';
import { serviceAccountKind } from './serviceaccount/index.js';
import { storageClassKind } from './storageclass/index.js';

export const KINDS: readonly KindDefinition[] = [
  namespaceKind,
  nodeKind,
  podKind,
  serviceKind,
  endpointsKind,
  replicationControllerKind,
  eventKind,
  endpointSliceKind,
  leaseKind,
  podDisruptionBudgetKind,
  deploymentKind,
  replicaSetKind,
  configMapKind,
  secretKind,
  serviceAccountKind,
  jobKind,
  cronJobKind,
  daemonSetKind,
  statefulSetKind,
  controllerRevisionKind,
  ingressClassKind,
  ingressKind,
  persistentVolumeKind,
  persistentVolumeClaimKind,
  storageClassKind,
  horizontalPodAutoscalerKind,
  horizontalPodAutoscalerV1Kind,
  nodeMetricsKind,
  podMetricsKind,
];

import { describeResource } from '../../api/resources.js';

const HPA = {
  resource: 'horizontalpodautoscalers', singular: 'horizontalpodautoscaler', kind: 'HorizontalPodAutoscaler', group: 'autoscaling', namespaced: true,
  shortNames: ['hpa'], categories: ['all'], subresources: ['status'],
} as const;

/** autoscaling/v2, the preferred version (what is stored). */
export const HORIZONTAL_POD_AUTOSCALERS = describeResource({ ...HPA, version: 'v2', shortNames: [...HPA.shortNames], categories: [...HPA.categories], subresources: [...HPA.subresources] });

/** autoscaling/v1, served for `kubectl autoscale` (kubectl 1.32 creates v1 objects). */
export const HORIZONTAL_POD_AUTOSCALERS_V1 = describeResource({ ...HPA, version: 'v1', shortNames: [...HPA.shortNames], categories: [...HPA.categories], subresources: [...HPA.subresources] });

// metrics.k8s.io/v1beta1 PodMetrics: what each running pod's containers use, computed when asked
// from the control plane's scrapes of the kubelets (src/metrics/), as metrics-server serves it.
import { podMetricsStorage } from '../../metrics/api.js';
import { metricsPrinter } from '../../metrics/printer.js';
import type { KindDefinition } from '../kind.js';
import { POD_METRICS } from './resource.js';

export const podMetricsKind: KindDefinition = {
  resource: POD_METRICS,
  storage: podMetricsStorage,
  printer: metricsPrinter,
  garbageCollected: false,
  strategy: {},
};

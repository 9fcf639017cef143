// metrics.k8s.io/v1beta1 NodeMetrics: what each node uses, computed when asked from the control
// plane's scrapes of the kubelets (src/metrics/), as metrics-server serves it. Never stored.
import { nodeMetricsStorage } from '../../metrics/api.js';
import { metricsPrinter } from '../../metrics/printer.js';
import type { KindDefinition } from '../kind.js';
import { NODE_METRICS } from './resource.js';

export const nodeMetricsKind: KindDefinition = {
  resource: NODE_METRICS,
  storage: nodeMetricsStorage,
  printer: metricsPrinter,
  garbageCollected: false,
  strategy: {},
};

// The control plane's Prometheus series, named as the Kubernetes API server names its own where
// there is an upstream equivalent:
//   apiserver_request_total{verb,group,version,resource,subresource,scope,code}
//   apiserver_request_duration_seconds{verb,group,version,resource,subresource,scope}  (not WATCH)
//   apiserver_longrunning_requests{verb,group,version,resource,subresource,scope}     (open watches)
//   apiserver_terminated_watchers_total{resource}      (watchers closed for falling behind)
//   loopkube_store_request_duration_seconds{operation,backend}
//   loopkube_controller_reconcile_duration_seconds{controller,result}
// plus the process_* series. Served on the API server's /metrics and on the hub's port.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseRequestInfo } from '../apiserver/request-info.js';
import { setReconcileObserver } from '../client/workqueue.js';
import type { ResourceInfo } from '../api/resources.js';
import type { Store } from '../store/store.js';
import { createMetricsRegistry, LATENCY_BUCKETS, type MetricsRegistry } from './metrics.js';
import { registerProcessMetrics } from './process-metrics.js';

export interface ControlPlaneMetrics {
  registry: MetricsRegistry;
  /** Called by the API server as each request arrives; the request is recorded when it ends. */
  observeRequest(req: IncomingMessage, res: ServerResponse): void;
  /** Counts a watcher the API server closed for falling behind. */
  terminatedWatcher(info: ResourceInfo): void;
  /** The same store, each call timed. */
  instrumentStore(store: Store): Store;
  render(): string;
  /** Stops taking reconcile timings from this process's work queues. */
  stop(): void;
}

const REQUEST_VERB: Record<string, string> = {
  get: 'GET',
  list: 'LIST',
  watch: 'WATCH',
  create: 'POST',
  update: 'PUT',
  patch: 'PATCH',
  delete: 'DELETE',
  deletecollection: 'DELETE',
};

const STORE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const RECONCILE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type RequestLabel = 'verb' | 'group' | 'version' | 'resource' | 'subresource' | 'scope';

/** The labels upstream gives a request: its verb, resource and scope. */
export function requestLabels(method: string, url: string): Record<RequestLabel, string> {
  let parsed: URL;
  try {
    parsed = new URL(url, 'https://localhost');
  } catch {
    return { verb: method.toUpperCase(), group: '', version: '', resource: '', subresource: '', scope: '' };
  }
  const watchParam = parsed.searchParams.get('watch') === 'true' || parsed.searchParams.get('watch') === '1';
  let info;
  try {
    info = parseRequestInfo(method, parsed.pathname, watchParam);
  } catch {
    info = undefined;
  }
  if (!info || info.type !== 'resource') {
    return { verb: method.toUpperCase(), group: '', version: '', resource: '', subresource: '', scope: '' };
  }
  const scope = info.name !== undefined ? 'resource' : info.namespace !== undefined ? 'namespace' : 'cluster';
  return {
    verb: REQUEST_VERB[info.verb] ?? method.toUpperCase(),
    group: info.info.group,
    version: info.info.version,
    resource: info.info.resource,
    subresource: info.subresource,
    scope,
  };
}

export function createControlPlaneMetrics(): ControlPlaneMetrics {
  const registry = createMetricsRegistry();
  const LABELS = ['verb', 'group', 'version', 'resource', 'subresource', 'scope'] as const;
  const requests = registry.counter<RequestLabel | 'code'>({
    name: 'apiserver_request_total',
    help: 'Counter of apiserver requests broken out for each verb, group, version, resource, scope and HTTP response code.',
    labelNames: [...LABELS, 'code'],
  });
  const durations = registry.histogram<RequestLabel>({
    name: 'apiserver_request_duration_seconds',
    help: 'Response latency distribution in seconds for each verb, group, version, resource, subresource and scope (watches excluded).',
    labelNames: LABELS,
    buckets: LATENCY_BUCKETS,
  });
  const longRunning = registry.gauge<RequestLabel>({
    name: 'apiserver_longrunning_requests',
    help: 'Gauge of all active long-running apiserver requests (watches) broken out by verb, group, version, resource, subresource and scope.',
    labelNames: LABELS,
  });
  // upstream's cacher counts by group-resource ("pods", "deployments.apps")
  const terminated = registry.counter<'resource'>({
    name: 'apiserver_terminated_watchers_total',
    help: 'Counter of watchers closed due to unresponsiveness broken by resource type.',
    labelNames: ['resource'],
  });
  const store = registry.histogram<'operation' | 'backend'>({
    name: 'loopkube_store_request_duration_seconds',
    help: 'Latency of store calls in seconds, by operation (get, list, create, update, delete) and backend.',
    labelNames: ['operation', 'backend'],
    buckets: STORE_BUCKETS,
  });
  const reconciles = registry.histogram<'controller' | 'result'>({
    name: 'loopkube_controller_reconcile_duration_seconds',
    help: "How long a controller's reconcile of one key took, in seconds, by controller (work queue) and result (success, error).",
    labelNames: ['controller', 'result'],
    buckets: RECONCILE_BUCKETS,
  });
  registerProcessMetrics(registry);

  setReconcileObserver((controller, ms, ok) => reconciles.observe({ controller, result: ok ? 'success' : 'error' }, ms / 1000));

  return {
    registry,

    observeRequest(req, res) {
      const started = performance.now();
      const labels = requestLabels(req.method ?? 'GET', req.url ?? '/');
      const isWatch = labels.verb === 'WATCH';
      if (isWatch) longRunning.inc(labels);
      let recorded = false;
      const record = (): void => {
        if (recorded) return;
        recorded = true;
        if (isWatch) longRunning.dec(labels);
        requests.inc({ ...labels, code: String(res.statusCode) });
        if (!isWatch) durations.observe(labels, (performance.now() - started) / 1000);
      };
      res.once('finish', record);
      res.once('close', record);
    },

    terminatedWatcher(info) {
      terminated.inc({ resource: info.group ? `${info.resource}.${info.group}` : info.resource });
    },

    instrumentStore(inner) {
      const timed = <T>(operation: string, call: () => Promise<T>): Promise<T> => {
        const started = performance.now();
        const done = (): void => store.observe({ operation, backend: inner.backend }, (performance.now() - started) / 1000);
        return call().then(
          (v) => {
            done();
            return v;
          },
          (err: unknown) => {
            done();
            throw err;
          },
        );
      };
      return {
        get backend() {
          return inner.backend;
        },
        get: (key) => timed('get', () => inner.get(key)),
        list: (prefix) => timed('list', () => inner.list(prefix)),
        create: (key, obj) => timed('create', () => inner.create(key, obj)),
        update: (key, obj, rev) => timed('update', () => inner.update(key, obj, rev)),
        delete: (key, rev) => timed('delete', () => inner.delete(key, rev)),
        watch: (prefix, from, handlers) => inner.watch(prefix, from, handlers),
        currentRevision: () => inner.currentRevision(),
        oldestWatchableRevision: () => inner.oldestWatchableRevision(),
        close: () => inner.close(),
      };
    },

    render: () => registry.render(),

    stop() {
      setReconcileObserver(undefined);
    },
  };
}

// The typed calls a program makes, for every namespaced kind of apps/v1, batch/v1,
// networking.k8s.io/v1, policy/v1, discovery.k8s.io/v1 and coordination.k8s.io/v1, through
// Debian's python3-kubernetes (whose models refuse an object missing a field they require) and
// @kubernetes/client-node: create, read, list (namespaced and across namespaces), a merge patch of
// labels, a watch from the list's resourceVersion that sees the patch, status and scale where the
// kind has them, delete. Assertions are on what each client returned.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { pythonClient, type PythonClient } from './drivers.js';

let c: TestCluster;
let py: PythonClient;
let kc: k8s.KubeConfig;

beforeAll(async () => {
  c = await startTestCluster({ nodes: 1 });
  py = pythonClient(c.kubeconfig);
  kc = new k8s.KubeConfig();
  kc.loadFromFile(c.kubeconfig);
  for (const ns of ['round-python', 'round-client-node']) {
    const r = await c.kubectl(['create', 'namespace', ns]);
    if (r.code !== 0) throw new Error(r.stderr);
  }
}, 120_000);

afterAll(async () => {
  await py?.close().catch(() => undefined);
  await c?.down();
});

const podSpec = { containers: [{ name: 'c', image: 'nginx' }] };
const template = (app: string): Record<string, unknown> => ({ metadata: { labels: { app } }, spec: podSpec });
const jobSpec = { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'exit 0'] }] } } };

interface KindCase {
  kind: string;
  /** python3-kubernetes' API class and resource in its method names. */
  pyApi: string;
  pyResource: string;
  /** client-node's API class (its methods are named after the kind). */
  nodeApi: 'AppsV1Api' | 'BatchV1Api' | 'NetworkingV1Api' | 'PolicyV1Api' | 'DiscoveryV1Api' | 'CoordinationV1Api';
  plural: string;
  apiVersion: string;
  body: (name: string) => Record<string, unknown>;
  subresources: string[];
  /** What DELETE answers: the object when a finalizer (orphan, batch/v1's default) keeps it, else Status. */
  deleted: string;
}

const CASES: KindCase[] = [
  { kind: 'Deployment', pyApi: 'AppsV1Api', pyResource: 'deployment', nodeApi: 'AppsV1Api', plural: 'deployments', apiVersion: 'apps/v1', subresources: ['status', 'scale=2'], deleted: 'Status',
    body: (name) => ({ metadata: { name }, spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: template(name) } }) },
  { kind: 'ReplicaSet', pyApi: 'AppsV1Api', pyResource: 'replica_set', nodeApi: 'AppsV1Api', plural: 'replicasets', apiVersion: 'apps/v1', subresources: ['status', 'scale=2'], deleted: 'Status',
    body: (name) => ({ metadata: { name }, spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: template(name) } }) },
  { kind: 'StatefulSet', pyApi: 'AppsV1Api', pyResource: 'stateful_set', nodeApi: 'AppsV1Api', plural: 'statefulsets', apiVersion: 'apps/v1', subresources: ['status', 'scale=2'], deleted: 'Status',
    body: (name) => ({ metadata: { name }, spec: { serviceName: name, replicas: 1, selector: { matchLabels: { app: name } }, template: template(name) } }) },
  { kind: 'DaemonSet', pyApi: 'AppsV1Api', pyResource: 'daemon_set', nodeApi: 'AppsV1Api', plural: 'daemonsets', apiVersion: 'apps/v1', subresources: ['status'], deleted: 'Status',
    body: (name) => ({ metadata: { name }, spec: { selector: { matchLabels: { app: name } }, template: template(name) } }) },
  { kind: 'Job', pyApi: 'BatchV1Api', pyResource: 'job', nodeApi: 'BatchV1Api', plural: 'jobs', apiVersion: 'batch/v1', subresources: ['status'], deleted: 'Job',
    body: (name) => ({ metadata: { name }, spec: jobSpec }) },
  { kind: 'CronJob', pyApi: 'BatchV1Api', pyResource: 'cron_job', nodeApi: 'BatchV1Api', plural: 'cronjobs', apiVersion: 'batch/v1', subresources: ['status'], deleted: 'Status',
    body: (name) => ({ metadata: { name }, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: jobSpec } } }) },
  { kind: 'Ingress', pyApi: 'NetworkingV1Api', pyResource: 'ingress', nodeApi: 'NetworkingV1Api', plural: 'ingresses', apiVersion: 'networking.k8s.io/v1', subresources: ['status'], deleted: 'Status',
    body: (name) => ({ metadata: { name }, spec: { rules: [{ host: `${name}.example`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } }) },
  { kind: 'PodDisruptionBudget', pyApi: 'PolicyV1Api', pyResource: 'pod_disruption_budget', nodeApi: 'PolicyV1Api', plural: 'poddisruptionbudgets', apiVersion: 'policy/v1', subresources: ['status'], deleted: 'Status',
    body: (name) => ({ metadata: { name }, spec: { minAvailable: 1, selector: { matchLabels: { app: name } } } }) },
  { kind: 'EndpointSlice', pyApi: 'DiscoveryV1Api', pyResource: 'endpoint_slice', nodeApi: 'DiscoveryV1Api', plural: 'endpointslices', apiVersion: 'discovery.k8s.io/v1', subresources: [], deleted: 'Status',
    body: (name) => ({ metadata: { name }, addressType: 'IPv4', endpoints: [{ addresses: ['127.0.0.9'] }], ports: [{ port: 80 }] }) },
  { kind: 'Lease', pyApi: 'CoordinationV1Api', pyResource: 'lease', nodeApi: 'CoordinationV1Api', plural: 'leases', apiVersion: 'coordination.k8s.io/v1', subresources: [], deleted: 'Status',
    body: (name) => ({ metadata: { name }, spec: { holderIdentity: 'me', leaseDurationSeconds: 15 } }) },
];

interface RoundResult {
  created: string;
  read: string;
  listed: string[];
  patchedLabels: Record<string, string>;
  watched: string[];
  subresources: string[];
  deleted: string;
}

const nameOf = (k: KindCase): string => `r-${k.kind.toLowerCase()}`;

describe('python3-kubernetes: the typed round of every kind', () => {
  for (const k of CASES) {
    it(k.kind, async () => {
      const name = nameOf(k);
      const r = await py.call<RoundResult>({ op: 'kindRound', api: k.pyApi, resource: k.pyResource, namespace: 'round-python', body: { apiVersion: k.apiVersion, kind: k.kind, ...k.body(name) } });
      expect(r.created).toBe(`V1${k.kind}`);
      expect(r.read).toBe(name);
      expect(r.listed).toContain(name);
      expect(r.patchedLabels.round).toBe('patched');
      expect(r.watched).toEqual([`MODIFIED V1${k.kind}`]);
      expect(r.subresources).toEqual(k.subresources);
      expect(r.deleted).toBe(k.deleted);
    }, 60_000);
  }
});

/** client-node's typed method `verb + Namespaced + Kind + suffix` of the kind's API class. */
type Method = (args: Record<string, unknown>, opts?: k8s.ConfigurationOptions) => Promise<{ kind?: string; metadata?: k8s.V1ObjectMeta; items?: Array<{ metadata?: k8s.V1ObjectMeta }>; spec?: { replicas?: number } }>;

describe('@kubernetes/client-node: the typed round of every kind', () => {
  for (const k of CASES) {
    it(k.kind, async () => {
      const ns = 'round-client-node';
      const name = nameOf(k);
      const api = kc.makeApiClient(k8s[k.nodeApi] as k8s.ApiConstructor<k8s.ApiType>) as unknown as Record<string, Method>;
      const method = (verb: string, suffix = ''): Method => {
        const m = api[`${verb}Namespaced${k.kind}${suffix}`];
        if (!m) throw new Error(`${k.nodeApi} has no ${verb}Namespaced${k.kind}${suffix}`);
        return m.bind(api);
      };
      const created = await method('create')({ namespace: ns, body: { apiVersion: k.apiVersion, kind: k.kind, ...k.body(name) } });
      expect(created.metadata?.name).toBe(name);
      const read = await method('read')({ name, namespace: ns });
      expect(read.metadata?.creationTimestamp).toBeInstanceOf(Date);
      const list = await method('list')({ namespace: ns });
      expect(list.items?.map((o) => o.metadata?.name)).toContain(name);
      const watched = new Promise<string>((resolve, reject) => {
        const group = `/apis/${k.apiVersion}`;
        void new k8s.Watch(kc)
          .watch(`${group}/namespaces/${ns}/${k.plural}`, { resourceVersion: list.metadata?.resourceVersion }, (type, obj: { metadata?: k8s.V1ObjectMeta }) => {
            if (obj.metadata?.labels?.round === 'patched') resolve(type);
          }, (err) => (err ? reject(err as Error) : undefined))
          .then((req) => watched.finally(() => req.abort()), reject);
      });
      const patched = await method('patch')({ name, namespace: ns, body: { metadata: { labels: { round: 'patched' } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
      expect(patched.metadata?.labels?.round).toBe('patched');
      expect(await watched).toBe('MODIFIED');
      const subresources: string[] = [];
      if (k.subresources.includes('status')) {
        await method('read', 'Status')({ name, namespace: ns });
        subresources.push('status');
      }
      if (k.subresources.includes('scale=2')) {
        const scale = await method('patch', 'Scale')({ name, namespace: ns, body: { spec: { replicas: 2 } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
        subresources.push(`scale=${scale.spec?.replicas}`);
      }
      expect(subresources).toEqual(k.subresources);
      const deleted = await method('delete')({ name, namespace: ns });
      expect(deleted.kind).toBe(k.deleted);
    }, 60_000);
  }
});

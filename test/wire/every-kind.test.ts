// Every served kind (src/kinds/index.ts) is written with every field Go always writes. A real
// cluster with one node, a ReplicationController, a Deployment and their pods gives at least one object of each
// kind; each kind's list is read raw (the server's own bytes) and checked against its Go type
// (src/api/upstream): a struct field without omitempty missing anywhere in an object fails the
// test. A kind added to the list without an object here fails it too, until the test creates one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiVersionOf } from '../../src/api/resources.js';
import { goTypeOfKind } from '../../src/api/upstream/index.js';
import { KINDS } from '../../src/kinds/index.js';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';
import { missingAlwaysWritten } from './always-written.js';

let c: TestCluster;

const rc = {
  apiVersion: 'v1',
  kind: 'ReplicationController',
  metadata: { name: 'web', namespace: 'default' },
  spec: { replicas: 1, selector: { app: 'web' }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx', ports: [{ containerPort: 8080 }] }] } } },
};

const pdb = {
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: 'web', namespace: 'default' },
  spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } },
};

// a Deployment gives its ReplicaSet too
const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', namespace: 'default' },
  spec: { replicas: 1, selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'app', image: 'nginx', ports: [{ containerPort: 8080 }] }] } } },
};

const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { mode: 'fast' } };
const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'default' }, stringData: { password: 'hunter2' } };
// the IngressClass `loopkube` comes with the cluster
const ingress = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'site', namespace: 'default' },
  spec: { rules: [{ host: 'site.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'api', port: { number: 80 } } } }] } }] },
};

const jobTemplate = { spec: { restartPolicy: 'Never', containers: [{ name: 'task', image: 'busybox:1.36', env: [{ name: 'RUN_SECONDS', value: '0.5' }] }] } };
const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once', namespace: 'default' }, spec: { template: jobTemplate } };
// suspended: it never fires during the test
const cronJob = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly', namespace: 'default' }, spec: { schedule: '@daily', suspend: true, jobTemplate: { spec: { template: jobTemplate } } } };

// a DaemonSet and a StatefulSet give ControllerRevisions too
const daemonSet = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'default' },
  spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'nginx', ports: [{ containerPort: 8081 }] }] } } },
};
const statefulSet = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'db', namespace: 'default' },
  spec: { serviceName: 'db', replicas: 1, selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'nginx', ports: [{ containerPort: 8082 }] }] } } },
};

// a volume and a claim of a class no provisioner serves: they stay as written
const volume = {
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name: 'manual-1' },
  spec: { storageClassName: 'manual', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/loopkube-every-kind' } },
};
const claim = {
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'scratch', namespace: 'default' },
  spec: { storageClassName: 'manual', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
};

const storageClass = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'manual' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' };

const hpa = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'api', namespace: 'default' },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' }, minReplicas: 1, maxReplicas: 1 },
};

beforeAll(async () => {
  c = await startTestCluster({ nodes: 1 });
  for (const obj of [rc, pdb, deployment, configMap, secret, job, cronJob, daemonSet, statefulSet, ingress, storageClass, volume, claim, hpa]) {
    const r = await c.kubectl(['create', '-f', '-'], { input: JSON.stringify(obj) });
    if (r.code !== 0) throw new Error(r.stderr);
  }
  // the pod runs (events are written on the way) and the node has its lease
  await waitFor('the pods of the ReplicationController, the Deployment, the DaemonSet and the StatefulSet running', async () => {
    const pods = JSON.parse((await c.kubectl(['get', 'pods', '-o', 'json'])).stdout) as { items: Array<{ metadata: { labels?: Record<string, string> }; status?: { phase?: string } }> };
    const running = (app: string): boolean => pods.items.some((p) => p.metadata.labels?.['app'] === app && p.status?.phase === 'Running');
    return running('web') && running('api') && running('agent') && running('db');
  }, 60_000);
  // NodeMetrics and PodMetrics exist once the API server has scraped the node twice
  await waitFor('metrics of the node and its pods', async () => {
    const nodes = await rawList('/apis/metrics.k8s.io/v1beta1/nodes');
    const pods = await rawList('/apis/metrics.k8s.io/v1beta1/pods');
    return nodes.items.length > 0 && pods.items.length > 0;
  }, 60_000);
}, 120_000);

afterAll(async () => {
  await c?.down();
});

async function rawList(path: string): Promise<{ kind: string; apiVersion: string; items: unknown[] }> {
  const r = await c.kubectl(['get', '--raw', path]);
  if (r.code !== 0) throw new Error(`GET ${path}: ${r.stderr}`);
  return JSON.parse(r.stdout) as { kind: string; apiVersion: string; items: unknown[] };
}

describe('every served kind is written with the fields Go always writes', () => {
  it('every kind has a Go table', () => {
    expect(KINDS.map((k) => k.resource.kind).filter((kind, i) => !goTypeOfKind(apiVersionOf(KINDS[i]!.resource), kind))).toEqual([]);
  });

  it.each(KINDS.map((k) => [k.resource.kind, k.resource] as const))('%s', async (_kind, info) => {
    const path = info.group ? `/apis/${info.group}/${info.version}/${info.resource}` : `/api/${info.version}/${info.resource}`;
    const list = await rawList(path);
    expect(list.items.length, `no ${info.kind} in the cluster to check: create one in this test`).toBeGreaterThan(0);
    const listType = goTypeOfKind(apiVersionOf(info), info.listKind) as string;
    expect(missingAlwaysWritten(listType, list)).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { apiVersionOf } from '../../src/api/resources.js';
import { RESOURCES } from '../../src/kinds/catalog.js';
import {
  findUnknownFields,
  patchSchemaFor,
  SCHEMAS,
  schemaNameFor,
  type OpenAPISchema,
  type PatchSchema,
} from '../../src/apiserver/schema/index.js';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-1',
    namespace: 'default',
    labels: { app: 'web', 'example.com/tier': 'front' },
    annotations: { note: 'x' },
    ownerReferences: [{ apiVersion: 'v1', kind: 'ReplicationController', name: 'web', uid: 'u-1', controller: true, blockOwnerDeletion: true }],
    finalizers: ['example.com/keep'],
    managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:containers': {} } } }],
  },
  spec: {
    nodeName: 'node-1',
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    nodeSelector: { disk: 'ssd' },
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'In', values: ['b'] }] }] } } },
    securityContext: { runAsUser: 1000, fsGroup: 2000, sysctls: [{ name: 'net.core.somaxconn', value: '1024' }] },
    tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
    volumes: [
      { name: 'cfg', configMap: { name: 'cfg', items: [{ key: 'a', path: 'a.txt' }] } },
      { name: 'scratch', emptyDir: {} },
      { name: 'disk', gcePersistentDisk: { pdName: 'x', fsType: 'ext4' } },
    ],
    containers: [
      {
        name: 'app',
        image: 'loopkube/echo',
        command: ['serve'],
        ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
        env: [
          { name: 'DELAY_MS', value: '10' },
          { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        ],
        resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
        readinessProbe: { httpGet: { path: '/healthz', port: 'http', httpHeaders: [{ name: 'X', value: 'y' }] }, periodSeconds: 5 },
        livenessProbe: { tcpSocket: { port: 8080 }, failureThreshold: 3 },
        lifecycle: { preStop: { sleep: { seconds: 5 } } },
        securityContext: { capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
        volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg', readOnly: true }],
      },
    ],
  },
  status: {
    phase: 'Running',
    podIP: '127.244.1.5',
    podIPs: [{ ip: '127.244.1.5' }],
    conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2024-01-01T00:00:00Z' }],
    containerStatuses: [
      {
        name: 'app',
        ready: true,
        restartCount: 0,
        image: 'loopkube/echo',
        imageID: '',
        state: { running: { startedAt: '2024-01-01T00:00:00Z' } },
        lastState: {},
      },
    ],
  },
};

function withField(base: object, path: string[], value: unknown): object {
  const copy = structuredClone(base) as Record<string, unknown>;
  let cursor: Record<string, unknown> | unknown[] = copy;
  for (const step of path.slice(0, -1)) {
    cursor = (cursor as Record<string, unknown>)[step] as Record<string, unknown>;
  }
  (cursor as Record<string, unknown>)[path[path.length - 1] as string] = value;
  return copy;
}

describe('findUnknownFields', () => {
  const cases: Array<{ name: string; apiVersion: string; kind: string; obj: unknown; want: string[] }> = [
    { name: 'a realistic pod has no unknown field', apiVersion: 'v1', kind: 'Pod', obj: pod, want: [] },
    { name: 'top-level field', apiVersion: 'v1', kind: 'Pod', obj: { ...pod, foo: 1 }, want: ['foo'] },
    { name: 'metadata field', apiVersion: 'v1', kind: 'Pod', obj: withField(pod, ['metadata', 'labelz'], {}), want: ['metadata.labelz'] },
    { name: 'spec field', apiVersion: 'v1', kind: 'Pod', obj: withField(pod, ['spec', 'replicas'], 2), want: ['spec.replicas'] },
    {
      name: 'field of a list element',
      apiVersion: 'v1',
      kind: 'Pod',
      obj: withField(pod, ['spec', 'containers'], [{ name: 'a' }, { name: 'b', imagePullPolicy: 'Always', ports: [{ containerPort: 1, bogus: true }] }]),
      want: ['spec.containers[1].ports[0].bogus'],
    },
    {
      name: 'case matters, as in strict JSON decoding',
      apiVersion: 'v1',
      kind: 'Pod',
      obj: withField(pod, ['spec', 'NodeName'], 'node-1'),
      want: ['spec.NodeName'],
    },
    {
      name: 'several unknown fields, in document order',
      apiVersion: 'v1',
      kind: 'Service',
      obj: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { foo: 1, ports: [{ port: 80, bar: 2 }], selector: { app: 'web' } } },
      want: ['spec.foo', 'spec.ports[0].bar'],
    },
    {
      name: 'a subtree loopkube keeps as written accepts anything',
      apiVersion: 'v1',
      kind: 'Pod',
      obj: withField(pod, ['spec', 'volumes'], [{ name: 'd', gcePersistentDisk: { anything: { deep: [1] } } }]),
      want: [],
    },
    {
      name: 'a described part of a preserving object is still checked',
      apiVersion: 'v1',
      kind: 'Pod',
      obj: withField(pod, ['spec', 'volumes'], [{ name: 'c', configMap: { name: 'c', itemz: [] } }]),
      want: ['spec.volumes[0].configMap.itemz'],
    },
    {
      name: 'opaque list elements accept anything',
      apiVersion: 'v1',
      kind: 'Pod',
      obj: withField(pod, ['spec', 'affinity'], { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, whatever: {} }] } }),
      want: [],
    },
    {
      name: 'affinity is described down to its term lists',
      apiVersion: 'v1',
      kind: 'Pod',
      obj: withField(pod, ['spec', 'affinity'], { nodeAffinity: { requiredDuringScheduling: {} } }),
      want: ['spec.affinity.nodeAffinity.requiredDuringScheduling'],
    },
    {
      name: 'managedFields and fieldsV1 accept what server-side apply writes',
      apiVersion: 'v1',
      kind: 'Service',
      obj: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x', managedFields: [{ manager: 'm', fieldsV1: { 'f:metadata': { 'f:labels': { '.': {} } } }, time: '2024-01-01T00:00:00Z' }] } },
      want: [],
    },
    {
      name: 'map values are not fields',
      apiVersion: 'v1',
      kind: 'Node',
      obj: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', labels: { 'node-role.kubernetes.io/worker': '' } }, status: { capacity: { cpu: '4', 'example.com/gpu': '1' }, nodeInfo: { kubeletVersion: 'v1.32.0', bogus: 'x' } } },
      want: ['status.nodeInfo.bogus'],
    },
    {
      name: 'a value of the wrong type is not an unknown field',
      apiVersion: 'v1',
      kind: 'Service',
      obj: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { ports: 'eighty', selector: ['a'] } },
      want: [],
    },
    {
      name: 'replication controller pod template',
      apiVersion: 'v1',
      kind: 'ReplicationController',
      obj: {
        apiVersion: 'v1',
        kind: 'ReplicationController',
        metadata: { name: 'web' },
        spec: { replicas: 3, selector: { app: 'web' }, template: { metadata: { labels: { app: 'web' }, labelz: 1 }, spec: { containers: [{ name: 'a', image: 'b', portz: [] }] } } },
      },
      want: ['spec.template.metadata.labelz', 'spec.template.spec.containers[0].portz'],
    },
    {
      name: 'endpoint slice',
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      obj: {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'web-abc', labels: { 'kubernetes.io/service-name': 'web' } },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['127.244.1.5'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-1', zonee: 'a' }],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
      want: ['endpoints[0].zonee'],
    },
    {
      name: 'endpoints',
      apiVersion: 'v1',
      kind: 'Endpoints',
      obj: { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web' }, subsets: [{ addresses: [{ ip: '127.244.1.5', targetRef: { kind: 'Pod', name: 'p' } }], ports: [{ port: 8080, portName: 'x' }] }] },
      want: ['subsets[0].ports[0].portName'],
    },
    {
      name: 'event',
      apiVersion: 'v1',
      kind: 'Event',
      obj: { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'p' }, reason: 'Scheduled', count: 1, source: { component: 'scheduler' }, reportingController: 'x' },
      want: ['reportingController'],
    },
    {
      name: 'namespace',
      apiVersion: 'v1',
      kind: 'Namespace',
      obj: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } },
      want: [],
    },
    {
      name: 'autoscaling/v1 Scale (replicationcontrollers/scale)',
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      obj: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web' }, spec: { replicas: 5, minReplicas: 1 } },
      want: ['spec.minReplicas'],
    },
    {
      name: 'binding',
      apiVersion: 'v1',
      kind: 'Binding',
      obj: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-1', node: 'x' } },
      want: ['target.node'],
    },
    {
      name: 'delete options, in any served group version',
      apiVersion: 'meta.k8s.io/v1',
      kind: 'DeleteOptions',
      obj: { kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1', gracePeriodSeconds: 0, propagationPolicy: 'Foreground', preconditions: { uid: 'u' }, cascade: true },
      want: ['cascade'],
    },
    { name: 'a kind without a schema cannot be judged', apiVersion: 'example.com/v1', kind: 'Widget', obj: { spec: { foo: 1 } }, want: [] },
    { name: 'a kind described by the upstream tables is judged', apiVersion: 'apps/v1', kind: 'Deployment', obj: { spec: { foo: 1, template: { spec: { containers: [{ name: 'a', bar: 1 }] } } } }, want: ['spec.foo', 'spec.template.spec.containers[0].bar'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(findUnknownFields(c.apiVersion, c.kind, c.obj)).toEqual(c.want);
    });
  }
});

function at(root: PatchSchema, path: string): PatchSchema | undefined {
  let s: PatchSchema | undefined = root;
  for (const step of path.split('.')) {
    if (!s) return undefined;
    s = step === '[]' ? s.values() : s.field(step);
  }
  return s;
}

describe('patchSchemaFor', () => {
  const cases: Array<{ apiVersion: string; kind: string; path: string; want: Partial<Pick<PatchSchema, 'kind' | 'patchStrategy' | 'patchMergeKey'>> | undefined }> = [
    { apiVersion: 'v1', kind: 'Pod', path: 'spec.containers', want: { kind: 'array', patchStrategy: 'merge', patchMergeKey: 'name' } },
    { apiVersion: 'v1', kind: 'Pod', path: 'spec.initContainers', want: { kind: 'array', patchStrategy: 'merge', patchMergeKey: 'name' } },
    { apiVersion: 'v1', kind: 'Pod', path: 'spec.containers.[]', want: { kind: 'object' } },
    { apiVersion: 'v1', kind: 'Pod', path: 'spec.containers.[].ports', want: { kind: 'array', patchStrategy: 'merge', patchMergeKey: 'containerPort' } },
    { apiVersion: 'v1', kind: 'Pod', path: 'spec.containers.[].ports.[].containerPort', want: { kind: 'primitive' } },
    { apiVersion: 'v1', kind: 'Pod', path: 'spec.containers.[].env', want: { kind: 'array', patchStrategy: 'merge', patchMergeKey: 'name' } },
    { apiVersion: 'v1', kind: 'Pod', path: 'spec.containers.[].volumeMounts', want: { kind: 'array', patchStrategy: 'merge', patchMergeKey: 'mountPath' } },
    { apiVersion: 'v1', kind: 'Pod', path: 'spec.containers.[].command', want: { kind: 'array' } },
    { apiVersion: 'v1', kind: 'Pod', path: 'spec.containers.[].resources.limits', want: { kind: 'map' } },
    { apiVersion: 'v1', kind: 'Pod', path: 'spec.containers.[].resources.limits.cpu', want: { kind: 'primitive' } },
    { apiVersion: 'v1', kind: 'Pod', path: 'spec.volumes', want: { kind: 'array', patchStrategy: 'merge,retainKeys', patchMergeKey: 'name' } },
    { apiVersion: 'v1', kind: 'Pod', path: 'spec.volumes.[].gcePersistentDisk', want: { kind: 'unknown' } },
    { apiVersion: 'v1', kind: 'Pod', path: 'spec.volumes.[].gcePersistentDisk.pdName', want: { kind: 'unknown' } },
    { apiVersion: 'v1', kind: 'Pod', path: 'spec.imagePullSecrets', want: { kind: 'array', patchStrategy: 'merge', patchMergeKey: 'name' } },
    { apiVersion: 'v1', kind: 'Pod', path: 'spec.hostAliases', want: { kind: 'array', patchStrategy: 'merge', patchMergeKey: 'ip' } },
    { apiVersion: 'v1', kind: 'Pod', path: 'spec.tolerations', want: { kind: 'array' } },
    { apiVersion: 'v1', kind: 'Pod', path: 'spec.affinity.nodeAffinity', want: { kind: 'object' } },
    { apiVersion: 'v1', kind: 'Pod', path: 'spec.nodeSelector', want: { kind: 'map' } },
    { apiVersion: 'v1', kind: 'Pod', path: 'spec.nodeName', want: { kind: 'primitive' } },
    { apiVersion: 'v1', kind: 'Pod', path: 'spec.bogus', want: undefined },
    { apiVersion: 'v1', kind: 'Pod', path: 'status.conditions', want: { kind: 'array', patchStrategy: 'merge', patchMergeKey: 'type' } },
    { apiVersion: 'v1', kind: 'Pod', path: 'status.podIPs', want: { kind: 'array', patchStrategy: 'merge', patchMergeKey: 'ip' } },
    { apiVersion: 'v1', kind: 'Pod', path: 'status.containerStatuses', want: { kind: 'array' } },
    { apiVersion: 'v1', kind: 'Pod', path: 'metadata.ownerReferences', want: { kind: 'array', patchStrategy: 'merge', patchMergeKey: 'uid' } },
    { apiVersion: 'v1', kind: 'Pod', path: 'metadata.finalizers', want: { kind: 'array', patchStrategy: 'merge' } },
    { apiVersion: 'v1', kind: 'Pod', path: 'metadata.finalizers.[]', want: { kind: 'primitive' } },
    { apiVersion: 'v1', kind: 'Pod', path: 'metadata.labels', want: { kind: 'map' } },
    { apiVersion: 'v1', kind: 'Pod', path: 'metadata.labels.app', want: { kind: 'primitive' } },
    { apiVersion: 'v1', kind: 'Pod', path: 'metadata.managedFields', want: { kind: 'array' } },
    { apiVersion: 'v1', kind: 'Service', path: 'spec.ports', want: { kind: 'array', patchStrategy: 'merge', patchMergeKey: 'port' } },
    { apiVersion: 'v1', kind: 'Service', path: 'spec.ports.[].targetPort', want: { kind: 'primitive' } },
    { apiVersion: 'v1', kind: 'Service', path: 'spec.selector', want: { kind: 'map' } },
    { apiVersion: 'v1', kind: 'Service', path: 'spec.externalIPs', want: { kind: 'array' } },
    { apiVersion: 'v1', kind: 'Service', path: 'status.conditions', want: { kind: 'array', patchStrategy: 'merge', patchMergeKey: 'type' } },
    { apiVersion: 'v1', kind: 'Service', path: 'status.loadBalancer.ingress', want: { kind: 'array' } },
    { apiVersion: 'v1', kind: 'Node', path: 'status.addresses', want: { kind: 'array', patchStrategy: 'merge', patchMergeKey: 'type' } },
    { apiVersion: 'v1', kind: 'Node', path: 'status.conditions', want: { kind: 'array', patchStrategy: 'merge', patchMergeKey: 'type' } },
    { apiVersion: 'v1', kind: 'Node', path: 'spec.podCIDRs', want: { kind: 'array', patchStrategy: 'merge' } },
    { apiVersion: 'v1', kind: 'Node', path: 'spec.taints', want: { kind: 'array' } },
    { apiVersion: 'v1', kind: 'Namespace', path: 'status.conditions', want: { kind: 'array', patchStrategy: 'merge', patchMergeKey: 'type' } },
    { apiVersion: 'v1', kind: 'ReplicationController', path: 'spec.template.spec.containers', want: { kind: 'array', patchStrategy: 'merge', patchMergeKey: 'name' } },
    { apiVersion: 'v1', kind: 'ReplicationController', path: 'spec.selector', want: { kind: 'map' } },
    { apiVersion: 'v1', kind: 'ReplicationController', path: 'status.conditions', want: { kind: 'array', patchStrategy: 'merge', patchMergeKey: 'type' } },
    { apiVersion: 'v1', kind: 'Endpoints', path: 'subsets', want: { kind: 'array' } },
    { apiVersion: 'v1', kind: 'Endpoints', path: 'subsets.[].addresses', want: { kind: 'array' } },
    { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', path: 'endpoints', want: { kind: 'array' } },
    { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', path: 'endpoints.[].conditions.ready', want: { kind: 'primitive' } },
    { apiVersion: 'autoscaling/v1', kind: 'Scale', path: 'spec.replicas', want: { kind: 'primitive' } },
    { apiVersion: 'apps/v1', kind: 'Deployment', path: 'spec.template.spec.containers', want: { kind: 'array', patchStrategy: 'merge', patchMergeKey: 'name' } },
    { apiVersion: 'example.com/v1', kind: 'Widget', path: 'spec.template', want: { kind: 'unknown' } },
  ];
  for (const c of cases) {
    it(`${c.kind} ${c.path}`, () => {
      const got = at(patchSchemaFor(c.apiVersion, c.kind), c.path);
      if (c.want === undefined) {
        expect(got).toBeUndefined();
        return;
      }
      expect(got).toBeDefined();
      expect({ kind: got?.kind, patchStrategy: got?.patchStrategy, patchMergeKey: got?.patchMergeKey }).toEqual({
        kind: c.want.kind,
        patchStrategy: c.want.patchStrategy,
        patchMergeKey: c.want.patchMergeKey,
      });
    });
  }

  it('the root of a kind is an object with apiVersion, kind and metadata', () => {
    const root = patchSchemaFor('v1', 'Service');
    expect(root.kind).toBe('object');
    expect(root.field('apiVersion')?.kind).toBe('primitive');
    expect(root.field('metadata')?.kind).toBe('object');
    expect(root.values()).toBeUndefined();
  });

  it('does not mistake inherited object properties for fields', () => {
    expect(patchSchemaFor('v1', 'Pod').field('constructor')).toBeUndefined();
    expect(patchSchemaFor('v1', 'Pod').field('toString')).toBeUndefined();
  });
});

describe('schema registry', () => {
  it('has a schema for every served kind and list kind', () => {
    for (const r of RESOURCES) {
      expect(schemaNameFor(apiVersionOf(r), r.kind), r.kind).toBeDefined();
      expect(schemaNameFor(apiVersionOf(r), r.listKind), r.listKind).toBeDefined();
    }
  });

  it('uses upstream component names', () => {
    expect(schemaNameFor('v1', 'Pod')).toBe('io.k8s.api.core.v1.Pod');
    expect(schemaNameFor('discovery.k8s.io/v1', 'EndpointSlice')).toBe('io.k8s.api.discovery.v1.EndpointSlice');
    expect(schemaNameFor('autoscaling/v1', 'Scale')).toBe('io.k8s.api.autoscaling.v1.Scale');
    expect(schemaNameFor('v1', 'Status')).toBe('io.k8s.apimachinery.pkg.apis.meta.v1.Status');
    expect(SCHEMAS['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']).toBeDefined();
  });

  it('every reference points to a schema that exists', () => {
    const dangling: string[] = [];
    const visit = (s: OpenAPISchema, where: string): void => {
      const ref = s.$ref;
      if (ref && !SCHEMAS[ref.replace('#/components/schemas/', '')]) dangling.push(`${where} -> ${ref}`);
      s.allOf?.forEach((x) => visit(x, where));
      Object.entries(s.properties ?? {}).forEach(([k, x]) => visit(x, `${where}.${k}`));
      if (s.items) visit(s.items, `${where}[]`);
      if (s.additionalProperties) visit(s.additionalProperties, `${where}{}`);
    };
    for (const [name, s] of Object.entries(SCHEMAS)) visit(s, name);
    expect(dangling).toEqual([]);
  });

  it('every list with a merge key keys its elements by a field they have', () => {
    const problems: string[] = [];
    const visit = (s: OpenAPISchema, where: string): void => {
      const key = s['x-kubernetes-patch-merge-key'];
      if (key && s.items) {
        const ref = s.items.allOf?.[0]?.$ref ?? s.items.$ref;
        const item = ref ? SCHEMAS[ref.replace('#/components/schemas/', '')] : s.items;
        if (!item?.properties?.[key] && !item?.['x-kubernetes-preserve-unknown-fields']) problems.push(`${where}: ${key}`);
      }
      Object.entries(s.properties ?? {}).forEach(([k, x]) => visit(x, `${where}.${k}`));
    };
    for (const [name, s] of Object.entries(SCHEMAS)) visit(s, name);
    expect(problems).toEqual([]);
  });
});

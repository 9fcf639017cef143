import { describe, expect, it } from 'vitest';
import type { ResourceInfo } from '../../src/api/resources.js';
import { findResource } from '../../src/kinds/catalog.js';
import type { KubeObject } from '../../src/api/types.js';
import { humanDuration, toTable } from '../../src/apiserver/printers/index.js';

const NOW = new Date('2024-06-01T12:00:00Z');
/** A timestamp `seconds` before NOW. */
const ago = (seconds: number): string => new Date(NOW.getTime() - seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

function info(resource: string, group = ''): ResourceInfo {
  const r = findResource(group, 'v1', resource);
  if (!r) throw new Error(resource);
  return r;
}

/** Column names as kubectl prints them (upper-cased), split into standard and `-o wide` ones. */
function headers(resource: string, group = ''): { standard: string[]; wide: string[] } {
  const t = toTable(info(resource, group), [], { now: NOW });
  return {
    standard: t.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name.toUpperCase()),
    wide: t.columnDefinitions.filter((c) => c.priority === 1).map((c) => c.name.toUpperCase()),
  };
}

function cells(resource: string, obj: KubeObject, group = ''): unknown[] {
  return toTable(info(resource, group), [obj], { now: NOW }).rows[0]?.cells ?? [];
}

describe('humanDuration (duration.HumanDuration)', () => {
  const cases: Array<[number, string]> = [
    [-5, '<invalid>'],
    [-1.5, '0s'],
    [0, '0s'],
    [5, '5s'],
    [119, '119s'],
    [120, '2m'],
    [182, '3m2s'],
    [600, '10m'],
    [179 * 60, '179m'],
    [3 * 3600, '3h'],
    [5 * 3600 + 3 * 60, '5h3m'],
    [8 * 3600 + 59 * 60, '8h'],
    [47 * 3600, '47h'],
    [2 * 86400 + 3 * 3600, '2d3h'],
    [3 * 86400, '3d'],
    [30 * 86400, '30d'],
    [2 * 365 * 86400 + 10 * 86400, '2y10d'],
    [3 * 365 * 86400, '3y'],
    [9 * 365 * 86400, '9y'],
  ];
  for (const [seconds, want] of cases) {
    it(`${seconds}s -> ${want}`, () => expect(humanDuration(seconds * 1000)).toBe(want));
  }
});

describe('column headers are kubectl\'s', () => {
  const cases: Array<{ resource: string; group?: string; standard: string[]; wide: string[] }> = [
    { resource: 'pods', standard: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'], wide: ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'] },
    { resource: 'services', standard: ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'], wide: ['SELECTOR'] },
    { resource: 'nodes', standard: ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'], wide: ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'] },
    { resource: 'namespaces', standard: ['NAME', 'STATUS', 'AGE'], wide: [] },
    { resource: 'endpoints', standard: ['NAME', 'ENDPOINTS', 'AGE'], wide: [] },
    { resource: 'replicationcontrollers', standard: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'], wide: ['CONTAINERS', 'IMAGES', 'SELECTOR'] },
    { resource: 'events', standard: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'], wide: ['SUBOBJECT', 'SOURCE', 'FIRST SEEN', 'COUNT', 'NAME'] },
    { resource: 'endpointslices', group: 'discovery.k8s.io', standard: ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'], wide: [] },
  ];
  for (const c of cases) {
    it(c.resource, () => expect(headers(c.resource, c.group)).toEqual({ standard: c.standard, wide: c.wide }));
  }

  it('every column has a type, a format and a description; NAME is formatted as a name', () => {
    const t = toTable(info('pods'), [], { now: NOW });
    for (const c of t.columnDefinitions) {
      expect(typeof c.type).toBe('string');
      expect(typeof c.format).toBe('string');
      expect(c.description.length).toBeGreaterThan(0);
    }
    expect(t.columnDefinitions[0]).toMatchObject({ name: 'Name', format: 'name', priority: 0 });
  });
});

const podBase = (over: { metadata?: object; spec?: object; status?: object }): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default', creationTimestamp: ago(182), ...over.metadata },
  spec: { containers: [{ name: 'app', image: 'echo' }], ...over.spec },
  status: over.status ?? {},
});

const running = (name: string, ready: boolean, restartCount = 0, lastFinished?: string) => ({
  name,
  ready,
  restartCount,
  image: 'echo',
  imageID: '',
  started: true,
  state: { running: { startedAt: ago(60) } },
  lastState: lastFinished ? { terminated: { exitCode: 1, reason: 'Error', finishedAt: lastFinished } } : {},
});

describe('pods', () => {
  const cases: Array<{ name: string; pod: KubeObject; want: unknown[] }> = [
    {
      name: 'pending, not scheduled yet',
      pod: podBase({ status: { phase: 'Pending' } }),
      want: ['web-1', '0/1', 'Pending', '0', '3m2s', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'container creating on a node',
      pod: podBase({
        spec: { nodeName: 'node-1' },
        status: {
          phase: 'Pending',
          containerStatuses: [{ name: 'app', ready: false, restartCount: 0, image: 'echo', imageID: '', state: { waiting: { reason: 'ContainerCreating' } } }],
        },
      }),
      want: ['web-1', '0/1', 'ContainerCreating', '0', '3m2s', '<none>', 'node-1', '<none>', '<none>'],
    },
    {
      name: 'running and ready, with IP and node (wide)',
      pod: podBase({
        spec: { nodeName: 'node-1' },
        status: { phase: 'Running', podIP: '127.244.1.5', podIPs: [{ ip: '127.244.1.5' }], conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [running('app', true)] },
      }),
      want: ['web-1', '1/1', 'Running', '0', '3m2s', '127.244.1.5', 'node-1', '<none>', '<none>'],
    },
    {
      name: 'restarted containers show when the last one restarted',
      pod: podBase({
        spec: { nodeName: 'node-1', containers: [{ name: 'a' }, { name: 'b' }] },
        status: { phase: 'Running', podIPs: [{ ip: '127.244.1.6' }], containerStatuses: [running('a', true, 2, ago(30)), running('b', false, 3, ago(5))] },
      }),
      want: ['web-1', '1/2', 'Running', '5 (5s ago)', '3m2s', '127.244.1.6', 'node-1', '<none>', '<none>'],
    },
    {
      name: 'crash loop',
      pod: podBase({
        spec: { nodeName: 'node-1' },
        status: {
          phase: 'Running',
          containerStatuses: [
            {
              name: 'app',
              ready: false,
              restartCount: 4,
              image: 'echo',
              imageID: '',
              state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } },
              lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(200) } },
            },
          ],
        },
      }),
      want: ['web-1', '0/1', 'CrashLoopBackOff', '4 (3m20s ago)', '3m2s', '<none>', 'node-1', '<none>', '<none>'],
    },
    {
      name: 'terminating (deletionTimestamp set, not finished)',
      pod: podBase({
        metadata: { deletionTimestamp: ago(-30), deletionGracePeriodSeconds: 30 },
        spec: { nodeName: 'node-1' },
        status: { phase: 'Running', podIP: '127.244.1.5', containerStatuses: [running('app', true)] },
      }),
      want: ['web-1', '1/1', 'Terminating', '0', '3m2s', '127.244.1.5', 'node-1', '<none>', '<none>'],
    },
    {
      name: 'a pod of an unreachable node being deleted is Unknown',
      pod: podBase({ metadata: { deletionTimestamp: ago(10) }, status: { phase: 'Running', reason: 'NodeLost', containerStatuses: [running('app', true)] } }),
      want: ['web-1', '1/1', 'Unknown', '0', '3m2s', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'completed',
      pod: podBase({
        spec: { restartPolicy: 'Never' },
        status: {
          phase: 'Succeeded',
          containerStatuses: [{ name: 'app', ready: false, restartCount: 0, image: 'echo', imageID: '', state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
        },
      }),
      want: ['web-1', '0/1', 'Completed', '0', '3m2s', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'terminated without a reason shows the exit code',
      pod: podBase({
        status: { phase: 'Failed', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, image: 'echo', imageID: '', state: { terminated: { exitCode: 137 } } }] },
      }),
      want: ['web-1', '0/1', 'ExitCode:137', '0', '3m2s', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'evicted: the status reason replaces the phase',
      pod: podBase({ status: { phase: 'Failed', reason: 'Evicted', message: 'low on memory' } }),
      want: ['web-1', '0/1', 'Evicted', '0', '3m2s', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'init containers still running',
      pod: podBase({
        spec: { initContainers: [{ name: 'init-a' }, { name: 'init-b' }] },
        status: {
          phase: 'Pending',
          initContainerStatuses: [
            { name: 'init-a', ready: false, restartCount: 0, image: 'i', imageID: '', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
            { name: 'init-b', ready: false, restartCount: 0, image: 'i', imageID: '', state: { running: { startedAt: ago(3) } } },
          ],
          containerStatuses: [{ name: 'app', ready: false, restartCount: 0, image: 'echo', imageID: '', state: { waiting: { reason: 'PodInitializing' } } }],
        },
      }),
      want: ['web-1', '0/1', 'Init:1/2', '0', '3m2s', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'readiness gates',
      pod: podBase({
        spec: { readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }] },
        status: { phase: 'Running', conditions: [{ type: 'example.com/lb', status: 'True' }, { type: 'example.com/dns', status: 'False' }], nominatedNodeName: 'node-2' },
      }),
      want: ['web-1', '0/1', 'Running', '0', '3m2s', '<none>', '<none>', 'node-2', '1/2'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => expect(cells('pods', c.pod)).toEqual(c.want));
  }

  it('finished pods carry the Completed row condition', () => {
    const t = toTable(info('pods'), [podBase({ status: { phase: 'Succeeded' } }), podBase({ status: { phase: 'Failed' } }), podBase({ status: { phase: 'Running' } })], { now: NOW });
    expect(t.rows.map((r) => r.conditions?.[0]?.reason)).toEqual(['Succeeded', 'Failed', undefined]);
  });
});

const svc = (spec: object, status: object = {}, age = 3600): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default', creationTimestamp: ago(age) },
  spec,
  status,
});

describe('services', () => {
  const cases: Array<{ name: string; service: KubeObject; want: unknown[] }> = [
    {
      name: 'ClusterIP',
      service: svc({ type: 'ClusterIP', clusterIP: '127.96.0.20', clusterIPs: ['127.96.0.20'], ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }], selector: { app: 'web', tier: 'a' } }),
      want: ['web', 'ClusterIP', '127.96.0.20', '<none>', '80/TCP', '60m', 'app=web,tier=a'],
    },
    {
      name: 'NodePort with two ports',
      service: svc({
        type: 'NodePort',
        clusterIP: '127.96.0.21',
        ports: [
          { name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 },
          { name: 'metrics', port: 9090, nodePort: 31090 },
        ],
        selector: { app: 'web' },
      }),
      want: ['web', 'NodePort', '127.96.0.21', '<none>', '80:30080/TCP,9090:31090/TCP', '60m', 'app=web'],
    },
    {
      name: 'LoadBalancer waiting for an address',
      service: svc({ type: 'LoadBalancer', clusterIP: '127.96.0.22', ports: [{ port: 80, protocol: 'TCP', nodePort: 30081 }], selector: { app: 'web' } }, { loadBalancer: {} }),
      want: ['web', 'LoadBalancer', '127.96.0.22', '<pending>', '80:30081/TCP', '60m', 'app=web'],
    },
    {
      name: 'LoadBalancer with an address',
      service: svc(
        { type: 'LoadBalancer', clusterIP: '127.96.0.22', ports: [{ port: 80, protocol: 'TCP', nodePort: 30081 }], selector: { app: 'web' } },
        { loadBalancer: { ingress: [{ ip: '127.200.0.1', ipMode: 'VIP' }] } },
      ),
      want: ['web', 'LoadBalancer', '127.96.0.22', '127.200.0.1', '80:30081/TCP', '60m', 'app=web'],
    },
    {
      name: 'LoadBalancer with an address and external IPs',
      service: svc(
        { type: 'LoadBalancer', clusterIP: '127.96.0.22', externalIPs: ['127.50.0.1'], ports: [{ port: 443, protocol: 'TCP', nodePort: 30443 }] },
        { loadBalancer: { ingress: [{ ip: '127.200.0.2' }, { hostname: 'lb.example.com' }] } },
      ),
      want: ['web', 'LoadBalancer', '127.96.0.22', '127.200.0.2,lb.example.com,127.50.0.1', '443:30443/TCP', '60m', '<none>'],
    },
    {
      name: 'headless without ports',
      service: svc({ type: 'ClusterIP', clusterIP: 'None', selector: { app: 'db' } }, {}, 30),
      want: ['web', 'ClusterIP', 'None', '<none>', '<none>', '30s', 'app=db'],
    },
    {
      name: 'ExternalName',
      service: svc({ type: 'ExternalName', externalName: 'db.example.com', ports: [{ port: 5432, protocol: 'TCP' }] }),
      want: ['web', 'ExternalName', '<none>', 'db.example.com', '5432/TCP', '60m', '<none>'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => expect(cells('services', c.service)).toEqual(c.want));
  }
});

describe('nodes', () => {
  const node = (over: { labels?: Record<string, string>; unschedulable?: boolean; conditions?: object[]; nodeInfo?: object; addresses?: object[] }): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-1', creationTimestamp: ago(2 * 86400 + 3 * 3600), labels: over.labels ?? {} },
    spec: { unschedulable: over.unschedulable ?? false },
    status: {
      conditions: over.conditions ?? [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
      addresses: over.addresses ?? [{ type: 'InternalIP', address: '127.10.0.1' }, { type: 'Hostname', address: 'node-1' }],
      nodeInfo: over.nodeInfo ?? { kubeletVersion: 'v1.32.0-loopkube', osImage: 'loopkube', kernelVersion: '6.8.0', containerRuntimeVersion: 'loopkube://0.1.0' },
    },
  });
  const cases: Array<{ name: string; node: KubeObject; want: unknown[] }> = [
    {
      name: 'ready worker',
      node: node({}),
      want: ['node-1', 'Ready', '<none>', '2d3h', 'v1.32.0-loopkube', '127.10.0.1', '<none>', 'loopkube', '6.8.0', 'loopkube://0.1.0'],
    },
    {
      name: 'not ready, cordoned, with roles',
      node: node({
        labels: { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'edge' },
        unschedulable: true,
        conditions: [{ type: 'Ready', status: 'False' }],
      }),
      want: ['node-1', 'NotReady,SchedulingDisabled', 'control-plane,edge,worker', '2d3h', 'v1.32.0-loopkube', '127.10.0.1', '<none>', 'loopkube', '6.8.0', 'loopkube://0.1.0'],
    },
    {
      name: 'never reported',
      node: node({ conditions: [], nodeInfo: {}, addresses: [{ type: 'ExternalIP', address: '192.0.2.1' }] }),
      want: ['node-1', 'Unknown', '<none>', '2d3h', '', '<none>', '192.0.2.1', '<unknown>', '<unknown>', '<unknown>'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => expect(cells('nodes', c.node)).toEqual(c.want));
  }
});

describe('namespaces', () => {
  it('name, phase and age', () => {
    expect(cells('namespaces', { metadata: { name: 'default', creationTimestamp: ago(10 * 86400) }, status: { phase: 'Active' } })).toEqual(['default', 'Active', '10d']);
    expect(cells('namespaces', { metadata: { name: 'old', creationTimestamp: ago(5), deletionTimestamp: ago(1) }, status: { phase: 'Terminating' } })).toEqual([
      'old',
      'Terminating',
      '5s',
    ]);
  });
});

describe('endpoints', () => {
  const ep = (subsets: object[] | undefined): KubeObject => ({ metadata: { name: 'web', creationTimestamp: ago(90) }, ...(subsets ? { subsets } : {}) });
  const cases: Array<{ name: string; ep: KubeObject; want: unknown[] }> = [
    { name: 'no subsets', ep: ep(undefined), want: ['web', '<none>', '90s'] },
    {
      name: 'two addresses, one port',
      ep: ep([{ addresses: [{ ip: '127.244.1.5' }, { ip: '127.244.2.7' }], ports: [{ port: 8080, protocol: 'TCP' }] }]),
      want: ['web', '127.244.1.5:8080,127.244.2.7:8080', '90s'],
    },
    {
      name: 'more than three shows how many more',
      ep: ep([
        {
          addresses: [{ ip: '127.244.1.5' }, { ip: '127.244.1.6' }, { ip: '127.244.2.5' }, { ip: '127.244.2.6' }, { ip: '127.244.3.5' }, { ip: '127.244.3.6' }],
          notReadyAddresses: [{ ip: '127.244.4.4' }],
          ports: [{ port: 8080 }],
        },
      ]),
      want: ['web', '127.244.1.5:8080,127.244.1.6:8080,127.244.2.5:8080 + 3 more...', '90s'],
    },
    {
      name: 'every port of every address counts',
      ep: ep([{ addresses: [{ ip: '127.244.1.5' }, { ip: '127.244.1.6' }], ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81 }] }]),
      want: ['web', '127.244.1.5:80,127.244.1.6:80,127.244.1.5:81 + 1 more...', '90s'],
    },
    {
      name: 'headless without ports lists bare IPs',
      ep: ep([{ addresses: [{ ip: '127.244.1.5' }] }]),
      want: ['web', '127.244.1.5', '90s'],
    },
    { name: 'only not-ready addresses', ep: ep([{ notReadyAddresses: [{ ip: '127.244.1.5' }], ports: [{ port: 80 }] }]), want: ['web', '', '90s'] },
  ];
  for (const c of cases) {
    it(c.name, () => expect(cells('endpoints', c.ep)).toEqual(c.want));
  }
});

describe('endpointslices', () => {
  const slice = (endpoints: object[] | null, ports: object[] | null): KubeObject => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-x7k2p', creationTimestamp: ago(42) },
    addressType: 'IPv4',
    endpoints,
    ports,
  });
  const cases: Array<{ name: string; slice: KubeObject; want: unknown[] }> = [
    { name: 'empty slice', slice: slice(null, null), want: ['web-x7k2p', 'IPv4', '<unset>', '<unset>', '42s'] },
    {
      name: 'ports and addresses',
      slice: slice([{ addresses: ['127.244.1.5'] }, { addresses: ['127.244.2.5'] }], [{ name: 'http', port: 8080, protocol: 'TCP' }]),
      want: ['web-x7k2p', 'IPv4', '8080', '127.244.1.5,127.244.2.5', '42s'],
    },
    {
      name: 'more than three',
      slice: slice(
        [{ addresses: ['127.244.1.5'] }, { addresses: ['127.244.1.6'] }, { addresses: ['127.244.1.7'] }, { addresses: ['127.244.1.8'] }, { addresses: ['127.244.1.9'] }],
        [{ port: 80 }, { name: 'named' }, {}, { port: 443 }],
      ),
      want: ['web-x7k2p', 'IPv4', '80,named,* + 1 more...', '127.244.1.5,127.244.1.6,127.244.1.7 + 2 more...', '42s'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => expect(cells('endpointslices', c.slice, 'discovery.k8s.io')).toEqual(c.want));
  }
});

describe('replicationcontrollers', () => {
  it('desired, current, ready, and the wide columns', () => {
    const rc: KubeObject = {
      metadata: { name: 'web', creationTimestamp: ago(7 * 3600 + 59 * 60) },
      spec: {
        replicas: 3,
        selector: { app: 'web', tier: 'front' },
        template: { metadata: { labels: { app: 'web', tier: 'front' } }, spec: { containers: [{ name: 'app', image: 'echo:1' }, { name: 'sidecar', image: 'log:2' }] } },
      },
      status: { replicas: 3, readyReplicas: 2 },
    };
    expect(cells('replicationcontrollers', rc)).toEqual(['web', 3, 3, 2, '7h59m', 'app,sidecar', 'echo:1,log:2', 'app=web,tier=front']);
  });

  it('a new controller without status', () => {
    expect(cells('replicationcontrollers', { metadata: { name: 'new', creationTimestamp: ago(1) }, spec: { replicas: 0, selector: {} } })).toEqual([
      'new',
      0,
      0,
      0,
      '1s',
      '',
      '',
      '<none>',
    ]);
  });
});

describe('events', () => {
  const cases: Array<{ name: string; event: KubeObject; want: unknown[] }> = [
    {
      name: 'a core/v1 event with counts',
      event: {
        metadata: { name: 'web-1.17a2b3c4', namespace: 'default' },
        involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', fieldPath: 'spec.containers{app}' },
        reason: 'Unhealthy',
        message: 'Readiness probe failed: connection refused\n',
        type: 'Warning',
        source: { component: 'kubelet', host: 'node-1' },
        firstTimestamp: ago(600),
        lastTimestamp: ago(12),
        count: 7,
      },
      want: ['12s', 'Warning', 'Unhealthy', 'pod/web-1', 'spec.containers{app}', 'kubelet, node-1', 'Readiness probe failed: connection refused', '10m', 7, 'web-1.17a2b3c4'],
    },
    {
      name: 'an events.k8s.io-style event (eventTime, reporting controller, no count)',
      event: {
        metadata: { name: 'e2' },
        involvedObject: { kind: 'Node', name: 'node-1' },
        reason: 'Scheduled',
        message: 'Successfully assigned default/web-1 to node-1',
        type: 'Normal',
        eventTime: '2024-06-01T11:59:29.500000Z', // 30.5s ago: ages are truncated to whole seconds,
        reportingComponent: 'loopkube-scheduler',
        reportingInstance: 'cp-1',
        firstTimestamp: null,
        lastTimestamp: null,
      },
      want: ['30s', 'Normal', 'Scheduled', 'node/node-1', '', 'loopkube-scheduler, cp-1', 'Successfully assigned default/web-1 to node-1', '30s', 1, 'e2'],
    },
    {
      name: 'a series',
      event: {
        metadata: { name: 'e3' },
        involvedObject: { kind: 'Pod' },
        reason: 'BackOff',
        type: 'Warning',
        eventTime: ago(300),
        series: { count: 12, lastObservedTime: ago(2) },
      },
      want: ['2s', 'Warning', 'BackOff', 'pod', '', '', '', '5m', 12, 'e3'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => expect(cells('events', c.event)).toEqual(c.want));
  }
});

describe('the Table', () => {
  const pod = podBase({ metadata: { resourceVersion: '42', labels: { app: 'web' } }, status: { phase: 'Running' } });

  it('is a meta.k8s.io/v1 Table with list metadata', () => {
    const t = toTable(info('pods'), [pod], { now: NOW, listMeta: { resourceVersion: '42', continue: 'abc' } });
    expect(t).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: '42', continue: 'abc' } });
    expect(t.rows).toHaveLength(1);
  });

  it('rows carry PartialObjectMetadata by default', () => {
    const t = toTable(info('pods'), [pod], { now: NOW });
    expect(t.rows[0]?.object).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pod.metadata });
  });

  it('includeObject=Object carries the object, None nothing', () => {
    expect(toTable(info('pods'), [pod], { now: NOW, includeObject: 'Object' }).rows[0]?.object).toBe(pod);
    expect(toTable(info('pods'), [pod], { now: NOW, includeObject: 'None' }).rows[0]).not.toHaveProperty('object');
  });

  it('noHeaders leaves the column definitions out', () => {
    expect(toTable(info('pods'), [pod], { now: NOW, noHeaders: true }).columnDefinitions).toEqual([]);
  });

  it('each row has one cell per column', () => {
    const objects: Array<[string, string, KubeObject]> = [
      ['pods', '', pod],
      ['services', '', svc({ type: 'ClusterIP' })],
      ['nodes', '', { metadata: { name: 'n' } }],
      ['namespaces', '', { metadata: { name: 'n' } }],
      ['endpoints', '', { metadata: { name: 'n' } }],
      ['replicationcontrollers', '', { metadata: { name: 'n' } }],
      ['events', '', { metadata: { name: 'n' } }],
      ['endpointslices', 'discovery.k8s.io', { metadata: { name: 'n' } }],
    ];
    for (const [resource, group, obj] of objects) {
      const t = toTable(info(resource, group), [obj], { now: NOW });
      expect(t.rows[0]?.cells.length, resource).toBe(t.columnDefinitions.length);
    }
  });

  it('an object without a creation timestamp is <unknown> old', () => {
    expect(cells('namespaces', { metadata: { name: 'x' } })).toEqual(['x', '', '<unknown>']);
  });
});

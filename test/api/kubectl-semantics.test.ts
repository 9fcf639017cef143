// Object semantics through the real kubectl against a `loopkube up --nodes 0` cluster: scale,
// the three patch types, deleting a namespace deletes what is in it, ownerReferences with
// background / foreground / orphan propagation, graceful pod deletion, the 409 on a stale
// resourceVersion, field selectors beyond metadata.name, and lists across namespaces.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeList, KubeObject, Namespace, Pod, ReplicationController, Service } from '../../src/api/types.js';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';

let c: TestCluster;
const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

async function getJson<T extends KubeObject>(args: string[]): Promise<T> {
  const r = await c.kubectl(['get', ...args, '-o', 'json']);
  if (r.code !== 0) throw new Error(`kubectl get ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

async function names(args: string[]): Promise<string[]> {
  return (await getJson<KubeObject & KubeList>(args)).items.map((o) => o.metadata.name!).sort();
}

async function create(obj: Record<string, unknown>): Promise<void> {
  const r = await c.kubectl(['create', '-f', '-'], { input: json(obj) });
  if (r.code !== 0) throw new Error(`kubectl create: ${r.stderr}`);
}

const namespace = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const pod = (name: string, ns: string, extra: Record<string, unknown> = {}, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, ...extra },
  spec: { containers: [{ name: 'app', image: 'echo' }], ...spec },
});
const service = (name: string, ns: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns },
  spec: { ports: [{ name: 'a', port: 80 }], ...spec },
});
const rc = (name: string, ns: string, replicas: number) => ({
  apiVersion: 'v1',
  kind: 'ReplicationController',
  metadata: { name, namespace: ns },
  spec: {
    replicas,
    selector: { rc: name },
    template: { metadata: { labels: { rc: name } }, spec: { containers: [{ name: 'app', image: 'echo' }] } },
  },
});

beforeAll(async () => {
  // Nodes here are bare objects nobody heartbeats: keep the node lifecycle controller from
  // evicting their pods while a test looks at them.
  c = await startTestCluster({ nodes: 0, clusterFile: { nodeLifecycle: { nodeMonitorGracePeriodSeconds: 3600, podEvictionTimeoutSeconds: 3600 } } });
  for (const ns of ['sem', 'owners']) await create(namespace(ns));
});

afterAll(async () => {
  await c?.down();
});

describe('a new cluster', () => {
  it('has the system namespaces, and the kubernetes service pointing at the API server', async () => {
    expect(await names(['namespaces'])).toEqual(expect.arrayContaining(['default', 'kube-node-lease', 'kube-public', 'kube-system']));
    const svc = await c.kubectl(['get', 'svc', 'kubernetes', '-n', 'default', '--no-headers']);
    const first = c.config.serviceCIDR.replace(/\.0\/\d+$/, '.1');
    expect(svc.stdout.trim().split(/\s+/).slice(0, 5)).toEqual(['kubernetes', 'ClusterIP', first, '<none>', '443/TCP']);
    const ep = await c.kubectl(['get', 'endpoints', 'kubernetes', '-n', 'default', '--no-headers']);
    expect(ep.stdout.trim().split(/\s+/).slice(0, 2)).toEqual(['kubernetes', `127.0.0.1:${c.apiPort}`]);
  });
});

describe('kubectl scale', () => {
  it('scales a replication controller through its scale subresource', async () => {
    await create(rc('web', 'sem', 1));
    const r = await c.kubectl(['scale', 'rc', 'web', '-n', 'sem', '--replicas=3']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('replicationcontroller/web scaled');
    expect((await getJson<ReplicationController>(['rc', 'web', '-n', 'sem'])).spec.replicas).toBe(3);
    // the replication controller makes the pods
    await waitFor('3 pods of rc web', async () => (await names(['pods', '-n', 'sem', '-l', 'rc=web'])).length === 3);

    const pre = await c.kubectl(['scale', 'rc', 'web', '-n', 'sem', '--current-replicas=2', '--replicas=1']);
    expect(pre.code).toBe(1);
    expect(pre.stderr.trim()).toBe('error: Expected replicas to be 2, was 3');

    // kubectl PUTs the Scale; Go leaves `replicas: 0` out of it (omitempty)
    const down = await c.kubectl(['scale', 'rc', 'web', '-n', 'sem', '--current-replicas=3', '--replicas=0']);
    expect(down.stderr).toBe('');
    expect(down.stdout.trim()).toBe('replicationcontroller/web scaled');
    expect((await getJson<ReplicationController>(['rc', 'web', '-n', 'sem'])).spec.replicas).toBe(0);
    await waitFor('no pods of rc web', async () => (await names(['pods', '-n', 'sem', '-l', 'rc=web'])).length === 0);

    const negative = await c.kubectl(['patch', 'rc', 'web', '-n', 'sem', '--subresource=scale', '--type', 'merge', '-p', '{"spec":{"replicas":-1}}']);
    expect(negative.code).toBe(1);
    expect(negative.stderr.trim()).toBe('The Scale "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  });
});

describe('kubectl patch --type', () => {
  it('merge, json and strategic patches each change what they should', async () => {
    await create(service('patched', 'sem'));
    const ports = async () => (await getJson<Service>(['svc', 'patched', '-n', 'sem'])).spec.ports!.map((p) => `${p.name}:${p.port}`);

    let r = await c.kubectl(['patch', 'svc', 'patched', '-n', 'sem', '--type', 'merge', '-p', '{"metadata":{"labels":{"tier":"front"}}}']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('service/patched patched');
    expect((await getJson<Service>(['svc', 'patched', '-n', 'sem'])).metadata.labels).toEqual({ tier: 'front' });

    r = await c.kubectl(['patch', 'svc', 'patched', '-n', 'sem', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/ports/0/port","value":81}]']);
    expect(r.stderr).toBe('');
    expect(await ports()).toEqual(['a:81']);

    // strategic: ports merge on their key (port), so a new one joins the list (patch items
    // first, then the server-only ones, as upstream's normalizeElementOrder orders them)
    r = await c.kubectl(['patch', 'svc', 'patched', '-n', 'sem', '--type', 'strategic', '-p', '{"spec":{"ports":[{"name":"b","port":90}]}}']);
    expect(r.stderr).toBe('');
    expect(await ports()).toEqual(['b:90', 'a:81']);
    // ... and $patch: delete removes one by its key
    r = await c.kubectl(['patch', 'svc', 'patched', '-n', 'sem', '-p', '{"spec":{"ports":[{"port":81,"$patch":"delete"}]}}']);
    expect(r.stderr).toBe('');
    expect(await ports()).toEqual(['b:90']);
    // merge: a list is replaced whole
    r = await c.kubectl(['patch', 'svc', 'patched', '-n', 'sem', '--type', 'merge', '-p', '{"spec":{"ports":[{"name":"c","port":70},{"name":"d","port":71}]}}']);
    expect(r.stderr).toBe('');
    expect(await ports()).toEqual(['c:70', 'd:71']);

    r = await c.kubectl(['patch', 'svc', 'patched', '-n', 'sem', '--type', 'merge', '-p', '{"metadata":{"labels":{"tier":"front"}}}']);
    expect(r.stdout.trim()).toBe('service/patched patched (no change)');
  });

  it('a patch that breaks a rule is refused in the rule\'s words and changes nothing', async () => {
    const before = await getJson<Service>(['svc', 'patched', '-n', 'sem']);
    const r = await c.kubectl(['patch', 'svc', 'patched', '-n', 'sem', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/ports/0/port","value":0}]']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('The Service "patched" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive');
    expect((await getJson<Service>(['svc', 'patched', '-n', 'sem'])).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });
});

describe('compare-and-swap', () => {
  it('an update carrying a stale resourceVersion is a 409 Conflict in Kubernetes words', async () => {
    await create(service('cas', 'sem'));
    const stale = await getJson<Service>(['svc', 'cas', '-n', 'sem']);
    expect((await c.kubectl(['label', 'svc', 'cas', '-n', 'sem', 'moved=on'])).code).toBe(0);
    stale.metadata.labels = { mine: 'yes' };
    const r = await c.kubectl(['replace', '-f', '-'], { input: json(stale) });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on services "cas": the object has been modified; please apply your changes to the latest version and try again',
    );
    expect((await getJson<Service>(['svc', 'cas', '-n', 'sem'])).metadata.labels).toEqual({ moved: 'on' });
  });

  it('a create in a namespace that does not exist is NotFound', async () => {
    const r = await c.kubectl(['create', '-f', '-'], { input: json(service('x', 'nowhere')) });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('Error from server (NotFound): error when creating "STDIN": namespaces "nowhere" not found');
  });
});

describe('namespaces', () => {
  it('deleting a namespace deletes what is in it', async () => {
    await create(namespace('doomed'));
    const inside: Array<[string, Record<string, unknown>]> = [
      ['pods', pod('p', 'doomed')],
      ['services', service('s', 'doomed')],
      ['replicationcontrollers', rc('r', 'doomed', 0)],
      ['endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'e', namespace: 'doomed' } }],
      ['events', { apiVersion: 'v1', kind: 'Event', metadata: { name: 'ev', namespace: 'doomed' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'doomed' }, reason: 'R', message: 'm' }],
      [
        'endpointslices',
        { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'es', namespace: 'doomed' }, addressType: 'IPv4', endpoints: [] },
      ],
    ];
    for (const [, obj] of inside) await create(obj);
    const r = await c.kubectl(['delete', 'namespace', 'doomed', '--timeout=60s']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('namespace "doomed" deleted');
    const gone = await c.kubectl(['get', 'namespace', 'doomed']);
    expect(gone.stderr.trim()).toBe('Error from server (NotFound): namespaces "doomed" not found');
    for (const [resource] of inside) {
      expect(await names([resource, '-n', 'doomed']), resource).toEqual([]);
    }
  });

  it('a terminating namespace takes no new content, and goes once its last finalizer is removed', async () => {
    await create(namespace('held'));
    await create(pod('held-pod', 'held', { finalizers: ['e2e.loopkube.dev/hold'] }));
    expect((await c.kubectl(['delete', 'namespace', 'held', '--wait=false'])).code).toBe(0);
    await waitFor('namespace held Terminating', async () => (await getJson<Namespace>(['namespace', 'held'])).status?.phase === 'Terminating');

    const r = await c.kubectl(['create', '-f', '-'], { input: json(service('late', 'held')) });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      'Error from server (Forbidden): error when creating "STDIN": services "late" is forbidden: unable to create new content in namespace held because it is being terminated',
    );
    const protectedNs = await c.kubectl(['delete', 'namespace', 'kube-system', '--wait=false']);
    expect(protectedNs.stderr.trim()).toBe('Error from server (Forbidden): namespaces "kube-system" is forbidden: this namespace may not be deleted');

    // the namespace controller has asked the pod to go; its finalizer holds it (and the namespace)
    await waitFor('held-pod being deleted', async () => !!(await getJson<Pod>(['pod', 'held-pod', '-n', 'held'])).metadata.deletionTimestamp);
    expect((await getJson<Namespace>(['namespace', 'held'])).status?.phase).toBe('Terminating');
    const p = await c.kubectl(['patch', 'pod', 'held-pod', '-n', 'held', '--type', 'json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
    expect(p.stderr).toBe('');
    await waitFor('namespace held gone', async () => (await c.kubectl(['get', 'namespace', 'held'])).stderr.includes('NotFound'));
  });

  it('kubectl get -A lists across namespaces', async () => {
    await create(service('everywhere', 'owners'));
    const r = await c.kubectl(['get', 'services', '-A', '-o', 'custom-columns=NS:.metadata.namespace,NAME:.metadata.name', '--no-headers']);
    expect(r.stderr).toBe('');
    const rows = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).join('/'));
    expect(rows).toEqual(expect.arrayContaining(['default/kubernetes', 'owners/everywhere', 'sem/patched']));
  });
});

describe('ownerReferences: kubectl delete rc --cascade', () => {
  async function rcWithPods(name: string, replicas: number): Promise<string[]> {
    await create(rc(name, 'owners', replicas));
    const pods = await waitFor(`${replicas} pods of rc ${name}`, async () => {
      const n = await names(['pods', '-n', 'owners', '-l', `rc=${name}`]);
      return n.length === replicas ? n : undefined;
    });
    const owner = await getJson<ReplicationController>(['rc', name, '-n', 'owners']);
    for (const p of pods) {
      const refs = (await getJson<Pod>(['pod', p, '-n', 'owners'])).metadata.ownerReferences ?? [];
      expect(refs).toEqual([expect.objectContaining({ kind: 'ReplicationController', name, uid: owner.metadata.uid, controller: true })]);
    }
    return pods;
  }

  it('background: the owner goes at once, then its dependents', async () => {
    await rcWithPods('bg', 2);
    const r = await c.kubectl(['delete', 'rc', 'bg', '-n', 'owners', '--cascade=background']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('replicationcontroller "bg" deleted');
    await waitFor('pods of bg gone', async () => (await names(['pods', '-n', 'owners', '-l', 'rc=bg'])).length === 0);
  });

  it('foreground: the owner waits, marked, until its blocking dependents are gone', async () => {
    const pods = await rcWithPods('fg', 2);
    const held = pods[0]!;
    expect((await c.kubectl(['patch', 'pod', held, '-n', 'owners', '--type', 'merge', '-p', '{"metadata":{"finalizers":["e2e.loopkube.dev/hold"]}}'])).code).toBe(0);
    const r = await c.kubectl(['delete', 'rc', 'fg', '-n', 'owners', '--cascade=foreground', '--wait=false']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('replicationcontroller "fg" deleted');
    // the unheld pod goes; the held one is being deleted and keeps its owner waiting
    await waitFor('the unheld pod of fg gone', async () => (await names(['pods', '-n', 'owners', '-l', 'rc=fg'])).join() === held);
    const owner = await getJson<ReplicationController>(['rc', 'fg', '-n', 'owners']);
    expect(owner.metadata.deletionTimestamp).toBeTruthy();
    expect(owner.metadata.finalizers).toContain('foregroundDeletion');
    expect((await getJson<Pod>(['pod', held, '-n', 'owners'])).metadata.deletionTimestamp).toBeTruthy();

    expect((await c.kubectl(['patch', 'pod', held, '-n', 'owners', '--type', 'json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]'])).code).toBe(0);
    await waitFor('rc fg gone', async () => (await c.kubectl(['get', 'rc', 'fg', '-n', 'owners'])).stderr.includes('NotFound'));
    expect(await names(['pods', '-n', 'owners', '-l', 'rc=fg'])).toEqual([]);
  });

  it('orphan: the owner goes and its dependents stay, without the ownerReference', async () => {
    const pods = await rcWithPods('orph', 2);
    const r = await c.kubectl(['delete', 'rc', 'orph', '-n', 'owners', '--cascade=orphan']);
    expect(r.stderr).toBe('');
    expect((await c.kubectl(['get', 'rc', 'orph', '-n', 'owners'])).stderr).toContain('NotFound');
    expect(await names(['pods', '-n', 'owners', '-l', 'rc=orph'])).toEqual(pods);
    for (const p of pods) {
      expect((await getJson<Pod>(['pod', p, '-n', 'owners'])).metadata.ownerReferences ?? []).toEqual([]);
    }
  });
});

describe('ownerReferences: a delete without a propagation policy', () => {
  it('orphans the pods of a replication controller (core/v1\'s default, unlike kubectl\'s background)', async () => {
    await create(rc('bare', 'owners', 1));
    const pods = await waitFor('the pod of rc bare', async () => {
      const n = await names(['pods', '-n', 'owners', '-l', 'rc=bare']);
      return n.length === 1 ? n : undefined;
    });
    await c.client.delete('/api/v1/namespaces/owners/replicationcontrollers/bare');
    await waitFor('rc bare gone', async () => (await c.kubectl(['get', 'rc', 'bare', '-n', 'owners'])).stderr.includes('NotFound'));
    expect(await names(['pods', '-n', 'owners', '-l', 'rc=bare'])).toEqual(pods);
    expect((await getJson<Pod>(['pod', pods[0]!, '-n', 'owners'])).metadata.ownerReferences ?? []).toEqual([]);
  });

  it('deletes the dependents of other kinds in the background', async () => {
    const owner = await c.client.create<KubeObject>('/api/v1/namespaces/owners/services', service('owner-svc', 'owners'));
    await create(
      pod('owned-by-svc', 'owners', {
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'owner-svc', uid: owner.metadata.uid }],
      }),
    );
    await c.client.delete('/api/v1/namespaces/owners/services/owner-svc');
    await waitFor('the pod owned by the service gone', async () => (await c.kubectl(['get', 'pod', 'owned-by-svc', '-n', 'owners'])).stderr.includes('NotFound'));
  });
});

describe('graceful pod deletion', () => {
  it('a pod bound to a node is marked for deletion with its grace period; an unbound one goes at once', async () => {
    await create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'grace-node' } });
    await create(pod('bound', 'sem', {}, { nodeName: 'grace-node', terminationGracePeriodSeconds: 45 }));
    await create(pod('unbound', 'sem'));

    const r = await c.kubectl(['delete', 'pod', 'bound', '-n', 'sem', '--wait=false']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('pod "bound" deleted');
    const marked = await getJson<Pod>(['pod', 'bound', '-n', 'sem']);
    expect(marked.metadata.deletionTimestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(marked.metadata.deletionGracePeriodSeconds).toBe(45);
    const row = await c.kubectl(['get', 'pod', 'bound', '-n', 'sem', '--no-headers']);
    expect(row.stdout.split(/\s+/)[2]).toBe('Terminating');

    const u = await c.kubectl(['delete', 'pod', 'unbound', '-n', 'sem', '--wait=false']);
    expect(u.stderr).toBe('');
    expect((await c.kubectl(['get', 'pod', 'unbound', '-n', 'sem'])).stderr.trim()).toBe('Error from server (NotFound): pods "unbound" not found');

    // what the node's kubelet would do: confirm with grace period 0
    const f = await c.kubectl(['delete', 'pod', 'bound', '-n', 'sem', '--grace-period=0', '--force']);
    expect(f.code).toBe(0);
    expect((await c.kubectl(['get', 'pod', 'bound', '-n', 'sem'])).stderr).toContain('NotFound');
  });
});

describe('field selectors', () => {
  it('spec.nodeName and status.phase for pods, involvedObject.* for events', async () => {
    await create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'fs-node' } });
    await create(pod('on-node', 'sem', {}, { nodeName: 'fs-node' }));
    await create(pod('nowhere', 'sem'));
    expect(await names(['pods', '-n', 'sem', '--field-selector', 'spec.nodeName=fs-node'])).toEqual(['on-node']);
    expect(await names(['pods', '-n', 'sem', '--field-selector', 'spec.nodeName=fs-node,status.phase=Pending'])).toEqual(['on-node']);
    expect(await names(['pods', '-n', 'sem', '--field-selector', 'spec.nodeName=fs-node,status.phase!=Pending'])).toEqual([]);
    expect(await names(['pods', '-n', 'sem', '--field-selector', 'metadata.name=nowhere,spec.nodeName='])).toEqual(['nowhere']);

    await create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'about-on-node', namespace: 'sem' },
      involvedObject: { kind: 'Pod', name: 'on-node', namespace: 'sem' },
      reason: 'Looked',
      message: 'looked at it',
      type: 'Normal',
    });
    expect(await names(['events', '-n', 'sem', '--field-selector', 'involvedObject.kind=Pod,involvedObject.name=on-node,reason=Looked'])).toEqual([
      'about-on-node',
    ]);
    const bad = await c.kubectl(['get', 'pods', '-n', 'sem', '--field-selector', 'spec.colour=blue']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('field label not supported: spec.colour');
  });
});

describe("kubectl's own generators", () => {
  // `kubectl create namespace` / `create service` send protobuf (application/vnd.kubernetes.protobuf).
  it('kubectl create namespace and kubectl create service clusterip work', async () => {
    const ns = await c.kubectl(['create', 'namespace', 'generated']);
    expect(ns.stderr).toBe('');
    expect(ns.stdout.trim()).toBe('namespace/generated created');
    const svc = await c.kubectl(['create', 'service', 'clusterip', 'gen', '-n', 'generated', '--tcp=80:8080']);
    expect(svc.stderr).toBe('');
    expect(svc.stdout.trim()).toBe('service/gen created');
    expect((await getJson<Service>(['svc', 'gen', '-n', 'generated'])).spec.ports?.[0]).toMatchObject({ port: 80, targetPort: 8080 });
  });
});

describe('subresources', () => {
  it('status is written through /status only; the main resource keeps it, and /status keeps the spec', async () => {
    await create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'status-node' } });
    const s = await c.kubectl([
      'patch', 'node', 'status-node', '--subresource=status', '--type', 'merge',
      '-p', '{"status":{"addresses":[{"type":"InternalIP","address":"127.10.9.9"}]},"spec":{"unschedulable":true}}',
    ]);
    expect(s.stderr).toBe('');
    expect(s.stdout.trim()).toBe('node/status-node patched');
    let node = await getJson<KubeObject & { spec?: { unschedulable?: boolean }; status?: { addresses?: unknown[] } }>(['node', 'status-node']);
    expect(node.status?.addresses).toEqual([{ type: 'InternalIP', address: '127.10.9.9' }]);
    expect(node.spec?.unschedulable).toBeUndefined();
    const wide = await c.kubectl(['get', 'node', 'status-node', '-o', 'wide', '--no-headers']);
    // (VERSION is empty for a node no kubelet runs: look for the INTERNAL-IP by value)
    expect(wide.stdout).toMatch(/\s127\.10\.9\.9\s+<none>\s/);

    const m = await c.kubectl(['patch', 'node', 'status-node', '--type', 'merge', '-p', '{"status":{"addresses":[]}}']);
    expect(m.stdout.trim()).toBe('node/status-node patched (no change)');
    node = await getJson(['node', 'status-node']);
    expect(node.status?.addresses).toEqual([{ type: 'InternalIP', address: '127.10.9.9' }]);
  });

  it('pods/binding refuses a Binding whose target is not a Node, and binds nothing', async () => {
    await create(pod('bad-bind', 'sem'));
    const binding = json({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bad-bind' }, target: { apiVersion: 'v1', kind: 'Pod', name: 'status-node' } });
    const r = await c.kubectl(['create', '--raw', '/api/v1/namespaces/sem/pods/bad-bind/binding', '-f', '-'], { input: binding });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('The Binding "bad-bind" is invalid: target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"');
    const p = await getJson<Pod>(['pod', 'bad-bind', '-n', 'sem']);
    expect(p.spec.nodeName).toBeUndefined();
  });

  it('pods/binding assigns a pod to a node once (kubectl create --raw)', async () => {
    await create(pod('to-bind', 'sem'));
    const binding = json({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'to-bind' }, target: { apiVersion: 'v1', kind: 'Node', name: 'status-node' } });
    const r = await c.kubectl(['create', '--raw', '/api/v1/namespaces/sem/pods/to-bind/binding', '-f', '-'], { input: binding });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'Status', status: 'Success', code: 201 });
    const p = await getJson<Pod>(['pod', 'to-bind', '-n', 'sem']);
    expect(p.spec.nodeName).toBe('status-node');
    expect(p.status?.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'PodScheduled', status: 'True' })]));
    const again = await c.kubectl(['create', '--raw', '/api/v1/namespaces/sem/pods/to-bind/binding', '-f', '-'], { input: binding });
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe('Error from server (Conflict): Operation cannot be fulfilled on pods/binding "to-bind": pod to-bind is already assigned to node "status-node"');
  });
});

describe('dry run', () => {
  it('--dry-run=server admits and defaults the object but stores nothing', async () => {
    const r = await c.kubectl(['create', '-f', '-', '--dry-run=server', '-o', 'json'], { input: json(service('dry', 'sem', { type: 'NodePort' })) });
    expect(r.stderr).toBe('');
    const svc = JSON.parse(r.stdout) as Service;
    expect(svc.spec.clusterIP).toMatch(/^127\./);
    expect(svc.spec.ports?.[0]?.nodePort).toBeGreaterThanOrEqual(30000);
    expect((await c.kubectl(['get', 'svc', 'dry', '-n', 'sem'])).stderr).toContain('NotFound');
    const bad = await c.kubectl(['create', '-f', '-', '--dry-run=server'], { input: json(service('dry', 'sem', { ports: [] })) });
    expect(bad.stderr.trim()).toBe('The Service "dry" is invalid: spec.ports: Required value');
  });
});

describe('more of kubectl get', () => {
  it('get all shows the pods, services and replication controllers of a namespace', async () => {
    await create(namespace('everything'));
    await create(pod('p', 'everything'));
    await create(service('s', 'everything'));
    await create(rc('r', 'everything', 0));
    const r = await c.kubectl(['get', 'all', '-n', 'everything', '-o', 'name']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n').sort()).toEqual(['pod/p', 'replicationcontroller/r', 'service/s']);
  });

  it('get NAME -w follows that one object only; get -l -w reports an object leaving the selector as DELETED', async () => {
    await create(namespace('watching'));
    await create({ ...service('target', 'watching'), metadata: { name: 'target', namespace: 'watching', labels: { tier: 'watched' } } });
    // (kubectl get NAME -w needs the object to exist when it starts)
    const one = c.kubectlProcess(['get', 'svc', 'target', '-n', 'watching', '-w', '--output-watch-events']);
    const sel = c.kubectlProcess(['get', 'svc', '-n', 'watching', '-l', 'tier=watched', '-w', '--output-watch-events']);
    let oneOut = '';
    let selOut = '';
    one.stdout!.setEncoding('utf8').on('data', (d: string) => (oneOut += d));
    sel.stdout!.setEncoding('utf8').on('data', (d: string) => (selOut += d));
    try {
      await waitFor('ADDED target (name watch)', () => /^ADDED\s+target\b/m.test(oneOut));
      await create({ ...service('bystander', 'watching'), metadata: { name: 'bystander', namespace: 'watching', labels: { tier: 'watched' } } });
      await waitFor('ADDED target and bystander (selector watch)', () => /^ADDED\s+target\b/m.test(selOut) && /^ADDED\s+bystander\b/m.test(selOut));
      expect((await c.kubectl(['label', 'svc', 'target', '-n', 'watching', 'tier=elsewhere', '--overwrite'])).code).toBe(0);
      await waitFor('DELETED target (selector watch)', () => /^DELETED\s+target\b/m.test(selOut));
      await waitFor('MODIFIED target (name watch)', () => /^MODIFIED\s+target\b/m.test(oneOut));
      expect((await c.kubectl(['label', 'svc', 'bystander', '-n', 'watching', 'seen=yes'])).code).toBe(0);
      await waitFor('MODIFIED bystander (selector watch)', () => /^MODIFIED\s+bystander\b/m.test(selOut));
      expect(oneOut).not.toContain('bystander');
      expect((selOut.match(/^\w+\s+target\b/gm) ?? []).map((l) => l.split(/\s+/)[0])).toEqual(['ADDED', 'DELETED']);
    } finally {
      one.kill('SIGKILL');
      sel.kill('SIGKILL');
    }
  });
});

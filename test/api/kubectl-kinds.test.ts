// Issue 2's "Done when", from a user's seat: the real kubectl against a `loopkube up --nodes 0`
// cluster runs create, get (table, -o wide/yaml/json, -l equality and set-based,
// --field-selector), label, annotate, apply (create, then update of the same file changed),
// describe, delete and get -w on every served kind. One table of kinds, one loop per verb.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { KubeList, KubeObject } from '../../src/api/types.js';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';

const NS = 'e2e-kinds';

interface KindCase {
  /** What kubectl is given (`pods`, `endpointslices`). */
  resource: string;
  /** How kubectl names one in its messages (`pod`, `endpointslice.discovery.k8s.io`). */
  printed: string;
  /** How the API names the resource in errors (`pods`, `endpointslices.discovery.k8s.io`). */
  qualified: string;
  namespaced: boolean;
  /** The columns of `kubectl get` and of `kubectl get -o wide`. */
  columns: string[];
  wideColumns: string[];
  /** The object, with labels; `rev` changes something in it that apply must carry over. */
  manifest(name: string, labels: Record<string, string>, rev: number): Record<string, unknown>;
  /** A jsonpath and what it reads for rev 1 and rev 2. */
  revPath: string;
  revValue(rev: number): string;
}

const meta = (name: string, labels: Record<string, string>, namespaced: boolean): Record<string, unknown> => ({
  name,
  labels,
  ...(namespaced ? { namespace: NS } : {}),
});

const KINDS: KindCase[] = [
  {
    resource: 'namespaces',
    printed: 'namespace',
    qualified: 'namespaces',
    namespaced: false,
    columns: ['NAME', 'STATUS', 'AGE'],
    wideColumns: ['NAME', 'STATUS', 'AGE'],
    manifest: (name, labels, rev) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { ...meta(name, labels, false), annotations: { rev: `r${rev}` } } }),
    revPath: '{.metadata.annotations.rev}',
    revValue: (rev) => `r${rev}`,
  },
  {
    resource: 'nodes',
    printed: 'node',
    qualified: 'nodes',
    namespaced: false,
    columns: ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
    wideColumns: ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'],
    // (a node's podCIDR and providerID may only be set once: the change is an annotation)
    manifest: (name, labels, rev) => ({ apiVersion: 'v1', kind: 'Node', metadata: { ...meta(name, labels, false), annotations: { rev: `r${rev}` } }, spec: {} }),
    revPath: '{.metadata.annotations.rev}',
    revValue: (rev) => `r${rev}`,
  },
  {
    resource: 'pods',
    printed: 'pod',
    qualified: 'pods',
    namespaced: true,
    columns: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
    wideColumns: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'],
    manifest: (name, labels, rev) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta(name, labels, true),
      // an image change is one of the few updates a pod allows
      spec: { containers: [{ name: 'app', image: `echo:${rev}`, ports: [{ containerPort: 8080 }] }] },
    }),
    revPath: '{.spec.containers[0].image}',
    revValue: (rev) => `echo:${rev}`,
  },
  {
    resource: 'services',
    printed: 'service',
    qualified: 'services',
    namespaced: true,
    columns: ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
    wideColumns: ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR'],
    manifest: (name, labels, rev) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(name, labels, true),
      spec: { selector: { app: name }, ports: [{ port: 80 + rev, targetPort: 8080 }] },
    }),
    revPath: '{.spec.ports[0].port}',
    revValue: (rev) => String(80 + rev),
  },
  {
    resource: 'endpoints',
    printed: 'endpoints',
    qualified: 'endpoints',
    namespaced: true,
    columns: ['NAME', 'ENDPOINTS', 'AGE'],
    wideColumns: ['NAME', 'ENDPOINTS', 'AGE'],
    manifest: (name, labels, rev) => ({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: meta(name, labels, true),
      // protocol given: subsets is an atomic list, so a defaulted field would make every apply a change
      subsets: [{ addresses: [{ ip: `127.98.0.${rev}` }], ports: [{ port: 8080, protocol: 'TCP' }] }],
    }),
    revPath: '{.subsets[0].addresses[0].ip}',
    revValue: (rev) => `127.98.0.${rev}`,
  },
  {
    resource: 'replicationcontrollers',
    printed: 'replicationcontroller',
    qualified: 'replicationcontrollers',
    namespaced: true,
    columns: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
    wideColumns: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
    manifest: (name, labels, rev) => ({
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: meta(name, labels, true),
      spec: {
        replicas: 0,
        selector: { rc: name },
        template: { metadata: { labels: { rc: name } }, spec: { containers: [{ name: 'app', image: `echo:${rev}` }] } },
      },
    }),
    revPath: '{.spec.template.spec.containers[0].image}',
    revValue: (rev) => `echo:${rev}`,
  },
  {
    resource: 'events',
    printed: 'event',
    qualified: 'events',
    namespaced: true,
    columns: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
    wideColumns: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT', 'NAME'],
    manifest: (name, labels, rev) => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: meta(name, labels, true),
      involvedObject: { kind: 'Pod', name: 'someone', namespace: NS },
      reason: 'Testing',
      // the name is in the message: the events table has no NAME column
      message: `message of ${name} rev ${rev}`,
      type: 'Normal',
      source: { component: 'e2e' },
    }),
    revPath: '{.message}',
    revValue: (rev) => `rev ${rev}`,
  },
  {
    resource: 'endpointslices',
    printed: 'endpointslice.discovery.k8s.io',
    qualified: 'endpointslices.discovery.k8s.io',
    namespaced: true,
    columns: ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'],
    wideColumns: ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'],
    manifest: (name, labels, rev) => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: meta(name, { ...labels, 'kubernetes.io/service-name': 'someone' }, true),
      addressType: 'IPv4',
      // conditions given: Go always writes the struct (`conditions: {}`), and kubectl replaces an
      // atomic list that differs from the live one, so without it a re-apply is "configured" (as upstream)
      endpoints: [{ addresses: [`127.97.0.${rev}`], conditions: { ready: true } }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    }),
    revPath: '{.endpoints[0].addresses[0]}',
    revValue: (rev) => `127.97.0.${rev}`,
  },
];

/** A cluster-unique name per kind and purpose (namespaces and nodes are cluster-scoped). */
const nameFor = (k: KindCase, purpose: string): string => `${k.printed.split('.')[0]}-${purpose}`;
const nsArgs = (k: KindCase): string[] => (k.namespaced ? ['-n', NS] : []);
const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;
const headerOf = (stdout: string): string => stdout.split('\n')[0] ?? '';
const rowsOf = (stdout: string): string[] => stdout.split('\n').slice(1).filter((l) => l.trim() !== '');

let c: TestCluster;

beforeAll(async () => {
  c = await startTestCluster({ nodes: 0 });
  const r = await c.kubectl(['create', '-f', '-'], { input: json({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }) });
  expect(r.stderr).toBe('');
});

afterAll(async () => {
  await c?.down();
});

describe.each(KINDS)('kubectl on $resource', (k) => {
  const name = nameFor(k, 'one');
  const labels = { suite: 'kinds', kind: k.resource, rev: '1' };

  it('create -f makes it; a second create is AlreadyExists in Kubernetes words', async () => {
    const r = await c.kubectl(['create', '-f', '-'], { input: json(k.manifest(name, labels, 1)) });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`${k.printed}/${name} created`);
    const again = await c.kubectl(['create', '-f', '-'], { input: json(k.manifest(name, labels, 1)) });
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe(`Error from server (AlreadyExists): error when creating "STDIN": ${k.qualified} "${name}" already exists`);
  });

  it('get prints the standard columns, and -o wide the wide ones', async () => {
    const r = await c.kubectl(['get', k.resource, ...nsArgs(k), '-l', `kind=${k.resource},suite=kinds`]);
    expect(r.stderr).toBe('');
    expect(headerOf(r.stdout).split(/\s{2,}/)).toEqual(k.columns);
    expect(rowsOf(r.stdout)).toHaveLength(1);
    if (k.resource !== 'events') expect(rowsOf(r.stdout)[0]!.split(/\s+/)[0]).toBe(name);
    else expect(rowsOf(r.stdout)[0]).toContain(`message of ${name}`);

    const wide = await c.kubectl(['get', k.resource, ...nsArgs(k), '-o', 'wide', '-l', `kind=${k.resource},suite=kinds`]);
    expect(wide.stderr).toBe('');
    expect(headerOf(wide.stdout).split(/\s{2,}/)).toEqual(k.wideColumns);
    expect(rowsOf(wide.stdout)).toHaveLength(1);
  });

  it('get NAME -o yaml and -o json print the stored object', async () => {
    for (const format of ['yaml', 'json']) {
      const r = await c.kubectl(['get', k.resource, name, ...nsArgs(k), '-o', format]);
      expect(r.stderr).toBe('');
      const obj = (format === 'yaml' ? parseYaml(r.stdout) : JSON.parse(r.stdout)) as KubeObject;
      expect(obj.metadata.name).toBe(name);
      expect(obj.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(Number(obj.metadata.resourceVersion)).toBeGreaterThan(0);
      expect(obj.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(obj.metadata.labels).toMatchObject(labels);
      if (k.namespaced) expect(obj.metadata.namespace).toBe(NS);
      else expect(obj.metadata.namespace).toBeUndefined();
    }
  });

  it('get -l selects with equality and set-based selectors', async () => {
    const names = async (selector: string): Promise<string[]> => {
      const r = await c.kubectl(['get', k.resource, ...nsArgs(k), '-l', selector, '-o', 'json']);
      expect(r.stderr).toBe('');
      return (JSON.parse(r.stdout) as KubeList).items.map((o) => o.metadata.name!);
    };
    expect(await names(`kind=${k.resource},suite==kinds`)).toEqual([name]);
    expect(await names(`kind=${k.resource},suite!=kinds`)).toEqual([]);
    expect(await names(`kind in (${k.resource},other),suite notin (nothing),rev`)).toEqual([name]);
    expect(await names(`kind in (${k.resource}),!rev`)).toEqual([]);
    expect(await names(`kind=${k.resource},suite in (else)`)).toEqual([]);
  });

  it('get --field-selector metadata.name selects by name', async () => {
    const hit = await c.kubectl(['get', k.resource, ...nsArgs(k), '--field-selector', `metadata.name=${name}`, '-o', 'name']);
    expect(hit.stderr).toBe('');
    expect(hit.stdout.trim()).toBe(`${k.printed}/${name}`);
    const miss = await c.kubectl(['get', k.resource, ...nsArgs(k), '--field-selector', `metadata.name=${name},metadata.name!=${name}`, '-o', 'name']);
    expect(miss.stdout.trim()).toBe('');
  });

  it('label and annotate change the object', async () => {
    const l = await c.kubectl(['label', k.resource, name, ...nsArgs(k), 'colour=blue']);
    expect(l.stderr).toBe('');
    expect(l.stdout.trim()).toBe(`${k.printed}/${name} labeled`);
    const a = await c.kubectl(['annotate', k.resource, name, ...nsArgs(k), 'note=hello world']);
    expect(a.stderr).toBe('');
    expect(a.stdout.trim()).toBe(`${k.printed}/${name} annotated`);
    const r = await c.kubectl(['get', k.resource, name, ...nsArgs(k), '-o', 'json']);
    const obj = JSON.parse(r.stdout) as KubeObject;
    expect(obj.metadata.labels?.colour).toBe('blue');
    expect(obj.metadata.annotations?.note).toBe('hello world');
    const shown = await c.kubectl(['get', k.resource, ...nsArgs(k), '-l', 'colour=blue', '-o', 'name']);
    expect(shown.stdout.trim().split('\n')).toContain(`${k.printed}/${name}`);
  });

  it('describe shows it', async () => {
    const r = await c.kubectl(['describe', k.resource, name, ...nsArgs(k)]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(new RegExp(`^Name:\\s+${name}$`, 'm'));
    if (k.namespaced) expect(r.stdout).toMatch(new RegExp(`^Namespace:\\s+${NS}$`, 'm'));
  });

  it('apply -f creates, then applies a change of the same file, then finds nothing to do', async () => {
    const applied = nameFor(k, 'applied');
    const l = { suite: 'kinds-apply', kind: k.resource };
    const first = await c.kubectl(['apply', '-f', '-'], { input: json(k.manifest(applied, l, 1)) });
    expect(first.stderr).toBe('');
    expect(first.stdout.trim()).toBe(`${k.printed}/${applied} created`);
    const read = async (): Promise<string> => (await c.kubectl(['get', k.resource, applied, ...nsArgs(k), '-o', `jsonpath=${k.revPath}`])).stdout;
    expect(await read()).toContain(k.revValue(1));

    const second = await c.kubectl(['apply', '-f', '-'], { input: json(k.manifest(applied, { ...l, extra: 'yes' }, 2)) });
    expect(second.stderr).toBe('');
    expect(second.stdout.trim()).toBe(`${k.printed}/${applied} configured`);
    expect(await read()).toContain(k.revValue(2));
    const labelsNow = JSON.parse((await c.kubectl(['get', k.resource, applied, ...nsArgs(k), '-o', 'jsonpath={.metadata.labels}'])).stdout) as Record<string, string>;
    expect(labelsNow).toMatchObject({ ...l, extra: 'yes' });

    const third = await c.kubectl(['apply', '-f', '-'], { input: json(k.manifest(applied, { ...l, extra: 'yes' }, 2)) });
    expect(third.stderr).toBe('');
    expect(third.stdout.trim()).toBe(`${k.printed}/${applied} unchanged`);
  });

  it('delete removes it; get is then NotFound in Kubernetes words', async () => {
    for (const n of [name, nameFor(k, 'applied')]) {
      const r = await c.kubectl(['delete', k.resource, n, ...nsArgs(k), '--timeout=60s']);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe(`${k.printed} "${n}" deleted`);
      const gone = await c.kubectl(['get', k.resource, n, ...nsArgs(k)]);
      expect(gone.code).toBe(1);
      expect(gone.stderr.trim()).toBe(`Error from server (NotFound): ${k.qualified} "${n}" not found`);
    }
    const again = await c.kubectl(['delete', k.resource, name, ...nsArgs(k)]);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe(`Error from server (NotFound): ${k.qualified} "${name}" not found`);
  });

  it('get -w prints ADDED, MODIFIED and DELETED as the object changes', async () => {
    const watched = nameFor(k, 'watched');
    const l = { suite: 'kinds-watch', kind: k.resource };
    const proc = c.kubectlProcess(['get', k.resource, ...nsArgs(k), '-w', '--output-watch-events', '-l', `suite=kinds-watch,kind=${k.resource}`]);
    let out = '';
    let err = '';
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    try {
      const line = (type: string): RegExp => new RegExp(`^${type}\\s.*\\b${watched}\\b`, 'm');
      const seen = (type: string) => waitFor(`${type} of ${watched} in kubectl get -w (stdout so far: ${JSON.stringify(out)}, stderr: ${JSON.stringify(err)})`, () => line(type).test(out));

      expect((await c.kubectl(['create', '-f', '-'], { input: json(k.manifest(watched, l, 1)) })).stderr).toBe('');
      await seen('ADDED');
      expect(out.split('\n')[0]!.split(/\s{2,}/)[0]).toBe('EVENT');
      expect((await c.kubectl(['annotate', k.resource, watched, ...nsArgs(k), 'touched=yes'])).stderr).toBe('');
      await seen('MODIFIED');
      expect((await c.kubectl(['delete', k.resource, watched, ...nsArgs(k), '--timeout=60s'])).stderr).toBe('');
      await seen('DELETED');
      expect(err).toBe('');
    } finally {
      proc.kill('SIGKILL');
    }
  });
});

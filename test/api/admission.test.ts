// Every admission rule of issue 2, as a kubectl user meets it: one row per rule, the object
// `kubectl create -f -` is given, and Kubernetes' own text as kubectl prints it. Rows that are
// accepted say what the stored object must look like. Allocation rules that need a sequence
// (a NodePort released on delete and on a type change) have their own tests below.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject, Service } from '../../src/api/types.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';

const NS = 'adm';
let c: TestCluster;
/** 127.X.0.0/16 of this cluster's services; the `kubernetes` service holds 127.X.0.1. */
let svcNet: string;

const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

const svc = (name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: NS, ...metadata },
  spec,
});
const pod = (name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NS, ...metadata },
  spec,
});
const container = (extra: Record<string, unknown> = {}) => ({ name: 'app', image: 'echo', ...extra });
const rc = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'ReplicationController', metadata: { name, namespace: NS }, spec });
const P80 = [{ port: 80 }];

const DNS1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const DNS1123_LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1123_SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_KEY_NAME =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const PORT_RANGE = 'must be between 1 and 65535, inclusive';

interface Row {
  rule: string;
  /** Built once the cluster's service network is known. */
  object: () => Record<string, unknown>;
  /** kubectl's stderr, exactly; or, for an accepted object, a check of what was stored. */
  refused?: string | (() => string);
  accepted?: (stored: KubeObject) => void;
}

const ROWS: Row[] = [
  // ---- names -----------------------------------------------------------------------------
  { rule: 'a Service name is a DNS-1035 label', object: () => svc('9web', { ports: P80 }), refused: `The Service "9web" is invalid: metadata.name: Invalid value: "9web": ${DNS1035}` },
  {
    rule: 'a Pod name is a DNS-1123 subdomain',
    object: () => pod('Web_1', { containers: [container()] }),
    refused: `The Pod "Web_1" is invalid: metadata.name: Invalid value: "Web_1": ${DNS1123_SUBDOMAIN}`,
  },
  {
    rule: 'a Namespace name is a DNS-1123 label',
    object: () => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'Team-A' } }),
    refused: `The Namespace "Team-A" is invalid: metadata.name: Invalid value: "Team-A": ${DNS1123_LABEL}`,
  },
  {
    rule: 'a Namespace name has no dots (a subdomain is not a label)',
    object: () => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team.a' } }),
    refused: 'The Namespace "team.a" is invalid: metadata.name: Invalid value: "team.a": must not contain dots',
  },
  {
    rule: 'a name is at most 63 characters for a Service',
    object: () => svc(`s${'x'.repeat(63)}`, { ports: P80 }),
    refused: `The Service "s${'x'.repeat(63)}" is invalid: metadata.name: Invalid value: "s${'x'.repeat(63)}": must be no more than 63 characters`,
  },
  {
    rule: 'generateName makes a name',
    object: () => svc('', { ports: P80 }, { name: undefined, generateName: 'gen-' }),
    accepted: (o) => expect(o.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/),
  },
  // ---- labels and selectors ------------------------------------------------------------
  {
    rule: 'a label key is a qualified name',
    object: () => pod('lk', { containers: [container()] }, { labels: { 'a b': 'c' } }),
    refused: `The Pod "lk" is invalid: metadata.labels: Invalid value: "a b": ${LABEL_KEY_NAME}`,
  },
  {
    rule: 'a label value is a valid label value',
    object: () => pod('lv', { containers: [container()] }, { labels: { a: 'c d' } }),
    refused: `The Pod "lv" is invalid: metadata.labels: Invalid value: "c d": ${LABEL_VALUE}`,
  },
  {
    rule: "a Service's selector keys are qualified names",
    object: () => svc('sel', { selector: { 'a b': 'c' }, ports: P80 }),
    refused: `The Service "sel" is invalid: spec.selector: Invalid value: "a b": ${LABEL_KEY_NAME}`,
  },
  {
    // (upstream checks the selector only for emptiness; the labels it is copied into are checked)
    rule: "a ReplicationController's template labels are valid, and its own labels default to them",
    object: () => rc('rcsel', { selector: { app: 'a b' }, template: { metadata: { labels: { app: 'a b' } }, spec: { containers: [container()] } } }),
    refused: `The ReplicationController "rcsel" is invalid: \n* metadata.labels: Invalid value: "a b": ${LABEL_VALUE}\n* spec.template.labels: Invalid value: "a b": ${LABEL_VALUE}`,
  },
  {
    rule: 'a ReplicationController has a selector (or template labels to default it from)',
    object: () => rc('rcnosel', { template: { spec: { containers: [container()] } } }),
    refused: 'The ReplicationController "rcnosel" is invalid: spec.selector: Required value',
  },
  // ---- Service: type and ports -------------------------------------------------------------
  {
    rule: 'a Service type is one of the four',
    object: () => svc('badtype', { type: 'Foo', ports: P80 }),
    refused: 'The Service "badtype" is invalid: spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
  },
  { rule: 'a Service has ports', object: () => svc('noports', {}), refused: 'The Service "noports" is invalid: spec.ports: Required value' },
  {
    rule: 'several ports are each named',
    object: () => svc('unnamed', { ports: [{ port: 80 }, { port: 81 }] }),
    refused: 'The Service "unnamed" is invalid: \n* spec.ports[0].name: Required value\n* spec.ports[1].name: Required value',
  },
  {
    rule: 'port names are unique',
    object: () => svc('dupname', { ports: [{ name: 'a', port: 80 }, { name: 'a', port: 81 }] }),
    refused: 'The Service "dupname" is invalid: spec.ports[1].name: Duplicate value: "a"',
  },
  {
    rule: 'a port and protocol appear once',
    object: () => svc('dupport', { ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80 }] }),
    refused:
      'The Service "dupport" is invalid: spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
  },
  {
    // targetPort defaults to port, so it is refused too
    rule: 'a port is 1-65535',
    object: () => svc('port0', { ports: [{ port: 0 }] }),
    refused: `The Service "port0" is invalid: \n* spec.ports[0].port: Invalid value: 0: ${PORT_RANGE}\n* spec.ports[0].targetPort: Invalid value: 0: ${PORT_RANGE}`,
  },
  {
    rule: 'a port is at most 65535',
    object: () => svc('portbig', { ports: [{ port: 65536, targetPort: 80 }] }),
    refused: `The Service "portbig" is invalid: spec.ports[0].port: Invalid value: 65536: ${PORT_RANGE}`,
  },
  {
    rule: 'only TCP is supported',
    object: () => svc('udp', { ports: [{ port: 53, protocol: 'UDP' }] }),
    refused: 'The Service "udp" is invalid: spec.ports[0].protocol: Unsupported value: "UDP": supported values: "TCP"',
  },
  {
    rule: 'a numeric targetPort is 1-65535',
    object: () => svc('tp', { ports: [{ port: 80, targetPort: 70000 }] }),
    refused: `The Service "tp" is invalid: spec.ports[0].targetPort: Invalid value: 70000: ${PORT_RANGE}`,
  },
  {
    rule: 'a named targetPort is an IANA service name',
    object: () => svc('tpname', { ports: [{ port: 80, targetPort: 'Bad_Name' }] }),
    refused: 'The Service "tpname" is invalid: spec.ports[0].targetPort: Invalid value: "Bad_Name": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
  },
  {
    rule: 'targetPort defaults to port, and may be a name',
    object: () => svc('tpdefault', { ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81, targetPort: 'http' }] }),
    accepted: (o) => expect((o as Service).spec.ports!.map((p) => p.targetPort)).toEqual([80, 'http']),
  },
  // ---- Service: session affinity and traffic policies ---------------------------------------
  {
    rule: 'sessionAffinity is None or ClientIP',
    object: () => svc('aff', { sessionAffinity: 'Sticky', ports: P80 }),
    refused: 'The Service "aff" is invalid: spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"',
  },
  {
    rule: 'the ClientIP affinity timeout is above 0',
    object: () => svc('afft0', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } }, ports: P80 }),
    refused: 'The Service "afft0" is invalid: spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400',
  },
  {
    rule: 'the ClientIP affinity timeout is at most 86400',
    object: () => svc('afftbig', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 86401 } }, ports: P80 }),
    refused: 'The Service "afftbig" is invalid: spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: must be greater than 0 and less than 86400',
  },
  {
    rule: 'the ClientIP affinity timeout defaults to 10800',
    object: () => svc('affdefault', { sessionAffinity: 'ClientIP', ports: P80 }),
    accepted: (o) => expect((o as Service).spec.sessionAffinityConfig).toEqual({ clientIP: { timeoutSeconds: 10800 } }),
  },
  {
    rule: 'externalTrafficPolicy only for NodePort and LoadBalancer',
    object: () => svc('etp', { externalTrafficPolicy: 'Local', ports: P80 }),
    refused: 'The Service "etp" is invalid: spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services',
  },
  {
    rule: 'externalTrafficPolicy is Cluster or Local',
    object: () => svc('etpval', { type: 'NodePort', externalTrafficPolicy: 'Nearby', ports: P80 }),
    refused: 'The Service "etpval" is invalid: spec.externalTrafficPolicy: Unsupported value: "Nearby": supported values: "Cluster", "Local"',
  },
  {
    rule: 'externalTrafficPolicy defaults to Cluster on a NodePort service',
    object: () => svc('etpdefault', { type: 'NodePort', ports: P80 }),
    accepted: (o) => expect((o as Service).spec.externalTrafficPolicy).toBe('Cluster'),
  },
  {
    rule: 'internalTrafficPolicy is Cluster or Local',
    object: () => svc('itp', { internalTrafficPolicy: 'Nearby', ports: P80 }),
    refused: 'The Service "itp" is invalid: spec.internalTrafficPolicy: Unsupported value: "Nearby": supported values: "Cluster", "Local"',
  },
  {
    rule: 'internalTrafficPolicy defaults to Cluster',
    object: () => svc('itpdefault', { ports: P80 }),
    accepted: (o) => expect((o as Service).spec.internalTrafficPolicy).toBe('Cluster'),
  },
  // ---- ClusterIP allocation ----------------------------------------------------------------------
  {
    rule: 'a ClusterIP is allocated from the service range',
    object: () => svc('ipauto', { ports: P80 }),
    accepted: (o) => {
      const s = (o as Service).spec;
      expect(s.clusterIP?.startsWith(`${svcNet}.`)).toBe(true);
      expect(s.clusterIPs).toEqual([s.clusterIP]);
    },
  },
  {
    rule: 'a chosen ClusterIP is honoured',
    object: () => svc('ipchosen', { clusterIP: `${svcNet}.0.77`, ports: P80 }),
    accepted: (o) => expect((o as Service).spec.clusterIP).toBe(`${svcNet}.0.77`),
  },
  {
    rule: 'a chosen ClusterIP that is taken is refused',
    object: () => svc('iptaken', { clusterIP: `${svcNet}.0.1`, ports: P80 }),
    refused: () => `The Service "iptaken" is invalid: spec.clusterIPs: Invalid value: []string{"${svcNet}.0.1"}: failed to allocate IP ${svcNet}.0.1: provided IP is already allocated`,
  },
  {
    rule: 'a chosen ClusterIP outside the range is refused',
    object: () => svc('iprange', { clusterIP: '10.0.0.1', ports: P80 }),
    refused: () =>
      `The Service "iprange" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.1"}: failed to allocate IP 10.0.0.1: provided IP is not in the valid range. The range of valid IPs is ${svcNet}.0.0/16`,
  },
  {
    rule: 'clusterIP None makes a headless service',
    object: () => svc('headless', { clusterIP: 'None', ports: P80 }),
    accepted: (o) => expect((o as Service).spec.clusterIPs).toEqual(['None']),
  },
  // ---- NodePort allocation -----------------------------------------------------------------------
  {
    rule: 'a NodePort is allocated from 30000-32767',
    object: () => svc('npauto', { type: 'NodePort', ports: P80 }),
    accepted: (o) => {
      const np = (o as Service).spec.ports![0]!.nodePort!;
      expect(np).toBeGreaterThanOrEqual(30000);
      expect(np).toBeLessThanOrEqual(32767);
    },
  },
  {
    rule: 'a chosen NodePort outside the range is refused',
    object: () => svc('nprange', { type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] }),
    refused: 'The Service "nprange" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767',
  },
  {
    rule: 'a nodePort on a ClusterIP service is forbidden',
    object: () => svc('npcip', { ports: [{ port: 80, nodePort: 30001 }] }),
    refused: "The Service \"npcip\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
  },
  // ---- LoadBalancer and healthCheckNodePort ------------------------------------------------------
  {
    rule: 'a LoadBalancer service is accepted with an empty status (EXTERNAL-IP <pending>)',
    object: () => svc('lb', { type: 'LoadBalancer', ports: P80 }),
    accepted: (o) => {
      expect((o as Service).status).toEqual({ loadBalancer: {} });
      expect((o as Service).spec.ports![0]!.nodePort).toBeGreaterThanOrEqual(30000);
    },
  },
  {
    rule: 'a LoadBalancer with externalTrafficPolicy Local gets a healthCheckNodePort',
    object: () => svc('lblocal', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: P80 }),
    accepted: (o) => {
      const s = (o as Service).spec;
      expect(s.healthCheckNodePort).toBeGreaterThanOrEqual(30000);
      expect(s.healthCheckNodePort).toBeLessThanOrEqual(32767);
      expect(s.healthCheckNodePort).not.toBe(s.ports![0]!.nodePort);
    },
  },
  {
    rule: 'healthCheckNodePort only for LoadBalancer with externalTrafficPolicy Local',
    object: () => svc('hcnp', { type: 'NodePort', healthCheckNodePort: 31000, ports: P80 }),
    refused: "The Service \"hcnp\" is invalid: spec.healthCheckNodePort: Invalid value: 31000: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
  },
  // ---- Pod ---------------------------------------------------------------------------------------
  { rule: 'a Pod has containers', object: () => pod('nocont', { containers: [] }), refused: 'The Pod "nocont" is invalid: spec.containers: Required value' },
  {
    rule: 'a container name is a DNS-1123 label',
    object: () => pod('cname', { containers: [container({ name: 'App_1' })] }),
    refused: `The Pod "cname" is invalid: spec.containers[0].name: Invalid value: "App_1": ${DNS1123_LABEL}`,
  },
  {
    rule: 'container names are unique',
    object: () => pod('cdup', { containers: [container(), container()] }),
    refused: 'The Pod "cdup" is invalid: spec.containers[1].name: Duplicate value: "app"',
  },
  { rule: 'a container has an image', object: () => pod('noimage', { containers: [{ name: 'app' }] }), refused: 'The Pod "noimage" is invalid: spec.containers[0].image: Required value' },
  {
    rule: 'no port is used twice within a container',
    object: () => pod('dupcp', { containers: [container({ ports: [{ containerPort: 8080 }, { containerPort: 8080 }] })] }),
    refused: 'The Pod "dupcp" is invalid: spec.containers[0].ports[1]: Duplicate value: "8080/TCP": duplicate port definition with spec.containers[0].ports[0]',
  },
  {
    rule: 'no port is used twice within a pod',
    object: () => pod('dupcp2', { containers: [container({ ports: [{ containerPort: 8080 }] }), container({ name: 'side', ports: [{ containerPort: 8080 }] })] }),
    refused: 'The Pod "dupcp2" is invalid: spec.containers[1].ports[0]: Duplicate value: "8080/TCP": duplicate port definition with spec.containers[0].ports[0]',
  },
  {
    rule: 'a containerPort is 1-65535',
    object: () => pod('cp0', { containers: [container({ ports: [{ containerPort: 0 }] })] }),
    refused: `The Pod "cp0" is invalid: spec.containers[0].ports[0].containerPort: Required value`,
  },
  {
    rule: 'a request is at most its limit',
    object: () => pod('reqlim', { containers: [container({ resources: { limits: { cpu: '100m' }, requests: { cpu: '200m' } } })] }),
    refused: 'The Pod "reqlim" is invalid: spec.containers[0].resources.requests: Invalid value: "200m": must be less than or equal to cpu limit of 100m',
  },
  {
    rule: 'a quantity is well formed (a decoding error, 400)',
    object: () => pod('qty', { containers: [container({ resources: { requests: { cpu: 'lots' } } })] }),
    refused:
      'Error from server (BadRequest): error when creating "STDIN": Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'',
  },
  {
    rule: 'a resource quantity is not negative',
    object: () => pod('negreq', { containers: [container({ resources: { requests: { memory: '-1' } } })] }),
    refused: 'The Pod "negreq" is invalid: spec.containers[0].resources.requests[memory]: Invalid value: "-1": must be greater than or equal to 0',
  },
  // ---- ReplicationController ---------------------------------------------------------------------
  {
    rule: "a ReplicationController's selector matches its template's labels",
    object: () => rc('rcmismatch', { selector: { app: 'a' }, template: { metadata: { labels: { app: 'b' } }, spec: { containers: [container()] } } }),
    refused: 'The ReplicationController "rcmismatch" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`',
  },
  {
    rule: 'a ReplicationController has no negative replicas',
    object: () => rc('rcneg', { replicas: -1, selector: { app: 'a' }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: [container()] } } }),
    refused: 'The ReplicationController "rcneg" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
  },
  {
    rule: "a ReplicationController's selector defaults to its template's labels",
    object: () => rc('rcdefault', { replicas: 0, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [container()] } } }),
    accepted: (o) => expect((o as KubeObject & { spec: { selector: unknown } }).spec.selector).toEqual({ app: 'd' }),
  },
];

beforeAll(async () => {
  c = await startTestCluster({ nodes: 0 });
  svcNet = c.config.serviceCIDR.split('.').slice(0, 2).join('.');
  const r = await c.kubectl(['create', '-f', '-'], { input: json({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }) });
  expect(r.stderr).toBe('');
});

afterAll(async () => {
  await c?.down();
});

describe('admission, as kubectl prints it', () => {
  it.each(ROWS)('$rule', async (row) => {
    const obj = row.object();
    const r = await c.kubectl(['create', '-f', '-', '-o', 'json'], { input: json(obj) });
    if (row.refused !== undefined) {
      const want = typeof row.refused === 'function' ? row.refused() : row.refused;
      expect(r.stderr.trim()).toBe(want);
      expect(r.code).toBe(1);
    } else {
      expect(r.stderr).toBe('');
      row.accepted!(JSON.parse(r.stdout) as KubeObject);
    }
  });

  it('a refused object changes nothing', async () => {
    const before = await c.kubectl(['get', 'services', '-n', NS, '-o', 'jsonpath={.items[*].metadata.name}']);
    const r = await c.kubectl(['create', '-f', '-'], { input: json(svc('never', { ports: [{ port: 0 }] })) });
    expect(r.code).toBe(1);
    const after = await c.kubectl(['get', 'services', '-n', NS, '-o', 'jsonpath={.items[*].metadata.name}']);
    expect(after.stdout).toBe(before.stdout);
  });
});

describe('NodePort allocation over time', () => {
  const nodePortSvc = (name: string, nodePort: number) => svc(name, { type: 'NodePort', ports: [{ port: 80, nodePort }] });

  it('a taken NodePort is refused; it is released when its service is deleted', async () => {
    expect((await c.kubectl(['create', '-f', '-'], { input: json(nodePortSvc('np-first', 30777)) })).stderr).toBe('');
    const taken = await c.kubectl(['create', '-f', '-'], { input: json(nodePortSvc('np-second', 30777)) });
    expect(taken.stderr.trim()).toBe('The Service "np-second" is invalid: spec.ports[0].nodePort: Invalid value: 30777: provided port is already allocated');
    expect((await c.kubectl(['delete', 'service', 'np-first', '-n', NS])).code).toBe(0);
    const again = await c.kubectl(['create', '-f', '-'], { input: json(nodePortSvc('np-second', 30777)) });
    expect(again.stderr).toBe('');
  });

  it('a NodePort is released when its service changes to ClusterIP', async () => {
    expect((await c.kubectl(['create', '-f', '-'], { input: json(nodePortSvc('np-typed', 30778)) })).stderr).toBe('');
    const p = await c.kubectl(['patch', 'service', 'np-typed', '-n', NS, '--type', 'merge', '-p', '{"spec":{"type":"ClusterIP"}}']);
    expect(p.stderr).toBe('');
    const s = JSON.parse((await c.kubectl(['get', 'service', 'np-typed', '-n', NS, '-o', 'json'])).stdout) as Service;
    expect(s.spec.type).toBe('ClusterIP');
    expect(s.spec.ports![0]!.nodePort).toBeUndefined();
    const other = await c.kubectl(['create', '-f', '-'], { input: json(nodePortSvc('np-taker', 30778)) });
    expect(other.stderr).toBe('');
  });

  it('a ClusterIP is released when its service is deleted', async () => {
    const ip = `${svcNet}.0.99`;
    expect((await c.kubectl(['create', '-f', '-'], { input: json(svc('ip-first', { clusterIP: ip, ports: P80 })) })).stderr).toBe('');
    expect((await c.kubectl(['delete', 'service', 'ip-first', '-n', NS])).code).toBe(0);
    expect((await c.kubectl(['create', '-f', '-'], { input: json(svc('ip-second', { clusterIP: ip, ports: P80 })) })).stderr).toBe('');
  });

  it('kubectl get shows a LoadBalancer service, EXTERNAL-IP <pending> until a controller assigns one', async () => {
    const r = await c.kubectl(['get', 'service', 'lb', '-n', NS, '--no-headers']);
    expect(r.stderr).toBe('');
    const cols = r.stdout.trim().split(/\s+/);
    expect(cols[1]).toBe('LoadBalancer');
    // issue 2 leaves the IP to a later controller; when one runs, it is from the cluster's pool
    if (cols[3] !== '<pending>') expect(cols[3]!.startsWith(c.config.loadBalancerPool.split('.').slice(0, 3).join('.'))).toBe(true);
  });
});

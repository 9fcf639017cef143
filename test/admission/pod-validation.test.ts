// Pod admission rules, each refused with the exact Status kube-apiserver answers.
import { describe, expect, it } from 'vitest';
import type { Binding, KubeObject, Pod } from '../../src/api/types.js';
import { errorMessage } from '../../src/admission/field-errors.js';
import { validateBinding } from '../../src/kinds/pod/binding.js';
import { QUANTITY_FORMAT_ERROR } from '../../src/api/quantity.js';
import { LABEL_KEY_NAME, LABEL_VALUE, RFC1123_LABEL, RFC1123_SUBDOMAIN, cluster, expectRefused, infoFor, pod } from './helpers.js';
import type { Expected } from './helpers.js';

const POD = 'Pod "web" is invalid: ';
const C0 = 'spec.containers[0]';

interface Row extends Expected {
  rule: string;
  object: KubeObject;
}

const one = (field: string, body: string): Pick<Row, 'message' | 'fields'> => ({ message: `${POD}${field}: ${body}`, fields: [field] });

const createRows: Row[] = [
  { rule: 'pod names are DNS subdomains', object: pod((o) => (o.metadata.name = 'Web_1')), message: `Pod "Web_1" is invalid: metadata.name: Invalid value: "Web_1": ${RFC1123_SUBDOMAIN}`, fields: ['metadata.name'] },
  { rule: 'a generateName is a valid name prefix', object: pod((o) => (o.metadata.generateName = 'Web-')), ...one('metadata.generateName', `Invalid value: "Web-": ${RFC1123_SUBDOMAIN}`) },
  { rule: 'namespaces are RFC 1123 labels', object: pod((o) => (o.metadata.namespace = 'Team_A')), ...one('metadata.namespace', `Invalid value: "Team_A": ${RFC1123_LABEL}`) },
  { rule: 'label values are valid', object: pod((o) => (o.metadata.labels = { app: '-web' })), ...one('metadata.labels', `Invalid value: "-web": ${LABEL_VALUE}`) },
  { rule: 'label names are valid', object: pod((o) => (o.metadata.labels = { 'app!': 'web' })), ...one('metadata.labels', `Invalid value: "app!": ${LABEL_KEY_NAME}`) },
  { rule: 'finalizers without a domain are standard ones', object: pod((o) => (o.metadata.finalizers = ['custom'])), ...one('metadata.finalizers[0]', 'Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified') },
  {
    rule: 'owner references name their owner fully',
    object: pod((o) => (o.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'ReplicationController', name: 'web', uid: '' }])),
    ...one('metadata.ownerReferences.uid', 'Invalid value: "": must not be empty'),
  },
  { rule: 'containers are required', object: pod((o) => (o.spec.containers = [])), ...one('spec.containers', 'Required value') },
  { rule: 'containers are named', object: pod((o) => delete o.spec.containers[0].name), ...one(`${C0}.name`, 'Required value') },
  { rule: 'container names are RFC 1123 labels', object: pod((o) => (o.spec.containers[0].name = 'App')), ...one(`${C0}.name`, `Invalid value: "App": ${RFC1123_LABEL}`) },
  { rule: 'container names have no dots', object: pod((o) => (o.spec.containers[0].name = 'app.v1')), ...one(`${C0}.name`, 'Invalid value: "app.v1": must not contain dots') },
  {
    rule: 'container names are unique',
    object: pod((o) => o.spec.containers.push({ name: 'app', image: 'loopkube/echo:1' })),
    ...one('spec.containers[1].name', 'Duplicate value: "app"'),
  },
  { rule: 'an image is required', object: pod((o) => delete o.spec.containers[0].image), ...one(`${C0}.image`, 'Required value') },
  { rule: 'an image has no surrounding whitespace', object: pod((o) => (o.spec.containers[0].image = ' nginx:1')), ...one(`${C0}.image`, 'Invalid value: " nginx:1": must not have leading or trailing whitespace') },
  { rule: 'containerPort is required', object: pod((o) => (o.spec.containers[0].ports = [{ name: 'http' }])), ...one(`${C0}.ports[0].containerPort`, 'Required value') },
  { rule: 'containerPort is 1-65535', object: pod((o) => (o.spec.containers[0].ports[0].containerPort = 70000)), ...one(`${C0}.ports[0].containerPort`, 'Invalid value: 70000: must be between 1 and 65535, inclusive') },
  { rule: 'hostPort is 1-65535', object: pod((o) => (o.spec.containers[0].ports[0].hostPort = 70000)), ...one(`${C0}.ports[0].hostPort`, 'Invalid value: 70000: must be between 1 and 65535, inclusive') },
  { rule: 'container ports are TCP in loopkube', object: pod((o) => (o.spec.containers[0].ports[0].protocol = 'UDP')), ...one(`${C0}.ports[0].protocol`, 'Unsupported value: "UDP": supported values: "TCP"') },
  { rule: 'port names are IANA_SVC_NAMEs', object: pod((o) => (o.spec.containers[0].ports[0].name = 'http-')), ...one(`${C0}.ports[0].name`, 'Invalid value: "http-": must not begin or end with a hyphen') },
  {
    rule: 'port names are unique within a container',
    object: pod((o) => (o.spec.containers[0].ports = [{ name: 'http', containerPort: 8080 }, { name: 'http', containerPort: 8081 }])),
    ...one(`${C0}.ports[1].name`, 'Duplicate value: "http"'),
  },
  {
    rule: 'two containers may not expose the same port',
    object: pod((o) => o.spec.containers.push({ name: 'sidecar', image: 'loopkube/echo:1', ports: [{ containerPort: 8080 }] })),
    ...one('spec.containers[1].ports[0]', 'Duplicate value: "8080/TCP": duplicate port definition with spec.containers[0].ports[0]'),
  },
  {
    rule: 'a container may not expose a port twice',
    object: pod((o) => o.spec.containers[0].ports.push({ name: 'again', containerPort: 8080 })),
    ...one(`${C0}.ports[1]`, 'Duplicate value: "8080/TCP": duplicate port definition with spec.containers[0].ports[0]'),
  },
  {
    rule: 'host ports are unique within a pod',
    object: pod((o) => {
      o.spec.containers[0].ports[0].hostPort = 9000;
      o.spec.containers.push({ name: 'sidecar', image: 'loopkube/echo:1', ports: [{ containerPort: 8081, hostPort: 9000 }] });
    }),
    ...one('spec.containers[1].ports[0].hostPort', 'Duplicate value: "TCP//9000"'),
  },
  {
    rule: 'environment variable names have no =',
    object: pod((o) => (o.spec.containers[0].env = [{ name: 'A=B', value: '1' }])),
    ...one(`${C0}.env[0].name`, "Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='"),
  },
  { rule: 'environment variables are named', object: pod((o) => (o.spec.containers[0].env = [{ value: '1' }])), ...one(`${C0}.env[0].name`, 'Required value') },
  {
    rule: 'imagePullPolicy is one of three',
    object: pod((o) => (o.spec.containers[0].imagePullPolicy = 'Sometimes')),
    ...one(`${C0}.imagePullPolicy`, 'Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"'),
  },
  {
    rule: 'terminationMessagePolicy is File or FallbackToLogsOnError',
    object: pod((o) => (o.spec.containers[0].terminationMessagePolicy = 'Logs')),
    ...one(`${C0}.terminationMessagePolicy`, 'Unsupported value: "Logs": supported values: "File", "FallbackToLogsOnError"'),
  },
  {
    rule: 'restartPolicy is Always, OnFailure or Never',
    object: pod((o) => (o.spec.restartPolicy = 'Sometimes')),
    ...one('spec.restartPolicy', 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'),
  },
  {
    rule: 'dnsPolicy is one of four',
    object: pod((o) => (o.spec.dnsPolicy = 'Google')),
    ...one('spec.dnsPolicy', 'Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"'),
  },
  {
    rule: 'requests are at most the limits',
    object: pod((o) => (o.spec.containers[0].resources = { requests: { cpu: '1' }, limits: { cpu: '500m' } })),
    ...one(`${C0}.resources.requests`, 'Invalid value: "1": must be less than or equal to cpu limit of 500m'),
  },
  {
    rule: 'quantities are not negative',
    object: pod((o) => (o.spec.containers[0].resources = { requests: { memory: '-64Mi' } })),
    ...one(`${C0}.resources.requests[memory]`, 'Invalid value: "-64Mi": must be greater than or equal to 0'),
  },
  {
    rule: 'resource names are standard or fully qualified',
    object: pod((o) => (o.spec.containers[0].resources = { requests: { gpu: '1' } })),
    message: `${POD}[${C0}.resources.requests[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified, ${C0}.resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers]`,
    fields: [`${C0}.resources.requests[gpu]`, `${C0}.resources.requests[gpu]`],
  },
  {
    rule: 'extended resources need a limit',
    object: pod((o) => (o.spec.containers[0].resources = { requests: { 'example.com/gpu': '1' } })),
    ...one(`${C0}.resources.limits`, 'Required value: Limit must be set for non overcommitable resources'),
  },
  {
    rule: 'extended resources are whole numbers',
    object: pod((o) => (o.spec.containers[0].resources = { limits: { 'example.com/gpu': '500m' } })),
    message: `${POD}[${C0}.resources.limits[example.com/gpu]: Invalid value: 500m: must be an integer, ${C0}.resources.requests[example.com/gpu]: Invalid value: 500m: must be an integer]`,
    fields: [`${C0}.resources.limits[example.com/gpu]`, `${C0}.resources.requests[example.com/gpu]`],
  },
  {
    rule: 'a malformed quantity cannot be decoded (400)',
    object: pod((o) => (o.spec.containers[0].resources = { limits: { cpu: 'lots' } })),
    code: 400,
    reason: 'BadRequest',
    message: `Pod in version "v1" cannot be handled as a Pod: ${QUANTITY_FORMAT_ERROR}`,
  },
  { rule: 'a probe has a handler', object: pod((o) => (o.spec.containers[0].readinessProbe = { periodSeconds: 5 })), ...one(`${C0}.readinessProbe`, 'Required value: must specify a handler type') },
  { rule: 'a lifecycle hook has a handler', object: pod((o) => (o.spec.containers[0].lifecycle = { preStop: {} })), ...one(`${C0}.lifecycle.preStop`, 'Required value: must specify a handler type') },
  {
    rule: 'a lifecycle hook has one handler',
    object: pod((o) => (o.spec.containers[0].lifecycle = { preStop: { exec: { command: ['sleep', '5'] }, sleep: { seconds: 5 } } })),
    ...one(`${C0}.lifecycle.preStop.sleep`, 'Forbidden: may not specify more than 1 handler type'),
  },
  {
    rule: "a preStop sleep fits in the pod's grace period (KEP-3960)",
    object: pod((o) => {
      o.spec.terminationGracePeriodSeconds = 10;
      o.spec.containers[0].lifecycle = { preStop: { sleep: { seconds: 15 } } };
    }),
    ...one(`${C0}.lifecycle.preStop.sleep`, 'Invalid value: 15: must be greater than 0 and less than terminationGracePeriodSeconds (10). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.'),
  },
  { rule: 'an exec hook has a command', object: pod((o) => (o.spec.containers[0].lifecycle = { postStart: { exec: {} } })), ...one(`${C0}.lifecycle.postStart.exec.command`, 'Required value') },
  {
    rule: 'a probe has one handler',
    object: pod((o) => (o.spec.containers[0].livenessProbe = { httpGet: { port: 8080 }, tcpSocket: { port: 8080 } })),
    ...one(`${C0}.livenessProbe.tcpSocket`, 'Forbidden: may not specify more than 1 handler type'),
  },
  {
    rule: "a probe's port is 1-65535 or a port name",
    object: pod((o) => (o.spec.containers[0].readinessProbe = { httpGet: { port: 0 } })),
    ...one(`${C0}.readinessProbe.httpGet.port`, 'Invalid value: 0: must be between 1 and 65535, inclusive'),
  },
  {
    rule: "a probe's scheme is HTTP or HTTPS",
    object: pod((o) => (o.spec.containers[0].readinessProbe = { httpGet: { port: 8080, scheme: 'TCP' } })),
    ...one(`${C0}.readinessProbe.httpGet.scheme`, 'Unsupported value: "TCP": supported values: "HTTP", "HTTPS"'),
  },
  { rule: 'an exec probe has a command', object: pod((o) => (o.spec.containers[0].livenessProbe = { exec: {} })), ...one(`${C0}.livenessProbe.exec.command`, 'Required value') },
  {
    rule: 'liveness probes succeed once',
    object: pod((o) => (o.spec.containers[0].livenessProbe = { tcpSocket: { port: 8080 }, successThreshold: 2 })),
    ...one(`${C0}.livenessProbe.successThreshold`, 'Invalid value: 2: must be 1'),
  },
  {
    rule: 'probe timings are not negative',
    object: pod((o) => (o.spec.containers[0].readinessProbe = { tcpSocket: { port: 8080 }, initialDelaySeconds: -1 })),
    ...one(`${C0}.readinessProbe.initialDelaySeconds`, 'Invalid value: -1: must be greater than or equal to 0'),
  },
  {
    rule: 'readiness probes have no terminationGracePeriodSeconds',
    object: pod((o) => (o.spec.containers[0].readinessProbe = { tcpSocket: { port: 8080 }, terminationGracePeriodSeconds: 10 })),
    ...one(`${C0}.readinessProbe.terminationGracePeriodSeconds`, 'Invalid value: 10: must not be set for readinessProbes'),
  },
  { rule: 'nodeSelector is a set of labels', object: pod((o) => (o.spec.nodeSelector = { disk: 'fast ssd' })), ...one('spec.nodeSelector', `Invalid value: "fast ssd": ${LABEL_VALUE}`) },
  { rule: 'nodeName is a node name', object: pod((o) => (o.spec.nodeName = 'Node_1')), ...one('spec.nodeName', `Invalid value: "Node_1": ${RFC1123_SUBDOMAIN}`) },
  { rule: 'activeDeadlineSeconds is positive', object: pod((o) => (o.spec.activeDeadlineSeconds = 0)), ...one('spec.activeDeadlineSeconds', 'Invalid value: 0: must be between 1 and 2147483647, inclusive') },
  {
    rule: 'an Exists toleration has no value',
    object: pod((o) => (o.spec.tolerations = [{ key: 'dedicated', operator: 'Exists', value: 'x' }])),
    ...one('spec.tolerations[0].operator', "Invalid value: \"x\": value must be empty when `operator` is 'Exists'"),
  },
  {
    rule: 'a toleration effect is a taint effect',
    object: pod((o) => (o.spec.tolerations = [{ key: 'dedicated', operator: 'Exists', effect: 'NoRun' }])),
    ...one('spec.tolerations[0].effect', 'Unsupported value: "NoRun": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'),
  },
  {
    rule: 'regular containers have no restartPolicy',
    object: pod((o) => (o.spec.containers[0].restartPolicy = 'Always')),
    ...one(`${C0}.restartPolicy`, 'Forbidden: may not be set for non-init containers'),
  },
  {
    rule: "an init container's restartPolicy is Always",
    object: pod((o) => (o.spec.initContainers = [{ name: 'init', image: 'busybox:1', restartPolicy: 'OnFailure' }])),
    ...one('spec.initContainers[0].restartPolicy', 'Unsupported value: "OnFailure": supported values: "Always"'),
  },
  {
    rule: 'plain init containers have no probes',
    object: pod((o) => (o.spec.initContainers = [{ name: 'init', image: 'busybox:1', readinessProbe: { tcpSocket: { port: 1 } } }])),
    ...one('spec.initContainers[0].readinessProbe', 'Forbidden: may not be set for init containers without restartPolicy=Always'),
  },
  {
    rule: 'init container names differ from the regular ones',
    object: pod((o) => (o.spec.initContainers = [{ name: 'app', image: 'busybox:1' }])),
    ...one('spec.initContainers[0].name', 'Duplicate value: "app"'),
  },
  {
    rule: 'an unknown PriorityClass is refused (403)',
    object: pod((o) => (o.spec.priorityClassName = 'gold')),
    code: 403,
    reason: 'Forbidden',
    message: 'pods "web" is forbidden: no PriorityClass with name gold was found',
  },
  {
    rule: 'the priority number comes from the PriorityClass (403)',
    object: pod((o) => (o.spec.priority = 1000)),
    code: 403,
    reason: 'Forbidden',
    message: 'pods "web" is forbidden: the integer value of priority (1000) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name',
  },
];

describe('pod create: each rule', () => {
  for (const row of createRows) {
    it(row.rule, async () => {
      await expectRefused(cluster().create(row.object), row);
    });
  }
});

const UPDATABLE =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

interface UpdateRow extends Expected {
  rule: string;
  change: (p: Pod) => void;
  subresource?: '' | 'status';
}

const updateRows: UpdateRow[] = [
  {
    rule: 'most of the pod spec is immutable',
    change: (p) => (p.spec.containers[0]!.ports![0]!.containerPort = 8081),
    messagePrefix: `${POD}spec: Forbidden: ${UPDATABLE}\n`,
    fields: ['spec'],
  },
  {
    rule: 'containers may not be added',
    change: (p) => p.spec.containers.push({ name: 'sidecar', image: 'busybox:1' }),
    ...one('spec.containers', 'Forbidden: pod updates may not add or remove containers'),
  },
  {
    rule: 'activeDeadlineSeconds may only go down',
    change: (p) => ((p.spec as Pod['spec'] & { activeDeadlineSeconds: number }).activeDeadlineSeconds = 600),
    ...one('spec.activeDeadlineSeconds', 'Invalid value: 600: must be less than or equal to previous value'),
  },
  {
    rule: 'existing tolerations may not change',
    change: (p) => (p.spec.tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'b', effect: 'NoSchedule' }]),
    ...one('spec.tolerations', 'Forbidden: existing toleration can not be modified except its tolerationSeconds'),
  },
  {
    rule: 'metadata.name is immutable',
    change: (p) => (p.metadata.name = 'web-2'),
    message: 'Pod "web-2" is invalid: metadata.name: Invalid value: "web-2": field is immutable',
    fields: ['metadata.name'],
  },
  {
    rule: 'status: pod IPs are IP addresses',
    subresource: 'status',
    change: (p) => (p.status = { phase: 'Running', podIP: 'abc' }),
    ...one('status.podIPs[0]', 'Invalid value: "abc": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'),
  },
  {
    rule: 'status: one pod IP per family',
    subresource: 'status',
    change: (p) => (p.status = { phase: 'Running', podIPs: [{ ip: '127.244.1.5' }, { ip: '127.244.1.6' }] }),
    ...one('status.podIPs', 'Invalid value: []core.PodIP{core.PodIP{IP:"127.244.1.5"}, core.PodIP{IP:"127.244.1.6"}}: may specify no more than one IP for each IP family'),
  },
  {
    rule: 'status: hostIPs[0] is hostIP',
    subresource: 'status',
    change: (p) => (p.status = { phase: 'Running', hostIP: '127.10.0.1', hostIPs: [{ ip: '127.10.0.2' }] }),
    ...one('status.hostIPs[0].ip', 'Invalid value: "127.10.0.2": must be equal to `hostIP`'),
  },
  {
    rule: 'status: custom condition types are qualified names',
    subresource: 'status',
    change: (p) => (p.status = { phase: 'Pending', conditions: [{ type: 'my condition', status: 'True' }] }),
    ...one('metadata.conditions[0].Type', `Invalid value: "my condition": ${LABEL_KEY_NAME}`),
  },
];

describe('pod update: each rule', () => {
  for (const row of updateRows) {
    it(row.rule, async () => {
      const c = cluster();
      const stored = (await c.create(
        pod((o) => {
          o.spec.activeDeadlineSeconds = 300;
          o.spec.tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'a', effect: 'NoSchedule' }];
        }),
      )) as Pod;
      const next = structuredClone(stored);
      row.change(next);
      await expectRefused(c.update(next, stored, row.subresource ?? ''), row);
    });
  }

  it('status: a container that does not restart may not come back from terminated', async () => {
    const c = cluster();
    const stored = (await c.create(pod((o) => (o.spec.restartPolicy = 'Never')))) as Pod;
    const terminated = { name: 'app', ready: false, restartCount: 0, image: 'x', imageID: '', state: { terminated: { exitCode: 0 } } };
    stored.status = { phase: 'Succeeded', containerStatuses: [terminated] };
    const next = structuredClone(stored);
    next.status!.containerStatuses = [{ ...terminated, state: { running: { startedAt: '2025-01-01T00:00:01Z' } } }];
    await expectRefused(c.update(next, stored, 'status'), {
      message: `${POD}status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state`,
      fields: ['status.containerStatuses[0].state'],
    });
  });

  it('no finalizer may be added once the pod is being deleted', async () => {
    const c = cluster();
    const stored = (await c.create(pod())) as Pod;
    stored.metadata.deletionTimestamp = '2025-01-01T00:01:00Z';
    const next = structuredClone(stored);
    next.metadata.finalizers = ['example.com/hold'];
    await expectRefused(c.update(next, stored), {
      message: `${POD}metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/hold"}`,
      fields: ['metadata.finalizers'],
    });
  });

  it('the refusal of a spec change shows what changed', async () => {
    const c = cluster();
    const stored = (await c.create(pod())) as Pod;
    const next = structuredClone(stored);
    next.spec.containers[0]!.ports![0]!.containerPort = 8081;
    const err = await expectRefused(c.update(next, stored), { messagePrefix: `${POD}spec: Forbidden: ${UPDATABLE}\n` });
    expect(err.status.message).toContain('- \tcontainers[0].ports[0].containerPort: 8080,\n+ \tcontainers[0].ports[0].containerPort: 8081,');
  });
});

describe('binding', () => {
  it('a Binding targets a Node', () => {
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web', namespace: 'default' }, target: { kind: 'Pod', name: 'node-1' } } as Binding;
    expect(validateBinding(binding).map(errorMessage)).toEqual(['target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"']);
  });

  it('a Binding names its node', () => {
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web', namespace: 'default' }, target: { kind: 'Node' } } as Binding;
    expect(validateBinding(binding).map(errorMessage)).toEqual(['target.name: Required value']);
  });

  it('binding a pod sets only its node', async () => {
    const c = cluster();
    const stored = (await c.create(pod())) as Pod;
    const next = structuredClone(stored);
    next.spec.nodeName = 'node-1';
    const bound = (await c.update(next, stored, 'binding')) as Pod;
    expect(bound.spec.nodeName).toBe('node-1');
  });
});

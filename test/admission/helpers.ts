// Shared pieces of the admission tests: a real admission over an in-memory list of stored
// services (the store's stand-in: the API server hands admission exactly such a list), request
// builders, and an assertion on Kubernetes' error text.
import { expect } from 'vitest';
import { ApiError } from '../../src/api/errors.js';
import { RESOURCES } from '../../src/kinds/catalog.js';
import type { ResourceInfo } from '../../src/api/resources.js';
import type { KubeObject, Service } from '../../src/api/types.js';
import { createAdmission } from '../../src/admission/index.js';
import type { Admission, AdmissionRequest } from '../../src/admission/index.js';

export const SERVICE_CIDR = '127.96.0.0/12';
export const NODE_PORTS = { min: 30000, max: 32767 };

export function infoFor(kind: string): ResourceInfo {
  const info = RESOURCES.find((r) => r.kind === kind);
  if (!info) throw new Error(`no resource for ${kind}`);
  return info;
}

export interface TestCluster {
  admission: Admission;
  services: Service[];
  create(obj: KubeObject): Promise<KubeObject>;
  update(obj: KubeObject, old: KubeObject, subresource?: AdmissionRequest['subresource']): Promise<KubeObject>;
  /** Creates and "stores" a service, as the API server would after admission. */
  store(obj: KubeObject): Promise<Service>;
}

export function cluster(opts: { serviceCIDR?: string; nodePortRange?: { min: number; max: number }; stored?: KubeObject[] } = {}): TestCluster {
  const services: Service[] = [];
  const stored = opts.stored;
  const admission = createAdmission({
    serviceCIDR: opts.serviceCIDR ?? SERVICE_CIDR,
    nodePortRange: opts.nodePortRange ?? NODE_PORTS,
    listServices: async () => structuredClone(services),
    // with `stored`, lookups (a pod's ServiceAccount) see those objects; without, there are none to make
    ...(stored
      ? {
          getObject: async (info: ResourceInfo, namespace: string | undefined, name: string) =>
            stored.find((o) => o.kind === info.kind && o.metadata.name === name && (o.metadata.namespace ?? 'default') === (namespace ?? 'default')),
          listObjects: async (info: ResourceInfo, namespace: string | undefined) =>
            stored.filter((o) => o.kind === info.kind && (namespace === undefined || (o.metadata.namespace ?? 'default') === namespace)),
        }
      : {}),
  });
  const withMeta = (obj: KubeObject): KubeObject => {
    const o = structuredClone(obj);
    const info = infoFor(o.kind ?? '');
    o.metadata.uid ??= `uid-${o.metadata.name}`;
    o.metadata.creationTimestamp ??= '2025-01-01T00:00:00Z';
    if (info.namespaced) o.metadata.namespace ??= 'default';
    return o;
  };
  const c: TestCluster = {
    admission,
    services,
    create: (obj) => admission.admit({ info: infoFor(obj.kind ?? ''), operation: 'CREATE', subresource: '', object: withMeta(obj) }),
    update: (obj, old, subresource = '') =>
      admission.admit({ info: infoFor(obj.kind ?? ''), operation: 'UPDATE', subresource, object: withMeta(obj), oldObject: old }),
    async store(obj) {
      const svc = (await c.create(obj)) as Service;
      services.push(svc);
      return svc;
    },
  };
  return c;
}

/** Replaces the stored copy of a service (after an update was admitted). */
export function restore(c: TestCluster, svc: Service): void {
  const i = c.services.findIndex((s) => s.metadata.namespace === svc.metadata.namespace && s.metadata.name === svc.metadata.name);
  if (i >= 0) c.services[i] = svc;
  else c.services.push(svc);
}

export async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected the request to be refused, but it was admitted');
}

export interface Expected {
  message?: string;
  /** For messages that end with a diff: the exact text up to it. */
  messagePrefix?: string;
  /** causes[].field, in order (422 only). */
  fields?: string[];
  code?: number;
  reason?: string;
}

/** Asserts Kubernetes' exact Status: 422 Invalid (unless told otherwise), message, causes. */
export async function expectRefused(p: Promise<unknown>, want: Expected): Promise<ApiError> {
  const err = await rejection(p);
  if (want.message !== undefined) expect(err.status.message).toBe(want.message);
  if (want.messagePrefix !== undefined) expect(err.status.message?.startsWith(want.messagePrefix), err.status.message).toBe(true);
  expect(err.code).toBe(want.code ?? 422);
  expect(err.reason).toBe(want.reason ?? 'Invalid');
  if (want.fields) expect((err.status.details?.causes ?? []).map((c) => c.field)).toEqual(want.fields);
  return err;
}

export const RFC1123_LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
export const RFC1123_SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
export const RFC1035_LABEL =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
export const LABEL_KEY_NAME =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
export const LABEL_VALUE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

// ---- object builders -------------------------------------------------------------------

/** Edits a builder's object in place; objects here are free-form JSON, hence `any`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Patch = (o: any) => void;

function build(base: KubeObject, patch?: Patch): KubeObject {
  const o = structuredClone(base);
  patch?.(o);
  return o;
}

export function pod(patch?: Patch): KubeObject {
  return build(
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
      spec: { containers: [{ name: 'app', image: 'loopkube/echo:1', ports: [{ containerPort: 8080 }] }] },
    },
    patch,
  );
}

export function service(patch?: Patch): KubeObject {
  return build(
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
    },
    patch,
  );
}

export function rc(patch?: Patch): KubeObject {
  return build(
    {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 3,
        selector: { app: 'web' },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'loopkube/echo:1' }] } },
      },
    },
    patch,
  );
}

export function namespace(patch?: Patch): KubeObject {
  return build({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } }, patch);
}

export function node(patch?: Patch): KubeObject {
  return build(
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-1' },
      spec: { podCIDR: '127.244.1.0/24' },
      status: { capacity: { cpu: '4', memory: '8Gi', pods: '110' } },
    },
    patch,
  );
}

export function endpoints(patch?: Patch): KubeObject {
  return build(
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'web', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '127.244.1.5', nodeName: 'node-1' }], ports: [{ port: 8080 }] }],
    },
    patch,
  );
}

export function endpointSlice(patch?: Patch): KubeObject {
  return build(
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-abcde', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['127.244.1.5'], conditions: { ready: true }, nodeName: 'node-1' }],
      ports: [{ name: 'http', port: 8080 }],
    },
    patch,
  );
}

export function event(patch?: Patch): KubeObject {
  return build(
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web.17a8b', namespace: 'default' },
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'web' },
      reason: 'Scheduled',
      message: 'Successfully assigned default/web to node-1',
      type: 'Normal',
    },
    patch,
  );
}

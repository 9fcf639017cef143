// Ingress and IngressClass validation in upstream's words (pkg/apis/networking/validation:
// ValidateIngressCreate, ValidateIngressClass(Update)), and the DefaultIngressClass admission
// plugin (plugin/pkg/admission/network/defaultingressclass), one row per rule.
import { describe, expect, it } from 'vitest';
import type { Ingress, IngressClass } from '../../src/api/networking.js';
import type { KubeObject } from '../../src/api/types.js';
import { cluster, expectRefused, RFC1035_LABEL, RFC1123_SUBDOMAIN } from './helpers.js';

const WILDCARD =
  "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

const backend = { service: { name: 'web', port: { number: 80 } } };
const ingress = (spec: Record<string, unknown>, meta: Record<string, unknown> = {}): Ingress =>
  ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'default', ...meta }, spec }) as Ingress;
const withPath = (path: Record<string, unknown>, host?: string): Ingress => ingress({ rules: [{ ...(host !== undefined ? { host } : {}), http: { paths: [{ backend, ...path }] } }] });
const ingressClass = (name: string, spec: Record<string, unknown>, annotations?: Record<string, string>, creationTimestamp?: string): IngressClass =>
  ({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name, ...(annotations ? { annotations } : {}), ...(creationTimestamp ? { creationTimestamp } : {}) }, spec }) as IngressClass;

interface Row {
  rule: string;
  object: KubeObject;
  message: string;
  fields: string[];
}

const P = 'spec.rules[0].http.paths[0]';

const REFUSED: Row[] = [
  { rule: 'an Ingress has rules or a defaultBackend', object: ingress({}), message: 'Ingress.networking.k8s.io "web" is invalid: spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified', fields: ['spec'] },
  { rule: 'a path has a pathType', object: withPath({ path: '/' }), message: `Ingress.networking.k8s.io "web" is invalid: ${P}.pathType: Required value: pathType must be specified`, fields: [`${P}.pathType`] },
  {
    rule: 'pathType is Exact, Prefix or ImplementationSpecific',
    object: withPath({ path: '/', pathType: 'Regex' }),
    message: `Ingress.networking.k8s.io "web" is invalid: ${P}.pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"`,
    fields: [`${P}.pathType`],
  },
  { rule: 'a Prefix path is absolute', object: withPath({ path: 'api', pathType: 'Prefix' }), message: `Ingress.networking.k8s.io "web" is invalid: ${P}.path: Invalid value: "api": must be an absolute path`, fields: [`${P}.path`] },
  { rule: "an Exact path has no '//'", object: withPath({ path: '/a//b', pathType: 'Exact' }), message: `Ingress.networking.k8s.io "web" is invalid: ${P}.path: Invalid value: "/a//b": must not contain '//'`, fields: [`${P}.path`] },
  { rule: "a Prefix path does not end with '/..'", object: withPath({ path: '/a/..', pathType: 'Prefix' }), message: `Ingress.networking.k8s.io "web" is invalid: ${P}.path: Invalid value: "/a/..": cannot end with '/..'`, fields: [`${P}.path`] },
  { rule: 'an ImplementationSpecific path, when given, is absolute', object: withPath({ path: 'x', pathType: 'ImplementationSpecific' }), message: `Ingress.networking.k8s.io "web" is invalid: ${P}.path: Invalid value: "x": must be an absolute path`, fields: [`${P}.path`] },
  { rule: 'a host is not an IP', object: withPath({ path: '/', pathType: 'Prefix' }, '127.0.0.1'), message: 'Ingress.networking.k8s.io "web" is invalid: spec.rules[0].host: Invalid value: "127.0.0.1": must be a DNS name, not an IP address', fields: ['spec.rules[0].host'] },
  { rule: 'a host is a DNS subdomain', object: withPath({ path: '/', pathType: 'Prefix' }, 'Foo.com'), message: `Ingress.networking.k8s.io "web" is invalid: spec.rules[0].host: Invalid value: "Foo.com": ${RFC1123_SUBDOMAIN}`, fields: ['spec.rules[0].host'] },
  { rule: 'a wildcard is one whole first label', object: withPath({ path: '/', pathType: 'Prefix' }, 'a.*.foo.com'), message: `Ingress.networking.k8s.io "web" is invalid: spec.rules[0].host: Invalid value: "a.*.foo.com": ${WILDCARD}`, fields: ['spec.rules[0].host'] },
  { rule: 'a wildcard is never the whole host', object: withPath({ path: '/', pathType: 'Prefix' }, '*'), message: `Ingress.networking.k8s.io "web" is invalid: spec.rules[0].host: Invalid value: "*": ${WILDCARD}`, fields: ['spec.rules[0].host'] },
  { rule: 'an http rule has paths', object: ingress({ rules: [{ host: 'a.com', http: { paths: [] } }] }), message: 'Ingress.networking.k8s.io "web" is invalid: spec.rules[0].http.paths: Required value', fields: ['spec.rules[0].http.paths'] },
  { rule: 'a backend is a service or a resource', object: ingress({ defaultBackend: {} }), message: 'Ingress.networking.k8s.io "web" is invalid: spec.defaultBackend: Invalid value: "": resource or service backend is required', fields: ['spec.defaultBackend'] },
  {
    rule: 'a backend is not both',
    object: ingress({ defaultBackend: { ...backend, resource: { kind: 'Bucket', name: 'b' } } }),
    message: 'Ingress.networking.k8s.io "web" is invalid: spec.defaultBackend: Invalid value: "": cannot set both resource and service backends',
    fields: ['spec.defaultBackend'],
  },
  { rule: 'a backend service name is a DNS-1035 label', object: ingress({ defaultBackend: { service: { name: '1web', port: { number: 80 } } } }), message: `Ingress.networking.k8s.io "web" is invalid: spec.defaultBackend.service.name: Invalid value: "1web": ${RFC1035_LABEL}`, fields: ['spec.defaultBackend.service.name'] },
  { rule: 'a backend port has a name or a number', object: ingress({ defaultBackend: { service: { name: 'web' } } }), message: 'Ingress.networking.k8s.io "web" is invalid: spec.defaultBackend: Required value: port name or number is required', fields: ['spec.defaultBackend'] },
  {
    rule: 'a backend port has not both',
    object: ingress({ defaultBackend: { service: { name: 'web', port: { name: 'http', number: 80 } } } }),
    message: 'Ingress.networking.k8s.io "web" is invalid: spec.defaultBackend: Invalid value: "": cannot set both port name & port number',
    fields: ['spec.defaultBackend'],
  },
  {
    rule: 'a backend port number is in range',
    object: ingress({ defaultBackend: { service: { name: 'web', port: { number: 70000 } } } }),
    message: 'Ingress.networking.k8s.io "web" is invalid: spec.defaultBackend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive',
    fields: ['spec.defaultBackend.service.port.number'],
  },
  {
    rule: 'a backend port name is an IANA service name',
    object: ingress({ defaultBackend: { service: { name: 'web', port: { name: 'Http' } } } }),
    message: 'Ingress.networking.k8s.io "web" is invalid: spec.defaultBackend.service.port.name: Invalid value: "Http": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    fields: ['spec.defaultBackend.service.port.name'],
  },
  {
    rule: 'a TLS host may be a wildcard, correctly formed',
    object: ingress({ defaultBackend: backend, tls: [{ hosts: ['*.ok.com', '**.bad.com'], secretName: 'tls' }] }),
    message: `Ingress.networking.k8s.io "web" is invalid: spec.tls[0].hosts[1]: Invalid value: "**.bad.com": ${WILDCARD}`,
    fields: ['spec.tls[0].hosts[1]'],
  },
  {
    rule: 'a TLS secretName is a Secret name',
    object: ingress({ defaultBackend: backend, tls: [{ secretName: 'My_Cert' }] }),
    message: `Ingress.networking.k8s.io "web" is invalid: spec.tls[0].secretName: Invalid value: "My_Cert": ${RFC1123_SUBDOMAIN}`,
    fields: ['spec.tls[0].secretName'],
  },
  {
    rule: 'the class annotation matches ingressClassName',
    object: ingress({ ingressClassName: 'loopkube', defaultBackend: backend }, { annotations: { 'kubernetes.io/ingress.class': 'nginx' } }),
    message: 'Ingress.networking.k8s.io "web" is invalid: annotations.kubernetes.io/ingress.class: Invalid value: "nginx": must match `ingressClassName` when both are specified',
    fields: ['annotations.kubernetes.io/ingress.class'],
  },
  {
    rule: 'an IngressClass names its controller',
    object: ingressClass('c', {}),
    message: 'IngressClass.networking.k8s.io "c" is invalid: spec.controller: Required value',
    fields: ['spec.controller'],
  },
  {
    rule: 'an IngressClass controller is a domain-prefixed path',
    object: ingressClass('c', { controller: 'nginx' }),
    message: 'IngressClass.networking.k8s.io "c" is invalid: spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")',
    fields: ['spec.controller'],
  },
  {
    rule: 'Namespace-scoped parameters name their namespace',
    object: ingressClass('c', { controller: 'acme.io/ingress', parameters: { kind: 'Params', name: 'p', scope: 'Namespace' } }),
    message: "IngressClass.networking.k8s.io \"c\" is invalid: spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'",
    fields: ['spec.parameters.namespace'],
  },
  {
    rule: 'parameter names are path segments',
    object: ingressClass('c', { controller: 'acme.io/ingress', parameters: { kind: 'Params', name: 'a/b' } }),
    message: "IngressClass.networking.k8s.io \"c\" is invalid: spec.parameters.name: Invalid value: \"a/b\": may not contain '/'",
    fields: ['spec.parameters.name'],
  },
];

describe('Ingress and IngressClass: refused as upstream refuses them', () => {
  for (const row of REFUSED) {
    it(row.rule, async () => {
      await expectRefused(cluster({ stored: [] }).create(row.object), { message: row.message, fields: row.fields });
    });
  }
});

const ACCEPTED: Array<{ rule: string; object: Ingress }> = [
  { rule: 'a wildcard host with a Prefix path', object: withPath({ path: '/api', pathType: 'Prefix' }, '*.foo.com') },
  { rule: 'an ImplementationSpecific path may be empty', object: withPath({ pathType: 'ImplementationSpecific' }) },
  { rule: 'an Exact path with a port name backend', object: ingress({ rules: [{ host: 'a.com', http: { paths: [{ path: '/x', pathType: 'Exact', backend: { service: { name: 'web', port: { name: 'http' } } } }] } }] }) },
  { rule: 'a defaultBackend alone, with TLS for any host', object: ingress({ defaultBackend: backend, tls: [{ secretName: 'tls' }] }) },
  { rule: 'a rule without http (a catch-all for the host)', object: ingress({ rules: [{ host: 'a.com' }] }) },
];

describe('Ingress: accepted', () => {
  for (const row of ACCEPTED) {
    it(row.rule, async () => {
      const out = (await cluster({ stored: [] }).create(row.object)) as Ingress;
      expect(out.spec).toEqual(row.object.spec);
      expect(out.status).toEqual({ loadBalancer: {} });
    });
  }
});

describe('DefaultIngressClass admission', () => {
  const older = ingressClass('older', { controller: 'acme.io/a' }, { 'ingressclass.kubernetes.io/is-default-class': 'true' }, '2025-01-01T00:00:00Z');
  const newer = ingressClass('newer', { controller: 'acme.io/b' }, { 'ingressclass.kubernetes.io/is-default-class': 'true' }, '2025-02-01T00:00:00Z');
  const plain = ingressClass('plain', { controller: 'acme.io/c' }, undefined, '2025-03-01T00:00:00Z');
  const cases: Array<{ rule: string; stored: KubeObject[]; object: Ingress; want: string | undefined }> = [
    { rule: 'no class named: the default class is set', stored: [older, plain], object: ingress({ defaultBackend: backend }), want: 'older' },
    { rule: 'several defaults: the newest wins', stored: [older, newer, plain], object: ingress({ defaultBackend: backend }), want: 'newer' },
    { rule: 'no default class: nothing is set', stored: [plain], object: ingress({ defaultBackend: backend }), want: undefined },
    { rule: 'a class named stays', stored: [older], object: ingress({ ingressClassName: 'plain', defaultBackend: backend }), want: 'plain' },
    { rule: 'the legacy annotation counts as naming a class', stored: [older], object: ingress({ defaultBackend: backend }, { annotations: { 'kubernetes.io/ingress.class': 'nginx' } }), want: undefined },
  ];
  for (const c of cases) {
    it(c.rule, async () => {
      const out = (await cluster({ stored: c.stored }).create(c.object)) as Ingress;
      expect(out.spec.ingressClassName).toBe(c.want);
    });
  }

  it('the class is defaulted on create only, never on update', async () => {
    const c = cluster({ stored: [older] });
    const old = (await c.create(ingress({ ingressClassName: 'x', defaultBackend: backend }))) as Ingress;
    const next = structuredClone(old);
    delete next.spec.ingressClassName;
    const out = (await c.update(next, old)) as Ingress;
    expect(out.spec.ingressClassName).toBeUndefined();
  });
});

describe('IngressClass', () => {
  it('parameters without a scope are Cluster-scoped', async () => {
    const out = (await cluster().create(ingressClass('c', { controller: 'acme.io/ingress', parameters: { kind: 'Params', name: 'p' } }))) as IngressClass;
    expect(out.spec.parameters?.scope).toBe('Cluster');
  });
  it('the controller cannot change', async () => {
    const c = cluster();
    const old = await c.create(ingressClass('c', { controller: 'acme.io/a' }));
    await expectRefused(c.update(ingressClass('c', { controller: 'acme.io/b' }), old), {
      message: 'IngressClass.networking.k8s.io "c" is invalid: spec.controller: Invalid value: "acme.io/b": field is immutable',
      fields: ['spec.controller'],
    });
  });
});

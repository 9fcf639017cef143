// Request matching as the Ingress API defines it (networking/v1 "Path types" examples table,
// "Multiple matches", "Hostname wildcards"), one row per rule.
import { describe, expect, it } from 'vitest';
import type { Ingress } from '../../src/api/networking.js';
import { buildRoutingTable, route } from '../../src/ingress/routing-table.js';

type P = [pathType: string, path: string, service: string];
const ing = (name: string, rules: Array<{ host?: string; paths: P[] }>, opts: { created?: string; defaultService?: string } = {}): Ingress => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name, namespace: 'default', creationTimestamp: opts.created ?? '2025-01-01T00:00:00Z' },
  spec: {
    ...(opts.defaultService ? { defaultBackend: { service: { name: opts.defaultService, port: { number: 80 } } } } : {}),
    rules: rules.map((r) => ({ ...(r.host ? { host: r.host } : {}), http: { paths: r.paths.map(([pathType, path, service]) => ({ pathType, path, backend: { service: { name: service, port: { number: 80 } } } })) } })),
  },
});

const cases: Array<{ rule: string; ingresses: Ingress[]; host: string; path: string; want: string | undefined }> = [
  // the upstream examples table
  { rule: 'Prefix / matches all paths', ingresses: [ing('a', [{ paths: [['Prefix', '/', 's']] }])], host: 'x', path: '/anything/here', want: 's' },
  { rule: 'Exact /foo matches /foo', ingresses: [ing('a', [{ paths: [['Exact', '/foo', 's']] }])], host: 'x', path: '/foo', want: 's' },
  { rule: 'Exact /foo does not match /bar', ingresses: [ing('a', [{ paths: [['Exact', '/foo', 's']] }])], host: 'x', path: '/bar', want: undefined },
  { rule: 'Exact /foo does not match /foo/', ingresses: [ing('a', [{ paths: [['Exact', '/foo', 's']] }])], host: 'x', path: '/foo/', want: undefined },
  { rule: 'Exact /foo/ does not match /foo', ingresses: [ing('a', [{ paths: [['Exact', '/foo/', 's']] }])], host: 'x', path: '/foo', want: undefined },
  { rule: 'Prefix /foo matches /foo and /foo/', ingresses: [ing('a', [{ paths: [['Prefix', '/foo', 's']] }])], host: 'x', path: '/foo/', want: 's' },
  { rule: 'Prefix /foo/ matches /foo (trailing slash ignored)', ingresses: [ing('a', [{ paths: [['Prefix', '/foo/', 's']] }])], host: 'x', path: '/foo', want: 's' },
  { rule: 'Prefix /aaa/bb does not match /aaa/bbb', ingresses: [ing('a', [{ paths: [['Prefix', '/aaa/bb', 's']] }])], host: 'x', path: '/aaa/bbb', want: undefined },
  { rule: 'Prefix /aaa/bbb matches /aaa/bbb/ccc', ingresses: [ing('a', [{ paths: [['Prefix', '/aaa/bbb', 's']] }])], host: 'x', path: '/aaa/bbb/ccc', want: 's' },
  { rule: 'Prefix /aaa/bbb does not match /aaa/bbbxyz', ingresses: [ing('a', [{ paths: [['Prefix', '/aaa/bbb', 's']] }])], host: 'x', path: '/aaa/bbbxyz', want: undefined },
  { rule: 'longest prefix wins: /aaa/bbb over /', ingresses: [ing('a', [{ paths: [['Prefix', '/', 'root'], ['Prefix', '/aaa/bbb', 'deep']] }])], host: 'x', path: '/aaa/bbb/c', want: 'deep' },
  { rule: 'longest prefix wins: / for /ccc', ingresses: [ing('a', [{ paths: [['Prefix', '/', 'root'], ['Prefix', '/aaa', 'deep']] }])], host: 'x', path: '/ccc', want: 'root' },
  { rule: 'Exact over Prefix on the same path', ingresses: [ing('a', [{ paths: [['Prefix', '/foo', 'prefix'], ['Exact', '/foo', 'exact']] }])], host: 'x', path: '/foo', want: 'exact' },
  { rule: 'ImplementationSpecific reads as Prefix', ingresses: [ing('a', [{ paths: [['ImplementationSpecific', '/api', 's']] }])], host: 'x', path: '/api/v1', want: 's' },
  // hosts
  { rule: 'a precise host matches only itself', ingresses: [ing('a', [{ host: 'foo.com', paths: [['Prefix', '/', 's']] }])], host: 'bar.com', path: '/', want: undefined },
  { rule: 'the Host header port is ignored, case too', ingresses: [ing('a', [{ host: 'foo.com', paths: [['Prefix', '/', 's']] }])], host: 'FOO.com:8080', path: '/', want: 's' },
  { rule: 'a wildcard matches one label', ingresses: [ing('a', [{ host: '*.foo.com', paths: [['Prefix', '/', 's']] }])], host: 'bar.foo.com', path: '/', want: 's' },
  { rule: 'a wildcard does not match the bare suffix', ingresses: [ing('a', [{ host: '*.foo.com', paths: [['Prefix', '/', 's']] }])], host: 'foo.com', path: '/', want: undefined },
  { rule: 'a wildcard does not match two labels', ingresses: [ing('a', [{ host: '*.foo.com', paths: [['Prefix', '/', 's']] }])], host: 'baz.bar.foo.com', path: '/', want: undefined },
  {
    rule: 'a precise host beats a wildcard',
    ingresses: [ing('a', [{ host: '*.foo.com', paths: [['Prefix', '/', 'wild']] }, { host: 'bar.foo.com', paths: [['Prefix', '/', 'exact']] }])],
    host: 'bar.foo.com',
    path: '/',
    want: 'exact',
  },
  { rule: 'a rule without host catches other hosts', ingresses: [ing('a', [{ host: 'foo.com', paths: [['Prefix', '/', 'foo']] }, { paths: [['Prefix', '/', 'any']] }])], host: 'other.com', path: '/', want: 'any' },
  // across Ingresses
  {
    rule: 'the oldest Ingress wins a collision',
    ingresses: [ing('young', [{ paths: [['Prefix', '/', 'young']] }], { created: '2025-02-01T00:00:00Z' }), ing('old', [{ paths: [['Prefix', '/', 'old']] }], { created: '2025-01-01T00:00:00Z' })],
    host: 'x',
    path: '/',
    want: 'old',
  },
  { rule: 'no rule matches: the defaultBackend', ingresses: [ing('a', [{ host: 'foo.com', paths: [['Exact', '/x', 's']] }], { defaultService: 'fallback' })], host: 'foo.com', path: '/y', want: 'fallback' },
];

describe('Ingress request matching', () => {
  for (const c of cases) {
    it(c.rule, () => {
      expect(route(buildRoutingTable(c.ingresses), c.host, c.path)?.service).toBe(c.want);
    });
  }
});

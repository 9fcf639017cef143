// `kubectl get ingress` and `kubectl get ingressclass` as kubectl 1.32 prints them
// (pkg/printers/internalversion: printIngress, printIngressClass).
import { describe, expect, it } from 'vitest';
import { findResource } from '../../src/kinds/catalog.js';
import type { KubeObject } from '../../src/api/types.js';
import { toTable } from '../../src/apiserver/printers/index.js';

const NOW = new Date('2024-06-01T12:00:00Z');
const table = (resource: string, obj?: KubeObject) => {
  const info = findResource('networking.k8s.io', 'v1', resource);
  if (!info) throw new Error(resource);
  return toTable(info, obj ? [obj] : [], { now: NOW });
};
const backend = { service: { name: 'web', port: { number: 80 } } };
const rule = (host: string) => ({ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } });
const ing = (spec: Record<string, unknown>, status?: unknown): KubeObject =>
  ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'site', namespace: 'default', creationTimestamp: '2024-06-01T11:55:00Z' }, spec, ...(status ? { status } : {}) }) as KubeObject;

describe('Ingress and IngressClass columns', () => {
  it('headers', () => {
    expect(table('ingresses').columnDefinitions.map((c) => c.name.toUpperCase())).toEqual(['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE']);
    expect(table('ingressclasses').columnDefinitions.map((c) => c.name.toUpperCase())).toEqual(['NAME', 'CONTROLLER', 'PARAMETERS', 'AGE']);
  });

  const rows: Array<{ rule: string; obj: KubeObject; cells: unknown[] }> = [
    { rule: 'no hosts print *, no class <none>, no TLS port 80', obj: ing({ defaultBackend: backend }), cells: ['site', '<none>', '*', '', '80', '5m'] },
    {
      rule: 'three hosts, then + N more...; TLS adds 443; addresses sorted',
      obj: ing({ ingressClassName: 'loopkube', rules: ['a.com', 'b.com', 'c.com', 'd.com', 'e.com'].map(rule), tls: [{ secretName: 's' }] }, { loadBalancer: { ingress: [{ ip: '127.200.0.9' }, { ip: '127.200.0.10' }] } }),
      cells: ['site', 'loopkube', 'a.com,b.com,c.com + 2 more...', '127.200.0.10,127.200.0.9', '80, 443', '5m'],
    },
    {
      rule: 'IngressClass parameters as Kind.group/name',
      obj: { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'x', creationTimestamp: '2024-06-01T11:00:00Z' }, spec: { controller: 'acme.io/ic', parameters: { apiGroup: 'acme.io', kind: 'Params', name: 'p' } } } as KubeObject,
      cells: ['x', 'acme.io/ic', 'Params.acme.io/p', '60m'],
    },
  ];
  for (const r of rows) {
    it(r.rule, () => {
      expect(table(r.obj.kind === 'Ingress' ? 'ingresses' : 'ingressclasses', r.obj).rows[0]?.cells).toEqual(r.cells);
    });
  }
});

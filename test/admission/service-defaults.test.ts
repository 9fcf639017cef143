// What a created or updated Service looks like after admission: upstream's defaults, the
// ClusterIP and NodePorts it is given, and what a type change keeps or drops.
import { describe, expect, it } from 'vitest';
import type { Service } from '../../src/api/types.js';
import { parseIPv4 } from '../../src/admission/ip.js';
import { cluster, restore, service } from './helpers.js';

const ip = (s: string | undefined): number => parseIPv4(s ?? '') ?? -1;
/** The first address past the static band of 127.96.0.0/12 (256 addresses from .0.1). */
const DYNAMIC_START = ip('127.96.1.1');
const SERVICE_END = ip('127.111.255.254');

describe('service defaults', () => {
  it('a ClusterIP service gets upstream defaults and a ClusterIP from the dynamic band', async () => {
    const svc = (await cluster().create(service((o) => delete o.spec.ports[0].targetPort))) as Service;
    expect(svc.spec).toMatchObject({
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
    });
    expect(svc.spec.externalTrafficPolicy).toBeUndefined();
    expect(svc.spec.clusterIPs).toEqual([svc.spec.clusterIP]);
    expect(ip(svc.spec.clusterIP)).toBeGreaterThanOrEqual(DYNAMIC_START);
    expect(ip(svc.spec.clusterIP)).toBeLessThanOrEqual(SERVICE_END);
    expect(svc.status).toEqual({ loadBalancer: {} });
  });

  it('ClientIP affinity defaults its timeout to 10800 seconds', async () => {
    const svc = (await cluster().create(service((o) => (o.spec.sessionAffinity = 'ClientIP')))) as Service;
    expect(svc.spec.sessionAffinityConfig).toEqual({ clientIP: { timeoutSeconds: 10800 } });
  });

  it('a NodePort service gets externalTrafficPolicy Cluster and a NodePort from the dynamic band', async () => {
    const svc = (await cluster().create(service((o) => (o.spec.type = 'NodePort')))) as Service;
    expect(svc.spec.externalTrafficPolicy).toBe('Cluster');
    const np = svc.spec.ports![0]!.nodePort!;
    expect(np).toBeGreaterThanOrEqual(30086);
    expect(np).toBeLessThanOrEqual(32767);
    expect(svc.spec.healthCheckNodePort).toBeUndefined();
  });

  it('a LoadBalancer service gets NodePorts, allocateLoadBalancerNodePorts, and an empty status', async () => {
    const svc = (await cluster().create(service((o) => (o.spec.type = 'LoadBalancer')))) as Service;
    expect(svc.spec.allocateLoadBalancerNodePorts).toBe(true);
    expect(svc.spec.ports![0]!.nodePort).toBeGreaterThanOrEqual(30000);
    expect(svc.spec.healthCheckNodePort).toBeUndefined();
    expect(svc.status).toEqual({ loadBalancer: {} });
  });

  it('a LoadBalancer with externalTrafficPolicy Local gets a healthCheckNodePort', async () => {
    const svc = (await cluster().create(
      service((o) => {
        o.spec.type = 'LoadBalancer';
        o.spec.externalTrafficPolicy = 'Local';
      }),
    )) as Service;
    expect(svc.spec.healthCheckNodePort).toBeGreaterThanOrEqual(30000);
    expect(svc.spec.healthCheckNodePort).not.toBe(svc.spec.ports![0]!.nodePort);
  });

  it('allocateLoadBalancerNodePorts: false allocates none, but honours a requested one', async () => {
    const svc = (await cluster().create(
      service((o) => {
        o.spec.type = 'LoadBalancer';
        o.spec.allocateLoadBalancerNodePorts = false;
        o.spec.ports = [{ name: 'a', port: 80 }, { name: 'b', port: 81, nodePort: 30081 }];
      }),
    )) as Service;
    expect(svc.spec.ports!.map((p) => p.nodePort)).toEqual([undefined, 30081]);
  });

  it('a user-chosen ClusterIP is honoured (the static band is for these)', async () => {
    const svc = (await cluster().create(service((o) => (o.spec.clusterIP = '127.96.0.10')))) as Service;
    expect(svc.spec.clusterIP).toBe('127.96.0.10');
    expect(svc.spec.clusterIPs).toEqual(['127.96.0.10']);
  });

  it('the kubernetes service takes 127.96.0.1 and DNS 127.96.0.10', async () => {
    const c = cluster();
    const k = await c.store(service((o) => {
      o.metadata.name = 'kubernetes';
      o.spec.clusterIP = '127.96.0.1';
      o.spec.ports = [{ name: 'https', port: 443, targetPort: 6443 }];
      delete o.spec.selector;
    }));
    const dns = await c.store(service((o) => {
      o.metadata.name = 'kube-dns';
      o.metadata.namespace = 'kube-system';
      o.spec.clusterIP = '127.96.0.10';
    }));
    expect([k.spec.clusterIP, dns.spec.clusterIP]).toEqual(['127.96.0.1', '127.96.0.10']);
  });

  it('a user-chosen NodePort is honoured', async () => {
    const svc = (await cluster().create(service((o) => {
      o.spec.type = 'NodePort';
      o.spec.ports[0].nodePort = 30080;
    }))) as Service;
    expect(svc.spec.ports![0]!.nodePort).toBe(30080);
  });

  it('a headless service gets no ClusterIP', async () => {
    const svc = (await cluster().create(service((o) => (o.spec.clusterIP = 'None')))) as Service;
    expect(svc.spec).toMatchObject({ clusterIP: 'None', clusterIPs: ['None'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
  });

  it('a headless service without selector defaults to RequireDualStack (as upstream does)', async () => {
    const svc = (await cluster().create(service((o) => {
      o.spec.clusterIP = 'None';
      delete o.spec.selector;
    }))) as Service;
    expect(svc.spec).toMatchObject({ ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6'] });
  });

  it('a headless or ExternalName service needs no ports', async () => {
    const c = cluster();
    await c.create(service((o) => {
      o.spec.clusterIP = 'None';
      o.spec.ports = [];
    }));
    const ext = (await c.create(service((o) => {
      o.spec.type = 'ExternalName';
      o.spec.externalName = 'db.example.com.';
      delete o.spec.ports;
    }))) as Service;
    expect(ext.spec.clusterIP).toBeUndefined();
    expect(ext.spec.ipFamilies).toBeUndefined();
    expect(ext.spec.internalTrafficPolicy).toBeUndefined();
  });
});

describe('service updates', () => {
  it('re-applying the same YAML keeps the allocated ClusterIP and NodePorts', async () => {
    const c = cluster();
    const yaml = service((o) => (o.spec.type = 'NodePort'));
    const stored = await c.store(yaml);
    const again = (await c.update(yaml, stored)) as Service;
    expect(again.spec.clusterIP).toBe(stored.spec.clusterIP);
    expect(again.spec.ports![0]!.nodePort).toBe(stored.spec.ports![0]!.nodePort);
  });

  it('a cleared clusterIP is read as omitted and kept', async () => {
    const c = cluster();
    const stored = await c.store(service());
    const next = structuredClone(stored);
    next.spec.clusterIP = '';
    next.spec.clusterIPs = [];
    const updated = (await c.update(next, stored)) as Service;
    expect(updated.spec.clusterIPs).toEqual(stored.spec.clusterIPs);
  });

  it('NodePort -> ClusterIP drops the NodePorts and externalTrafficPolicy, freeing the port', async () => {
    const c = cluster();
    const stored = await c.store(service((o) => {
      o.spec.type = 'NodePort';
      o.spec.ports[0].nodePort = 30080;
    }));
    const next = structuredClone(stored);
    next.spec.type = 'ClusterIP';
    const updated = (await c.update(next, stored)) as Service;
    expect(updated.spec.ports![0]!.nodePort).toBeUndefined();
    expect(updated.spec.externalTrafficPolicy).toBeUndefined();
    expect(updated.spec.clusterIP).toBe(stored.spec.clusterIP);
    restore(c, updated);
    const other = (await c.create(service((o) => {
      o.metadata.name = 'other';
      o.spec.type = 'NodePort';
      o.spec.ports[0].nodePort = 30080;
    }))) as Service;
    expect(other.spec.ports![0]!.nodePort).toBe(30080);
  });

  it('LoadBalancer -> NodePort keeps the NodePorts and clears the load balancer status', async () => {
    const c = cluster();
    const stored = await c.store(service((o) => (o.spec.type = 'LoadBalancer')));
    stored.status = { loadBalancer: { ingress: [{ ip: '127.200.0.1', ipMode: 'VIP' }] } };
    const next = structuredClone(stored);
    next.spec.type = 'NodePort';
    const updated = (await c.update(next, stored)) as Service;
    expect(updated.spec.ports![0]!.nodePort).toBe(stored.spec.ports![0]!.nodePort);
    expect(updated.spec.allocateLoadBalancerNodePorts).toBeUndefined();
    expect(updated.status).toEqual({ loadBalancer: {} });
  });

  it('ClusterIP -> NodePort allocates a NodePort and keeps the ClusterIP', async () => {
    const c = cluster();
    const stored = await c.store(service());
    const next = structuredClone(stored);
    next.spec.type = 'NodePort';
    const updated = (await c.update(next, stored)) as Service;
    expect(updated.spec.clusterIP).toBe(stored.spec.clusterIP);
    expect(updated.spec.ports![0]!.nodePort).toBeGreaterThanOrEqual(30000);
    expect(updated.spec.externalTrafficPolicy).toBe('Cluster');
  });

  it('ClusterIP -> ExternalName drops the ClusterIP; ExternalName -> ClusterIP allocates one', async () => {
    const c = cluster();
    const stored = await c.store(service((o) => (o.spec.clusterIP = '127.96.0.50')));
    const toExt = structuredClone(stored);
    toExt.spec.type = 'ExternalName';
    toExt.spec.externalName = 'db.example.com';
    const ext = (await c.update(toExt, stored)) as Service;
    expect(ext.spec.clusterIP).toBeUndefined();
    expect(ext.spec.clusterIPs).toBeUndefined();
    expect(ext.spec.ipFamilies).toBeUndefined();
    restore(c, ext);
    const back = structuredClone(ext);
    back.spec.type = 'ClusterIP';
    delete back.spec.externalName;
    const svc = (await c.update(back, ext)) as Service;
    expect(ip(svc.spec.clusterIP)).toBeGreaterThanOrEqual(DYNAMIC_START);
    expect(svc.spec.ipFamilies).toEqual(['IPv4']);
  });

  it('a deleted service frees its ClusterIP', async () => {
    const c = cluster();
    await c.store(service((o) => (o.spec.clusterIP = '127.96.0.50')));
    c.services.length = 0;
    const svc = (await c.create(service((o) => (o.spec.clusterIP = '127.96.0.50')))) as Service;
    expect(svc.spec.clusterIP).toBe('127.96.0.50');
  });

  it('a status update keeps the spec and defaults ingress ipMode to VIP', async () => {
    const c = cluster();
    const stored = await c.store(service((o) => (o.spec.type = 'LoadBalancer')));
    const next = structuredClone(stored);
    next.spec.type = 'ClusterIP';
    next.status = { loadBalancer: { ingress: [{ ip: '127.200.0.1' }] } };
    const updated = (await c.update(next, stored, 'status')) as Service;
    expect(updated.spec).toEqual(stored.spec);
    expect(updated.status).toEqual({ loadBalancer: { ingress: [{ ip: '127.200.0.1', ipMode: 'VIP' }] } });
  });

  it('a main update keeps the stored status', async () => {
    const c = cluster();
    const stored = await c.store(service((o) => (o.spec.type = 'LoadBalancer')));
    stored.status = { loadBalancer: { ingress: [{ ip: '127.200.0.1', ipMode: 'VIP' }] } };
    const next = structuredClone(stored);
    next.status = {};
    next.metadata.labels = { tier: 'front' };
    const updated = (await c.update(next, stored)) as Service;
    expect(updated.status).toEqual(stored.status);
    expect(updated.metadata.labels).toEqual({ tier: 'front' });
  });
});

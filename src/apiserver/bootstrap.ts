// What a new cluster has before anyone asks: the system namespaces, and the `kubernetes`
// Service (ClusterIP 127.96.0.1:443) with Endpoints and an EndpointSlice pointing at the API
// server, as kube-apiserver's endpoint reconciler keeps them (pkg/controlplane/reconcilers,
// EndpointsAdapter: the Endpoints labelled to skip mirroring, the slice named `kubernetes` and
// labelled with the service name; the proxy routes from slices, so in-cluster clients reach the
// API through the ClusterIP), and the `kube-system/kube-dns` Service.
import type { EndpointSlice, Endpoints, KubeObject, Service } from '../api/types.js';
import type { Logger } from '../log.js';
import type { Registry } from './registry.js';
import type { ResourceInfo } from '../api/resources.js';
import { ENDPOINTS } from '../kinds/endpoints/resource.js';
import { ENDPOINT_SLICES as SLICES } from '../kinds/endpointslice/resource.js';
import { NAMESPACES } from '../kinds/namespace/resource.js';
import { SERVICES } from '../kinds/service/resource.js';
import { INGRESS_CLASSES } from '../kinds/ingressclass/resource.js';
import { LOOPKUBE_INGRESS_CLASS } from '../ingress/ingress-class.js';
import { STORAGE_CLASSES } from '../kinds/storageclass/resource.js';
import { STANDARD_STORAGE_CLASS } from '../storage/local-path.js';


export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

async function ensure(registry: Registry, info: ResourceInfo, namespace: string | undefined, obj: KubeObject): Promise<void> {
  try {
    await registry.get(info, namespace, obj.metadata.name!);
    return;
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
  }
  try {
    await registry.create(info, namespace, obj, {});
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
  }
}

/**
 * `kube-system/kube-dns` with the cluster DNS address, as kubeadm creates it, with its TCP port
 * only (`dns-tcp`; the proxy carries TCP; UDP is answered by the DNS server on the address
 * itself). Its port is the DNS port (53, or the fallback `up` picked) so UDP and TCP agree; its
 * endpoints are published by the cluster DNS (src/dns/cluster-dns.ts).
 */
async function ensureDNSService(registry: Registry, dns: { ip: string; port: number }, logger: Logger): Promise<void> {
  const port = dns.port > 0 ? dns.port : 53;
  const svc: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'loopkube-dns' } },
    spec: { type: 'ClusterIP', clusterIP: dns.ip, ports: [{ name: 'dns-tcp', port, protocol: 'TCP', targetPort: 53 }], sessionAffinity: 'None' },
  };
  try {
    await ensure(registry, SERVICES, 'kube-system', svc);
    const current = (await registry.get(SERVICES, 'kube-system', 'kube-dns')) as Service;
    if (current.spec.ports?.[0]?.port === port) return;
    await registry.mutate(SERVICES, 'kube-system', 'kube-dns', '', (cur) => {
      (cur as Service).spec.ports = svc.spec.ports!;
      return cur;
    });
  } catch (err) {
    // e.g. the DNS address is outside the service CIDR, or a user's Service holds it.
    logger.warn({ err: (err as Error).message, clusterIP: dns.ip }, 'cannot create the kube-dns Service; the cluster DNS still answers on its address');
  }
}

export async function bootstrapCluster(
  registry: Registry,
  opts: { kubernetesServiceIP: string; apiHost: string; apiPort: number; logger: Logger; dns?: { ip: string; port: number }; /** Every API server's address, when there are several. */ apiHosts?: string[] },
): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    await ensure(registry, NAMESPACES, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  const svc: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: opts.kubernetesServiceIP,
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: opts.apiPort }],
      sessionAffinity: 'None',
    },
  };
  await ensure(registry, SERVICES, 'default', svc);
  const ep: Endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: (opts.apiHosts ?? [opts.apiHost]).map((ip) => ({ ip })), ports: [{ name: 'https', port: opts.apiPort, protocol: 'TCP' }] }],
  };
  await ensure(registry, ENDPOINTS, 'default', ep);
  // The API server's port can change between `up`s: keep the Endpoints current.
  await registry.mutate(ENDPOINTS, 'default', 'kubernetes', '', (cur) => {
    (cur as Endpoints).subsets = ep.subsets!;
    return cur;
  });
  const slice: EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [opts.apiHost], conditions: { ready: true } }],
    ports: [{ name: 'https', port: opts.apiPort, protocol: 'TCP' }],
  };
  await ensure(registry, SLICES, 'default', slice);
  await registry.mutate(SLICES, 'default', 'kubernetes', '', (cur) => {
    const c = cur as EndpointSlice;
    c.metadata.labels = { ...c.metadata.labels, 'kubernetes.io/service-name': 'kubernetes' };
    c.addressType = 'IPv4';
    c.endpoints = slice.endpoints;
    c.ports = slice.ports;
    return c;
  });
  if (opts.dns) await ensureDNSService(registry, opts.dns, opts.logger);
  await ensure(registry, INGRESS_CLASSES, undefined, LOOPKUBE_INGRESS_CLASS);
  await ensure(registry, STORAGE_CLASSES, undefined, STANDARD_STORAGE_CLASS);
  opts.logger.info({ namespaces: SYSTEM_NAMESPACES }, 'cluster bootstrapped');
}

// What a new cluster has before anyone asks: the system namespaces, and the `kubernetes`
// Service (ClusterIP 127.96.0.1:443) with Endpoints pointing at the API server, as
// kube-apiserver's bootstrap controller keeps them.
import { findResource } from '../api/resources.js';
import type { Endpoints, KubeObject, Service } from '../api/types.js';
import type { Logger } from '../log.js';
import type { Registry } from './registry.js';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const SERVICES = findResource('', 'v1', 'services')!;
const ENDPOINTS = findResource('', 'v1', 'endpoints')!;

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

async function ensure(registry: Registry, info: typeof NAMESPACES, namespace: string | undefined, obj: KubeObject): Promise<void> {
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

export async function bootstrapCluster(
  registry: Registry,
  opts: { kubernetesServiceIP: string; apiHost: string; apiPort: number; logger: Logger },
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
    subsets: [{ addresses: [{ ip: opts.apiHost }], ports: [{ name: 'https', port: opts.apiPort, protocol: 'TCP' }] }],
  };
  await ensure(registry, ENDPOINTS, 'default', ep);
  // The API server's port can change between `up`s: keep the Endpoints current.
  await registry.mutate(ENDPOINTS, 'default', 'kubernetes', '', (cur) => {
    (cur as Endpoints).subsets = ep.subsets!;
    return cur;
  });
  opts.logger.info({ namespaces: SYSTEM_NAMESPACES }, 'cluster bootstrapped');
}

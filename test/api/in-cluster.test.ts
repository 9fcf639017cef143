// An in-cluster client reaches the API server the way a pod's client does in Kubernetes:
// through the `kubernetes` Service's ClusterIP on port 443, which the proxy routes from the
// EndpointSlice the API server keeps for it (as upstream's endpoint reconciler does).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointSlice, Endpoints, KubeList, Namespace, Service } from '../../src/api/types.js';
import { kubernetesServiceIP } from '../../src/cluster/config.js';
import { createApiClient } from '../../src/client/client.js';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 1 });
});
afterAll(async () => {
  await cluster?.down();
});

describe('the kubernetes Service, from inside the cluster', () => {
  it('has an EndpointSlice named kubernetes with the API server address, as kube-apiserver keeps it', async () => {
    const slice = await cluster.client.get<EndpointSlice>('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes');
    expect(slice.metadata.labels).toEqual({ 'kubernetes.io/service-name': 'kubernetes' });
    expect(slice.addressType).toBe('IPv4');
    expect(slice.endpoints).toEqual([{ addresses: [cluster.config.apiServer.host], conditions: { ready: true } }]);
    expect(slice.ports).toEqual([{ name: 'https', port: cluster.apiPort, protocol: 'TCP' }]);
    // the Endpoints stay as they were, labelled so that nothing mirrors them into a second slice
    const ep = await cluster.client.get<Endpoints>('/api/v1/namespaces/default/endpoints/kubernetes');
    expect(ep.metadata.labels).toEqual({ 'endpointslice.kubernetes.io/skip-mirror': 'true' });
    const slices = await cluster.client.list<EndpointSlice>('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', { labelSelector: 'kubernetes.io/service-name=kubernetes' });
    expect(slices.items.map((s) => s.metadata.name)).toEqual(['kubernetes']);
  });

  it('serves the API through https://<ClusterIP>:443 to a client on a node address (TLS verified for that IP)', async () => {
    const svc = await cluster.client.get<Service>('/api/v1/namespaces/default/services/kubernetes');
    const ip = kubernetesServiceIP(cluster.config.serviceCIDR);
    expect(svc.spec.clusterIP).toBe(ip);
    const node = cluster.config.nodes[0]!;
    const inCluster = createApiClient({ ...cluster.client.config, server: `https://${ip}:443` }, { localAddress: node.ip, requestTimeoutMs: 5000 });
    try {
      const list = await waitFor('the API through the ClusterIP', () => inCluster.list<Namespace>('/api/v1/namespaces'));
      expect((list as KubeList<Namespace>).items.map((n) => n.metadata.name)).toContain('kube-system');
      // and a watch streams through it too
      const events: string[] = [];
      const w = inCluster.watch<Namespace>('/api/v1/namespaces', { resourceVersion: list.metadata.resourceVersion }, { onEvent: (e) => events.push(`${e.type} ${e.object.metadata.name}`), onClose: () => {} });
      await cluster.client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'seen-from-inside' } });
      await waitFor('the watch event through the ClusterIP', () => events.includes('ADDED seen-from-inside'));
      w.stop();
    } finally {
      inCluster.close();
    }
  });

  it('refuses the same address from the host (127.0.0.1), as any ClusterIP', async () => {
    const ip = kubernetesServiceIP(cluster.config.serviceCIDR);
    const fromHost = createApiClient({ ...cluster.client.config, server: `https://${ip}:443` }, { localAddress: '127.0.0.1', requestTimeoutMs: 5000 });
    try {
      // the proxy resets the connection; when the reset lands during the TLS handshake, Node words
      // that ECONNRESET as "Client network socket disconnected before secure TLS connection was established"
      await expect(fromHost.list('/api/v1/namespaces')).rejects.toThrow(/ECONNRESET|ECONNREFUSED|socket hang up|socket disconnected before secure TLS connection was established/);
    } finally {
      fromHost.close();
    }
  });
});

// End to end through a whole cluster started as a user starts it (`loopkube up`, two nodes): a
// ReplicationController's pods behind a LoadBalancer Service, reached through the ClusterIP (from
// a node), every node's NodePort, and the load-balancer IP; a deleted pod stops taking new
// connections and a scaled-up one starts taking them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointSlice, ReplicationController, Service } from '../../src/api/types.js';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';
import { outcome, request } from './support.js';

let c: TestCluster;
const NS = 'default';

interface AppAnswer {
  pod: string;
  clientIP: string;
}

async function ask(host: string, port: number, from?: string): Promise<AppAnswer> {
  return (await request(host, port, from)) as unknown as AppAnswer;
}

async function spreadOver(count: number, host: string, port: number, from?: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const a = await ask(host, port, from);
    out[a.pod] = (out[a.pod] ?? 0) + 1;
  }
  return out;
}

async function readyPods(): Promise<string[]> {
  const list = await c.client.list<EndpointSlice>(`/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`, { labelSelector: 'kubernetes.io/service-name=web' });
  return list.items
    .flatMap((s) => s.endpoints ?? [])
    .filter((e) => e.conditions?.ready)
    .map((e) => e.targetRef?.name ?? '')
    .sort();
}

const evenly = (pods: string[], each: number): Record<string, number> => Object.fromEntries(pods.map((p) => [p, each]));

let svc: Service;
let lbIP = '';
let nodeIPs: string[] = [];

beforeAll(async () => {
  c = await startTestCluster({ nodes: 2 });
  nodeIPs = c.config.nodes.map((n) => n.ip);
  await c.client.create<ReplicationController>(`/api/v1/namespaces/${NS}/replicationcontrollers`, {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name: 'web' },
    spec: {
      replicas: 3,
      selector: { app: 'web' },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'loopkube/app', ports: [{ containerPort: 8080 }] }] } },
    },
  });
  svc = await c.client.create<Service>(`/api/v1/namespaces/${NS}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
  });
  await waitFor('3 ready pods behind the service', async () => (await readyPods()).length === 3, 60_000);
  lbIP = await waitFor('a load-balancer IP', async () => (await c.client.get<Service>(`/api/v1/namespaces/${NS}/services/web`)).status?.loadBalancer?.ingress?.[0]?.ip);
  await waitFor('the LB IP to answer', async () => (await outcome(lbIP, 80)) === 'OK');
});

afterAll(async () => {
  await c?.down();
});

describe('a whole cluster', () => {
  it('spreads 30 connections over 3 pods, 10 each, through the ClusterIP (from a node), every NodePort and the LB IP', async () => {
    const pods = await readyPods();
    const clusterIP = svc.spec.clusterIP!;
    const nodePort = svc.spec.ports![0]!.nodePort!;
    expect(await spreadOver(30, clusterIP, 80, nodeIPs[0])).toEqual(evenly(pods, 10));
    expect((await ask(clusterIP, 80, nodeIPs[0])).clientIP).toBe(nodeIPs[0]);
    for (const ip of nodeIPs) {
      expect(await spreadOver(30, ip, nodePort)).toEqual(evenly(pods, 10));
      expect((await ask(ip, nodePort)).clientIP).toBe(ip);
    }
    expect(await spreadOver(30, lbIP, 80)).toEqual(evenly(pods, 10));
    expect(await outcome(clusterIP, 80, '127.0.0.1')).toMatch(/ECONNRESET|ECONNREFUSED/);
  });

  it('sends no new connection to a deleted pod once its endpoint is gone, and a scaled-up pod takes its share', async () => {
    const [victim] = await readyPods();
    await c.client.delete(`/api/v1/namespaces/${NS}/pods/${victim}`);
    await waitFor('the deleted pod to leave the ready endpoints', async () => !(await readyPods()).includes(victim!), 30_000);
    const after = await spreadOver(30, lbIP, 80);
    expect(Object.keys(after)).not.toContain(victim);

    const rc = await c.client.get<ReplicationController>(`/api/v1/namespaces/${NS}/replicationcontrollers/web`);
    await c.client.update(`/api/v1/namespaces/${NS}/replicationcontrollers/web`, { ...rc, spec: { ...rc.spec, replicas: 4 } });
    const four = await waitFor('4 ready pods', async () => {
      const pods = await readyPods();
      return pods.length === 4 && pods;
    }, 60_000);
    await waitFor('every new pod to take traffic', async () => Object.keys(await spreadOver(4, lbIP, 80)).length === 4);
    expect(await spreadOver(40, lbIP, 80)).toEqual(evenly(four, 10));
  });
});

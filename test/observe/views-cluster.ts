// The cluster the views' end-to-end tests look at: `loopkube up` with 2 nodes; a 3-replica RC
// `web` behind a NodePort Service; in namespace `shop` a 1-replica `cart` behind a ClusterIP; and
// a NodePort Service `blocked` whose port on node-1 another process already holds, so the proxy
// cannot open that listener (EADDRINUSE) and the views must say so.
import net from 'node:net';
import type { Endpoints, Pod, Service } from '../../src/api/types.js';
import type { ApiClient } from '../../src/client/client.js';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';

export interface ViewsCluster {
  cluster: TestCluster;
  /** web's pods. */
  pods: Pod[];
  nodePort: number;
  blockedAddress: string;
  down(): Promise<void>;
}

function rc(name: string, replicas: number, env: Array<{ name: string; value: string }> = []): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name },
    spec: {
      replicas,
      selector: { app: name },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'loopkube/app', ports: [{ containerPort: 8080 }], env }] } },
    },
  };
}

async function readyEndpoints(client: ApiClient, ns: string, name: string, n: number): Promise<void> {
  await waitFor(
    `${n} ready endpoints for ${ns}/${name}`,
    async () => {
      const e = await client.get<Endpoints>(`/api/v1/namespaces/${ns}/endpoints/${name}`).catch(() => undefined);
      return (e?.subsets ?? []).reduce((k, s) => k + (s.addresses?.length ?? 0), 0) === n;
    },
    60_000,
  );
}

/** A free port in the NodePort range on `ip`, held by a listener of ours until release. */
async function holdNodePort(ip: string): Promise<{ port: number; release(): Promise<void> }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 30000 + Math.floor(Math.random() * 2700);
    const server = net.createServer((s) => s.destroy());
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen({ host: ip, port, exclusive: true }, () => resolve(true));
    });
    if (ok) return { port, release: () => new Promise<void>((r) => server.close(() => r())) };
  }
  throw new Error(`no free port in 30000-32699 on ${ip}`);
}

export async function startViewsCluster(): Promise<ViewsCluster> {
  const cluster = await startTestCluster({ nodes: 2 });
  let held: { port: number; release(): Promise<void> } | undefined;
  try {
    const { client } = cluster;
    await client.create('/api/v1/namespaces/default/replicationcontrollers', rc('web', 3, [{ name: 'RESPONSE_BYTES', value: '2048' }]));
    const svc = await client.create<Service>('/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    });
    await client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    await client.create('/api/v1/namespaces/shop/replicationcontrollers', rc('cart', 1));
    await client.create('/api/v1/namespaces/shop/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'cart' },
      spec: { selector: { app: 'cart' }, ports: [{ port: 8080 }] },
    });
    const node1 = cluster.config.nodes[0]!;
    held = await holdNodePort(node1.ip);
    await client.create('/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'blocked' },
      spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 81, targetPort: 8080, nodePort: held.port }] },
    });
    await readyEndpoints(client, 'default', 'web', 3);
    await readyEndpoints(client, 'shop', 'cart', 1);
    const pods = (await client.list<Pod>('/api/v1/namespaces/default/pods', { labelSelector: 'app=web' })).items;
    const release = held;
    return {
      cluster,
      pods,
      nodePort: svc.spec.ports![0]!.nodePort!,
      blockedAddress: `${node1.ip}:${held.port}`,
      async down() {
        await cluster.down();
        await release.release();
      },
    };
  } catch (err) {
    await cluster.down();
    await held?.release();
    throw err;
  }
}

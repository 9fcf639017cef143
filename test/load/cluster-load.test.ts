// `loopkube load` and the cluster DNS on a real cluster (`loopkube up --nodes 3`: control plane,
// three node processes, the proxy), driven through the built CLI as a user would.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourcePath } from '../../src/api/paths.js';
import { findResource } from '../../src/kinds/catalog.js';
import type { EndpointSlice, Service } from '../../src/api/types.js';
import type { LoadSummary } from '../../src/load/stats.js';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';
import { ENDPOINT_SLICES as SLICES } from '../../src/kinds/endpointslice/resource.js';
import { SERVICES } from '../../src/kinds/service/resource.js';


const MANIFEST = `
apiVersion: v1
kind: ReplicationController
metadata:
  name: web
spec:
  replicas: 3
  selector:
    app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: app
        image: loopkube/echo
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: 8080
`;

function dig(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('dig', ['+tries=1', '+time=2', '+short', ...args], { timeout: 15_000 }, (err, stdout) => {
      if (err && !stdout) reject(new Error(`dig ${args.join(' ')}: ${err.message}`));
      else resolve(stdout.trim());
    });
  });
}

describe('loopkube load on a 3-node cluster', () => {
  let c: TestCluster | undefined;
  let clusterIP = '';

  async function load(args: string[]): Promise<LoadSummary> {
    const r = await c!.loopkube(['load', '--name', c!.name, ...args, '--json'], { timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`loopkube load ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
    return JSON.parse(r.stdout) as LoadSummary;
  }

  beforeAll(async () => {
    c = await startTestCluster({ nodes: 3 });
    const applied = await c.kubectl(['apply', '-f', '-'], { input: MANIFEST });
    if (applied.code !== 0) throw new Error(`kubectl apply: ${applied.stderr}`);
    await waitFor(
      'three ready endpoints of svc/web',
      async () => {
        const slices = await c!.client.list<EndpointSlice>(resourcePath(SLICES, 'default'), { labelSelector: 'kubernetes.io/service-name=web' });
        return slices.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready).length === 3;
      },
      60_000,
    );
    clusterIP = (await c.client.get<Service>(resourcePath(SERVICES, 'default', 'web'))).spec.clusterIP!;
    // The proxy picks the service up within moments: wait until a small run is answered.
    await waitFor('svc/web to answer through its ClusterIP', async () => (await load(['svc/web', '--requests', '5'])).requests === 5, 30_000);
  });

  afterAll(async () => {
    await c?.down();
  });

  it('20 keep-alive connections, 3000 requests: the counts per pod sum to the requests made', async () => {
    const s = await load(['svc/web', '--connections', '20', '--requests', '3000']);
    expect(s.requests).toBe(3000);
    expect(s.errors).toEqual({});
    expect(s.pods).toHaveLength(3);
    expect(s.pods.reduce((n, p) => n + p.requests, 0)).toBe(3000);
    expect(s.pods.reduce((n, p) => n + p.connections, 0)).toBe(20);
    expect(s.latency.p50).toBeGreaterThan(0);
    expect(s.latency.p99).toBeGreaterThanOrEqual(s.latency.p50!);
    expect(s.target).toContain(`ClusterIP ${clusterIP}:80`);
  });

  it('a new connection per request spreads the requests round-robin over the pods', async () => {
    const s = await load(['svc/web', '--new-connection', '--connections', '3', '--requests', '300']);
    expect(s.requests).toBe(300);
    expect(s.pods.map((p) => p.requests)).toEqual([100, 100, 100]);
    expect(s.fairness.jain).toBe(1);
  });

  it('reaches the service through one node port', async () => {
    const s = await load(['svc/web', '--via', 'node-port', '--node', 'node-2', '--requests', '60']);
    expect(s.requests).toBe(60);
    expect(s.target).toContain('on node-2');
  });

  it('the cluster DNS answers the ClusterIP (UDP), and over TCP through the proxy from a node address', async () => {
    const { ip, port } = c!.config.dns;
    expect(await dig([`@${ip}`, '-p', String(port), 'web.default.svc.cluster.local'])).toBe(clusterIP);
    const node = c!.config.nodes[0]!.ip;
    expect(await dig(['+tcp', '-b', node, `@${ip}`, '-p', String(port), 'web.default.svc.cluster.local'])).toBe(clusterIP);
  });
});

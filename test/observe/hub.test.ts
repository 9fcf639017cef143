// The traffic hub against a real control plane (from dist): what viewers receive, what proxies
// may push, who is let in, the proxy's pusher riding out the hub going away, and the control
// plane's own /metrics.
import https from 'node:https';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Pod, Service } from '../../src/api/types.js';
import { createInformerFactory, type InformerFactory } from '../../src/client/informer-factory.js';
import { silentLogger } from '../../src/log.js';
import { createControlPlaneMetrics, type ControlPlaneMetrics } from '../../src/observe/control-plane-metrics.js';
import { parseExposition, samplesNamed } from '../../src/observe/exposition.js';
import { startTrafficHub, type TrafficHub } from '../../src/observe/hub.js';
import { PROXY_PATH } from '../../src/observe/protocol.js';
import { connectViewer, viewerUrl, type ViewerConnection } from '../../src/observe/viewer-model.js';
import { startTrafficPush, type TrafficPush } from '../../proxy/traffic-push.js';
import type { TrafficSnapshot } from '../../proxy/stats.js';
import { createFakeNode, setPodStatus, type FakeNode } from '../support/fake-nodes.js';
import { freePort, startTestControlPlane, waitFor, type TestControlPlane } from '../support/control-plane.js';

const DASHBOARD_TOKEN = 'dashboard-token-for-tests';
const rnd = (min: number, max: number): number => min + Math.floor(Math.random() * (max - min + 1));
const NODE_IP = `127.10.${rnd(1, 254)}.7`;
const POD_IP = `127.${rnd(150, 239)}.${rnd(0, 255)}.2`;

let cp: TestControlPlane;
let informers: InformerFactory;
let metrics: ControlPlaneMetrics;
let hub: TrafficHub;
let node: FakeNode;
const cleanups: Array<() => unknown> = [];

function httpGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type'] ?? '') }));
      })
      .on('error', reject);
  });
}

/** A proxy's counters that grow by `perCall` connections at every read, as a busy proxy's do. */
function growingSnapshot(perCall: number): () => TrafficSnapshot {
  let total = 0;
  return () => {
    total += perCall;
    const counters = { connectionsTotal: total, connectionsActive: 2, bytesIn: total * 100, bytesOut: total * 300, connectFailures: 0, refused: 0 };
    return {
      time: new Date().toISOString(),
      frontends: [{ namespace: 'default', service: 'web', port: 'http', kind: 'clusterIP', address: '127.96.0.50:80', node: null, ...counters, flows: [] }],
      endpoints: [{ namespace: 'default', service: 'web', port: 'http', endpoint: `${POD_IP}:8080`, node: 'node-a', ...counters }],
    };
  };
}

beforeAll(async () => {
  cp = await startTestControlPlane();
  node = await createFakeNode(cp.client, { name: 'node-a', ip: NODE_IP });
  const pod = await cp.client.create<Pod>('/api/v1/namespaces/default/pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', labels: { app: 'web' } },
    spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'loopkube/app', ports: [{ containerPort: 8080 }] }] },
  });
  await setPodStatus(cp.client, pod, { ip: POD_IP, ready: true });
  await cp.client.create<Service>('/api/v1/namespaces/default/services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
  });
  informers = createInformerFactory(cp.client);
  metrics = createControlPlaneMetrics();
  hub = await startTrafficHub({
    config: { name: cp.config.name, home: cp.home, dashboard: { port: 0 } },
    informers,
    clusterToken: cp.clientConfig.token,
    dashboardToken: DASHBOARD_TOKEN,
    metrics,
    logger: silentLogger(),
    port: 0,
    pollNodes: false,
  });
});

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await hub?.close();
  metrics?.stop();
  informers?.stop();
  await node?.delete();
  await cp?.stop();
});

async function viewer(): Promise<ViewerConnection> {
  const v = await connectViewer(viewerUrl(hub.port, DASHBOARD_TOKEN), () => undefined);
  cleanups.push(() => v.close());
  return v;
}

describe('traffic hub', () => {
  it('gives a viewer the nodes, pods with IP and node, services with their ports, and endpoints', async () => {
    const v = await viewer();
    const m = v.model;
    await waitFor('the service, its endpoints and the pod in the view', () =>
      m.services.has('default/web') && m.endpoints.get('default/web')?.addresses.length === 1 && m.pods.get('default/web-1')?.ip === POD_IP,
    );
    expect(m.cluster).toBe(cp.config.name);
    expect(m.nodes.get('node-a')).toMatchObject({ name: 'node-a', ip: NODE_IP, ready: 'True' });
    expect(m.pods.get('default/web-1')).toMatchObject({ node: 'node-a', ip: POD_IP, phase: 'Running', ready: true });
    const svc = m.services.get('default/web')!;
    expect(svc.type).toBe('NodePort');
    expect(svc.clusterIP).toMatch(/^127\./);
    expect(svc.ports[0]).toMatchObject({ name: 'http', port: 80, targetPort: '8080' });
    expect(svc.ports[0]!.nodePort).toBeGreaterThanOrEqual(30000);
    expect(m.endpoints.get('default/web')!.addresses[0]).toMatchObject({ ip: POD_IP, node: 'node-a', pod: 'web-1', ready: true });
  });

  it('sends what changes as it happens: a new pod, its deletion, and events', async () => {
    const v = await viewer();
    const m = v.model;
    await cp.client.create('/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'later' },
      spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'loopkube/app' }] },
    });
    await waitFor('the new pod in the view', () => m.pods.has('default/later'));
    await cp.client.delete('/api/v1/namespaces/default/pods/later', { gracePeriodSeconds: 0 });
    await waitFor('the deleted pod gone from the view', () => !m.pods.has('default/later'));
    await cp.client.create('/api/v1/namespaces/default/events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web-1.test' },
      involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default' },
      reason: 'Testing',
      message: 'an event from the test',
      type: 'Normal',
      source: { component: 'test' },
      firstTimestamp: new Date().toISOString(),
      lastTimestamp: new Date().toISOString(),
      count: 1,
    });
    const ev = await waitFor('the event in the view', () => m.events.find((e) => e.reason === 'Testing'));
    expect(ev).toMatchObject({ object: 'Pod/web-1', message: 'an event from the test', type: 'Normal' });
  });

  it("turns a proxy's pushed counters into per-endpoint connections/s, active connections and bytes/s", async () => {
    const v = await viewer();
    const push = startTrafficPush({
      home: cp.home,
      intervalMs: 200,
      snapshot: growingSnapshot(10),
      logger: silentLogger(),
      target: { url: `ws://127.0.0.1:${hub.port}${PROXY_PATH}`, token: cp.clientConfig.token },
    });
    cleanups.push(() => push.stop());
    const key = `default/web|http|${POD_IP}:8080`;
    const rate = await waitFor('a rate for the endpoint', () => {
      const r = v.model.endpointRates.get(key);
      return r && r.connPerSec > 0 ? r : undefined;
    });
    expect(rate).toMatchObject({ service: 'default/web', port: 'http', endpoint: `${POD_IP}:8080`, node: 'node-a', active: 2 });
    expect(rate.bytesPerSec).toBeGreaterThan(rate.connPerSec);
    expect(v.model.traffic.proxies).toBe(1);
    expect(v.model.traffic.totals.connPerSec).toBeGreaterThan(0);
    await waitFor('a point in the rate history', () => v.model.history.some((p) => p.connPerSec > 0));
    push.stop();
    await waitFor('the proxy gone from the view', () => v.model.traffic.proxies === 0, 15_000);
  });

  it.each([
    ['a proxy without a token', PROXY_PATH, {}],
    ['a proxy with the dashboard token', PROXY_PATH, { Authorization: `Bearer ${DASHBOARD_TOKEN}` }],
    ['a viewer without a token', '/ws/view', {}],
    ['a viewer with a wrong token', '/ws/view?token=nope', {}],
  ])('turns away %s (401)', async (_name, path, headers) => {
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${hub.port}${path}`, { headers });
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on('open', () => {
        ws.close();
        reject(new Error('the hub let it in'));
      });
      ws.on('error', () => undefined);
    });
    expect(status).toBe(401);
  });

  it("serves the dashboard page only with its token, and its metrics only with the cluster's token (not the dashboard's)", async () => {
    expect((await httpGet(`http://127.0.0.1:${hub.port}/`)).status).toBe(401);
    expect((await httpGet(`http://127.0.0.1:${hub.port}/?token=wrong`)).status).toBe(401);
    const page = await httpGet(`http://127.0.0.1:${hub.port}/?token=${DASHBOARD_TOKEN}`);
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    expect(page.body).toContain('<title>loopkube dashboard</title>');
    expect((await httpGet(`http://127.0.0.1:${hub.port}/metrics`)).status).toBe(401);
    expect((await httpGet(`http://127.0.0.1:${hub.port}/metrics`, { Authorization: `Bearer ${DASHBOARD_TOKEN}` })).status).toBe(401);
    expect((await httpGet(`http://127.0.0.1:${hub.port}/healthz`)).status).toBe(200);
    const m = await httpGet(`http://127.0.0.1:${hub.port}/metrics`, { Authorization: `Bearer ${cp.clientConfig.token}` });
    expect(m.status).toBe(200);
    const families = parseExposition(m.body);
    expect(samplesNamed(families, 'loopkube_dashboard_viewers')).toHaveLength(1);
    expect(samplesNamed(families, 'loopkube_traffic_hub_proxies')).toHaveLength(1);
  });

  it("keeps the proxy's pusher retrying while the hub is away, and it connects once the hub is up", async () => {
    const port = await freePort();
    const push: TrafficPush = startTrafficPush({
      home: cp.home,
      intervalMs: 200,
      snapshot: growingSnapshot(1),
      logger: silentLogger(),
      target: { url: `ws://127.0.0.1:${port}${PROXY_PATH}`, token: cp.clientConfig.token },
    });
    cleanups.push(() => push.stop());
    const start = (): Promise<TrafficHub> =>
      startTrafficHub({
        config: { name: cp.config.name, home: cp.home, dashboard: { port } },
        informers,
        clusterToken: cp.clientConfig.token,
        dashboardToken: DASHBOARD_TOKEN,
        logger: silentLogger(),
        port,
        pollNodes: false,
      });
    expect(push.connected()).toBe(false);
    let second = await start();
    cleanups.push(() => second.close());
    await waitFor('the pusher connected', () => push.connected(), 20_000);
    await second.close();
    await waitFor('the pusher noticing the hub is gone', () => !push.connected(), 20_000);
    second = await start();
    await waitFor('the pusher connected again', () => push.connected(), 20_000);
    const v = await connectViewer(viewerUrl(port, DASHBOARD_TOKEN), () => undefined);
    cleanups.push(() => v.close());
    await waitFor('rates from the reconnected pusher', () => v.model.traffic.proxies === 1 && v.model.traffic.totals.connPerSec > 0, 20_000);
  });
});

describe('control plane metrics', () => {
  function apiMetrics(): Promise<string> {
    return new Promise((resolve, reject) => {
      https
        .get(`${cp.clientConfig.server}/metrics`, { ca: cp.clientConfig.ca, headers: { Authorization: `Bearer ${cp.clientConfig.token}` } }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (d: string) => (body += d));
          res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}: ${body}`))));
        })
        .on('error', reject);
    });
  }

  it("serves the API server's request counts and latencies, open watches, store latency and reconcile durations", async () => {
    await cp.client.list('/api/v1/namespaces/default/pods');
    await cp.client.get('/api/v1/namespaces/default/pods/web-1');
    await cp.client.get('/api/v1/namespaces/default/pods/missing').catch(() => undefined);
    const families = parseExposition(await apiMetrics());
    const requests = samplesNamed(families, 'apiserver_request_total');
    expect(requests).toContainEqual(
      expect.objectContaining({ labels: expect.objectContaining({ verb: 'LIST', resource: 'pods', scope: 'namespace', code: '200' }) }),
    );
    expect(requests).toContainEqual(expect.objectContaining({ labels: expect.objectContaining({ verb: 'GET', resource: 'pods', scope: 'resource', code: '200' }) }));
    expect(requests).toContainEqual(expect.objectContaining({ labels: expect.objectContaining({ verb: 'GET', resource: 'pods', code: '404' }) }));
    expect(requests).toContainEqual(expect.objectContaining({ labels: expect.objectContaining({ verb: 'POST', resource: 'services', code: '201' }) }));
    const listLatency = samplesNamed(families, 'apiserver_request_duration_seconds_count').find((s) => s.labels.verb === 'LIST' && s.labels.resource === 'pods');
    expect(listLatency?.value).toBeGreaterThan(0);
    // the control plane's own controllers watch pods, nodes, services...
    const watches = samplesNamed(families, 'apiserver_longrunning_requests').filter((s) => s.labels.verb === 'WATCH');
    expect(watches.find((s) => s.labels.resource === 'pods')?.value).toBeGreaterThan(0);
    const writes = samplesNamed(families, 'loopkube_store_request_duration_seconds_count').filter((s) => s.labels.operation === 'create');
    expect(writes[0]?.value).toBeGreaterThan(0);
    expect(writes[0]?.labels.backend).toBe('embedded');
    const reconciles = samplesNamed(families, 'loopkube_controller_reconcile_duration_seconds_count');
    expect(reconciles.map((s) => s.labels.controller)).toEqual(expect.arrayContaining(['endpoints']));
    expect(samplesNamed(families, 'process_resident_memory_bytes')[0]?.value).toBeGreaterThan(0);
  });

  it('answers 401 to /metrics without the token, as the rest of the API', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      https
        .get(`${cp.clientConfig.server}/metrics`, { ca: cp.clientConfig.ca }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject);
    });
    expect(status).toBe(401);
  });
});

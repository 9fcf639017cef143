// A container's control, behind its node: the node's kubelet port (health server) changes the
// built-in app's readiness and liveness flags and crashes it, only with the cluster's bearer
// token; the app's own port answers the probes by those flags. Real sockets, no stand-ins.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_KNOBS } from '../../nodes/app-knobs.js';
import { createAppControl, PROBE_HEADER, type ContainerControl } from '../../nodes/control.js';
import { startHealthServer, type HealthServer } from '../../nodes/health-server.js';
import { newRequestCounter, startPodApp, type PodApp } from '../../nodes/pod-app.js';
import { sendPodControl, type PodControlAction } from '../../src/client/pod-control.js';
import { freePort } from '../support/wait.js';

const r = (lo: number, hi: number): number => lo + Math.floor(Math.random() * (hi - lo + 1));
const NODE_IP = `127.${r(200, 239)}.${r(0, 255)}.1`;
const POD_IP = NODE_IP.replace(/\.1$/, '.9');
const TOKEN = 'the-cluster-token';
const target = { namespace: 'shop', pod: 'web-1', container: 'app' };

let port = 0;
let health: HealthServer;
let app: PodApp;
let control: ContainerControl;
const crashes: number[] = [];
let changes = 0;

function get(host: string, p: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host, port: p, path, headers, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

const probe = (kind: string): Promise<number> => get(POD_IP, 8080, '/healthz', { [PROBE_HEADER]: kind }).then((a) => a.status);
const send = (action: PodControlAction, query: Record<string, string> = {}, token = TOKEN, to = target) =>
  sendPodControl({ nodeIP: NODE_IP, port, token, target: to, action, query });

beforeAll(async () => {
  port = await freePort(NODE_IP);
  const flags = createAppControl();
  control = { flags, hooks: { crash: (code) => crashes.push(code), changed: () => changes++ } };
  app = await startPodApp({
    identity: { pod: 'web-1', namespace: 'shop', podIP: POD_IP, node: 'node-1', container: 'app', hostname: 'web-1', version: 'latest' },
    port: 8080,
    knobs: DEFAULT_KNOBS,
    control: flags,
    counter: newRequestCounter(),
  });
  health = await startHealthServer({
    host: NODE_IP,
    port,
    healthy: () => true,
    metrics: () => '# TYPE loopkube_pod_requests_total counter\n',
    token: TOKEN,
    control: (ns, pod, container) =>
      ns === 'shop' && pod === 'web-1' ? (container === 'app' ? control : { missing: `pod ${ns}/${pod} has no container "${container}"` }) : { missing: `pod ${ns}/${pod} is not on node node-1` },
  });
});

afterAll(async () => {
  app?.destroy();
  await health?.close();
});

describe('pod control behind the node', () => {
  it('readiness=false makes readiness probes fail (liveness still passes), and true brings it back', async () => {
    expect(await probe('readiness')).toBe(200);
    const set = await send('readiness', { ready: 'false' });
    expect(set).toEqual({ status: 200, body: { ready: false, healthy: true } });
    expect(changes).toBeGreaterThan(0);
    expect(await probe('readiness')).toBe(503);
    expect(await probe('liveness')).toBe(200);
    await send('readiness', { ready: 'true' });
    expect(await probe('readiness')).toBe(200);
  });

  it('healthy=false makes liveness probes fail; state reports the flags', async () => {
    await send('liveness', { healthy: 'false' });
    expect(await probe('liveness')).toBe(503);
    expect((await send('state')).body).toEqual({ ready: true, healthy: false });
    await send('liveness', { healthy: 'true' });
    expect(await probe('liveness')).toBe(200);
  });

  it('crash makes the container exit with the code asked for, after the answer', async () => {
    const res = await send('crash', { exitCode: '3' });
    expect(res).toEqual({ status: 200, body: { crashing: true, exitCode: 3 } });
    await expect.poll(() => crashes).toEqual([3]);
  });

  const refusals: Array<{ rule: string; action: PodControlAction; query?: Record<string, string>; token?: string; to?: typeof target; status: number; error: RegExp }> = [
    { rule: 'no token', action: 'readiness', query: { ready: 'false' }, token: '', status: 401, error: /bearer token/ },
    { rule: 'a wrong token', action: 'crash', token: 'guess', status: 401, error: /bearer token/ },
    { rule: 'a flag that is not a boolean', action: 'readiness', query: { ready: 'maybe' }, status: 400, error: /ready must be true or false/ },
    { rule: 'an exit code out of range', action: 'crash', query: { exitCode: '300' }, status: 400, error: /between 0 and 255/ },
    { rule: 'a pod not on this node', action: 'crash', to: { ...target, pod: 'other' }, status: 404, error: /is not on node/ },
    { rule: 'a container the pod does not have', action: 'crash', to: { ...target, container: 'sidecar' }, status: 404, error: /no container "sidecar"/ },
  ];
  for (const row of refusals) {
    it(`refuses ${row.rule} (${row.status}) and changes nothing`, async () => {
      const before = { ...control.flags };
      const crashed = crashes.length;
      const res = await send(row.action, row.query, row.token ?? TOKEN, row.to ?? target);
      expect(res.status).toBe(row.status);
      expect(String(res.body.error)).toMatch(row.error);
      expect(control.flags).toEqual(before);
      await new Promise((done) => setImmediate(done));
      expect(crashes.length).toBe(crashed);
    });
  }

  it('a change asked with GET is 405, an unknown action 404', async () => {
    expect((await get(NODE_IP, port, '/control/shop/web-1/app/crash', { Authorization: `Bearer ${TOKEN}` })).status).toBe(405);
    expect((await get(NODE_IP, port, '/control/shop/web-1/app/explode', { Authorization: `Bearer ${TOKEN}` })).status).toBe(404);
  });

  it('serves /metrics only with the token, and /healthz to anyone', async () => {
    expect((await get(NODE_IP, port, '/metrics')).status).toBe(401);
    expect((await get(NODE_IP, port, '/metrics', { Authorization: 'Bearer nope' })).status).toBe(401);
    const m = await get(NODE_IP, port, '/metrics', { Authorization: `Bearer ${TOKEN}` });
    expect(m.status).toBe(200);
    expect(m.body).toContain('loopkube_pod_requests_total');
    expect((await get(NODE_IP, port, '/healthz')).status).toBe(200);
  });
});

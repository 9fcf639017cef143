import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_KNOBS, parseAppKnobs, type AppKnobs } from '../../nodes/app-knobs.js';
import { createAppControl, PROBE_HEADER } from '../../nodes/control.js';
import { newRequestCounter, startPodApp, type PodApp, type RequestCounter } from '../../nodes/pod-app.js';

/** A pod IP no other test uses: 127.<200-239>.<random>.<random>. */
function randomPodIP(): string {
  const r = (lo: number, hi: number): number => lo + Math.floor(Math.random() * (hi - lo + 1));
  return `127.${r(200, 239)}.${r(0, 255)}.${r(2, 254)}`;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  localPort: number;
}

function request(opts: http.RequestOptions): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(opts, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, localPort: req.socket?.localPort ?? 0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const apps: PodApp[] = [];
afterEach(() => {
  for (const a of apps.splice(0)) a.destroy();
});

async function startApp(over: Partial<{ ip: string; port: number; knobs: AppKnobs; counter: RequestCounter; container: string }> = {}) {
  const ip = over.ip ?? randomPodIP();
  const control = createAppControl();
  const counter = over.counter ?? newRequestCounter();
  const app = await startPodApp({
    identity: { pod: 'web-1', namespace: 'shop', podIP: ip, node: 'node-2', container: over.container ?? 'app', hostname: 'web-1', version: 'a1b2c3d4e5' },
    port: over.port ?? 8080,
    knobs: over.knobs ?? DEFAULT_KNOBS,
    control,
    counter,
  });
  apps.push(app);
  return { app, ip, control, counter };
}

describe('built-in pod app', () => {
  it('answers GET / with who served it and the client address it saw', async () => {
    const { ip } = await startApp();
    const clientIP = '127.0.0.9';
    const res = await request({ host: ip, port: 8080, path: '/', localAddress: clientIP });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({ pod: 'web-1', namespace: 'shop', podIP: ip, node: 'node-2', container: 'app', port: 8080, hostname: 'web-1', version: 'a1b2c3d4e5', clientIP, requests: 1 });
    expect(body.clientPort).toBe(res.localPort);
  });

  it('counts requests per pod, across containers and ports', async () => {
    const ip = randomPodIP();
    const counter = newRequestCounter();
    await startApp({ ip, port: 8080, counter, container: 'a' });
    await startApp({ ip, port: 9090, counter, container: 'b' });
    await request({ host: ip, port: 8080, path: '/' });
    const second = JSON.parse((await request({ host: ip, port: 9090, path: '/' })).body);
    expect(second).toMatchObject({ container: 'b', port: 9090, requests: 2 });
    // and per port and status, which is what makes requests/s per endpoint (ip:port)
    expect(Object.fromEntries(counter.byPort)).toEqual({ 8080: { 200: 1 }, 9090: { 200: 1 } });
  });

  it('keeps connections alive between requests', async () => {
    const { ip } = await startApp();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const a = JSON.parse((await request({ host: ip, port: 8080, path: '/', agent })).body);
      const b = JSON.parse((await request({ host: ip, port: 8080, path: '/', agent })).body);
      expect(b.clientPort).toBe(a.clientPort);
    } finally {
      agent.destroy();
    }
  });

  it('pads the answer to RESPONSE_BYTES', async () => {
    const { ip } = await startApp({ knobs: { ...DEFAULT_KNOBS, responseBytes: 4096 } });
    const res = await request({ host: ip, port: 8080, path: '/' });
    expect(Buffer.byteLength(res.body)).toBe(4096);
    expect(Number(res.headers['content-length'])).toBe(4096);
    expect(JSON.parse(res.body).pod).toBe('web-1');
  });

  it('fails every request with 500 when ERROR_RATE is 1, still naming the pod', async () => {
    const counter = newRequestCounter();
    const { ip } = await startApp({ knobs: { ...DEFAULT_KNOBS, errorRate: 1 }, counter });
    const res = await request({ host: ip, port: 8080, path: '/' });
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body).pod).toBe('web-1');
    expect(counter.byPort.get(8080)).toEqual({ 500: 1 });
  });

  it('waits RESPONSE_DELAY_MS before answering', async () => {
    const { ip } = await startApp({ knobs: { ...DEFAULT_KNOBS, delayMs: 150 } });
    const t0 = Date.now();
    const res = await request({ host: ip, port: 8080, path: '/' });
    expect(res.status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('fails readiness probes, not liveness probes, while its readiness flag is down', async () => {
    const { ip, control } = await startApp();
    const readiness = { [PROBE_HEADER]: 'readiness' };
    const liveness = { [PROBE_HEADER]: 'liveness' };
    expect((await request({ host: ip, port: 8080, path: '/healthz', headers: readiness })).status).toBe(200);
    control.ready = false;
    expect((await request({ host: ip, port: 8080, path: '/healthz', headers: readiness })).status).toBe(503);
    expect((await request({ host: ip, port: 8080, path: '/healthz', headers: liveness })).status).toBe(200);
    expect((await request({ host: ip, port: 8080, path: '/readyz' })).status).toBe(503);
    control.ready = true;
    expect((await request({ host: ip, port: 8080, path: '/healthz', headers: readiness })).status).toBe(200);
  });

  it('fails liveness probes and /healthz while its health flag is down', async () => {
    const { ip, control } = await startApp();
    control.healthy = false;
    expect((await request({ host: ip, port: 8080, path: '/healthz', headers: { [PROBE_HEADER]: 'liveness' } })).status).toBe(503);
    expect((await request({ host: ip, port: 8080, path: '/healthz' })).status).toBe(503);
  });

  // The pod's ports are reachable through every NodePort and load balancer: nothing sent to
  // them may change the pod (its control is behind the node: pod-control.test.ts).
  it.each([
    ['POST', '/_loopkube/readiness?ready=false'],
    ['POST', '/_loopkube/liveness?healthy=false'],
    ['POST', '/_loopkube/crash?exitCode=1'],
    ['POST', '/control/shop/web-1/app/readiness?ready=false'],
  ])('answers %s %s as any other request, and changes nothing', async (method, path) => {
    const { ip, control } = await startApp();
    const res = await request({ host: ip, port: 8080, path, method });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ pod: 'web-1', container: 'app' });
    expect(control).toEqual({ ready: true, healthy: true });
    expect((await request({ host: ip, port: 8080, path: '/readyz' })).status).toBe(200);
  });

  it('answers garbage with 400 and keeps serving', async () => {
    const { ip } = await startApp();
    const reply = await new Promise<string>((resolve, reject) => {
      const s = net.connect({ host: ip, port: 8080 }, () => s.write('NOT HTTP AT ALL\r\n\r\n'));
      let data = '';
      s.on('data', (c) => (data += c.toString()));
      s.on('close', () => resolve(data));
      s.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1.1 400/);
    expect((await request({ host: ip, port: 8080, path: '/' })).status).toBe(200);
  });

  it('refuses to start on an address and port already taken', async () => {
    const { ip } = await startApp();
    await expect(startApp({ ip })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('drains: new connections are refused while an in-flight request still gets its answer', async () => {
    const { app, ip, counter } = await startApp({ knobs: { ...DEFAULT_KNOBS, delayMs: 1000 } });
    const inFlight = request({ host: ip, port: 8080, path: '/' });
    await expect.poll(() => counter.requests).toBe(1);
    const drained = app.drain();
    await expect(request({ host: ip, port: 8080, path: '/' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.headers.connection).toBe('close');
    await drained;
  });

  it('drains keep-alive connections without racing the client: a request on an idle one is answered with Connection: close; one left idle is closed', async () => {
    const { app, ip } = await startApp();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await request({ host: ip, port: 8080, path: '/', agent });
      expect(first.headers.connection).toBe('keep-alive');
      // A second connection that stays idle through the drain.
      const idle = net.connect({ host: ip, port: 8080 });
      await new Promise<void>((r) => idle.once('connect', () => r()));
      const idleClosed = new Promise<void>((r) => idle.once('close', () => r()));
      const drained = app.drain();
      // The kept-alive connection was idle when the drain began: its next request still gets an answer.
      const again = await request({ host: ip, port: 8080, path: '/', agent });
      expect(again.status).toBe(200);
      expect(again.localPort).toBe(first.localPort);
      expect(again.headers.connection).toBe('close');
      await idleClosed;
      await drained;
    } finally {
      agent.destroy();
    }
  });

  it('destroy cuts in-flight requests at once', async () => {
    const { app, ip, counter } = await startApp({ knobs: { ...DEFAULT_KNOBS, delayMs: 5000 } });
    const inFlight = request({ host: ip, port: 8080, path: '/' });
    await expect.poll(() => counter.requests).toBe(1);
    app.destroy();
    await expect(inFlight).rejects.toMatchObject({ code: 'ECONNRESET' });
  });
});

describe('app knobs from the container env', () => {
  it('reads the knobs', () => {
    const { knobs, problems } = parseAppKnobs([
      { name: 'RESPONSE_DELAY_MS', value: '25' },
      { name: 'RESPONSE_BYTES', value: '1024' },
      { name: 'ERROR_RATE', value: '0.25' },
      { name: 'OTHER', value: 'x' },
    ]);
    expect(knobs).toEqual({ ...DEFAULT_KNOBS, delayMs: 25, responseBytes: 1024, errorRate: 0.25 });
    expect(problems).toEqual([]);
  });

  it.each([
    ['a negative delay', 'RESPONSE_DELAY_MS', '-5'],
    ['a delay that is not a number', 'RESPONSE_DELAY_MS', 'soon'],
    ['a fractional size', 'RESPONSE_BYTES', '10.5'],
    ['an error rate above 1', 'ERROR_RATE', '1.5'],
    ['an empty error rate', 'ERROR_RATE', ''],
  ])('ignores %s and says which variable and rule', (_rule, name, value) => {
    const { knobs, problems } = parseAppKnobs([{ name, value }]);
    expect(knobs).toEqual(DEFAULT_KNOBS);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(name);
    expect(problems[0]).toMatch(/must be/);
  });
});

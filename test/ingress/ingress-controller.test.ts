// The built-in ingress controller end to end, in a cluster started as a user starts it: the
// default IngressClass, the address written into each Ingress's status, routing by host and path
// to real pods (round-robin per request over the ready endpoints), the headers it adds (seen by a
// real HTTP server behind a selector-less Service), 503 for a Service without ready endpoints,
// 404 from the default backend, TLS with the Ingress's Secret by SNI, and its Prometheus metrics.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ingress } from '../../src/api/networking.js';
import { INGRESS_METRICS_PORT, expectedIngressPorts, ingressAddress } from '../../src/ingress/address.js';
import { createCertificateAuthority } from '../../src/pki/ca.js';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';

let c: TestCluster;
let address = '';
const { http: HTTP_PORT, https: HTTPS_PORT } = expectedIngressPorts();

interface Answer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

function get(host: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: address, port: HTTP_PORT, path, headers: { host, ...headers }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

const podOf = (a: Answer): string => (JSON.parse(a.body) as { pod: string }).pod;

// a real server behind a Service without a selector: it answers with the request it saw
let echo: http.Server;
let echoPort = 0;
const tls = createCertificateAuthority('secure.example', 30);

const deployment = (name: string, replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'loopkube/app', ports: [{ containerPort: 8080 }] }] } } },
});
const service = (name: string, selector: boolean) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ...(selector ? { selector: { app: name } } : {}), ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
const path = (pathType: string, p: string, svc: string, port: Record<string, unknown> = { number: 80 }) => ({ path: p, pathType, backend: { service: { name: svc, port } } });

beforeAll(async () => {
  echo = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ url: req.url, headers: req.headers }));
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
  echoPort = (echo.address() as AddressInfo).port;

  c = await startTestCluster({ nodes: 1 });
  address = ingressAddress(c.config.loadBalancerPool) ?? '';
  const objects: unknown[] = [
    deployment('web', 2),
    deployment('api', 1),
    service('web', true),
    service('api', true),
    service('empty', true),
    service('echo', false),
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'echo-1', labels: { 'kubernetes.io/service-name': 'echo' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
      ports: [{ name: 'http', port: echoPort, protocol: 'TCP' }],
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'secure-tls' }, type: 'kubernetes.io/tls', stringData: { 'tls.crt': tls.cert, 'tls.key': tls.key } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'site' },
      spec: {
        tls: [{ hosts: ['secure.example'], secretName: 'secure-tls' }],
        rules: [
          { host: 'shop.example', http: { paths: [path('Prefix', '/', 'web'), path('Prefix', '/api', 'api', { name: 'http' }), path('Exact', '/empty', 'empty')] } },
          { host: '*.wild.example', http: { paths: [path('Prefix', '/', 'api')] } },
          { host: 'echo.example', http: { paths: [path('Prefix', '/', 'echo')] } },
          { host: 'secure.example', http: { paths: [path('Prefix', '/', 'echo')] } },
        ],
      },
    },
  ];
  for (const obj of objects) {
    const r = await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(obj) });
    if (r.code !== 0) throw new Error(r.stderr);
  }
  await waitFor('the ingress routing to every pod of web and api', async () => {
    try {
      const [w1, w2, a] = [await get('shop.example', '/'), await get('shop.example', '/'), await get('shop.example', '/api')];
      return w1.status === 200 && w2.status === 200 && a.status === 200 && podOf(w1) !== podOf(w2);
    } catch {
      return false;
    }
  }, 90_000);
});

afterAll(async () => {
  await c?.down();
  await new Promise<void>((r) => (echo ? echo.close(() => r()) : r()));
});

describe('the built-in ingress controller', () => {
  it('the Ingress got the default class and the controller writes its address into the status', async () => {
    const ing = await waitFor('the ingress address in the status', async () => {
      const i = JSON.parse((await c.kubectl(['get', 'ingress', 'site', '-o', 'json'])).stdout) as Ingress;
      return i.status?.loadBalancer?.ingress?.[0]?.ip ? i : undefined;
    });
    expect(ing.spec.ingressClassName).toBe('loopkube');
    expect(ing.status?.loadBalancer?.ingress).toEqual([{ ip: address }]);
    const table = (await c.kubectl(['get', 'ingress', 'site'])).stdout;
    expect(table).toMatch(new RegExp(`site\\s+loopkube\\s+shop.example,\\*.wild.example,echo.example \\+ 1 more...\\s+${address.replace(/\./g, '\\.')}\\s+80, 443`));
  });

  it('routes by host and path, round-robin per request over the ready pods', async () => {
    const web = new Map<string, number>();
    for (let i = 0; i < 10; i++) {
      const pod = podOf(await get('shop.example', '/catalog'));
      web.set(pod, (web.get(pod) ?? 0) + 1);
    }
    expect([...web.keys()].every((p) => p.startsWith('web-'))).toBe(true);
    expect([...web.values()]).toEqual([5, 5]);
    expect(podOf(await get('shop.example', '/api/v1'))).toMatch(/^api-/);
    expect(podOf(await get('shop.example', '/apiary'))).toMatch(/^web-/);
    expect(podOf(await get('x.wild.example', '/'))).toMatch(/^api-/);
  });

  const statuses: Array<{ rule: string; host: string; path: string; status: number; body: RegExp }> = [
    { rule: 'an unknown host gets the default backend 404', host: 'nowhere.example', path: '/', status: 404, body: /default backend - 404/ },
    { rule: 'a wildcard does not match two labels', host: 'a.b.wild.example', path: '/', status: 404, body: /default backend - 404/ },
    { rule: 'a Service without ready endpoints answers 503 saying so', host: 'shop.example', path: '/empty', status: 503, body: /service "default\/empty" has no ready endpoints/ },
  ];
  for (const s of statuses) {
    it(s.rule, async () => {
      const a = await get(s.host, s.path);
      expect(a.status).toBe(s.status);
      expect(a.body).toMatch(s.body);
    });
  }

  it('adds X-Forwarded-For/-Proto/-Host/-Port and X-Request-ID, keeps the path and query', async () => {
    const a = await get('echo.example', '/p/q?x=1', { 'x-forwarded-for': '10.1.2.3' });
    const seen = JSON.parse(a.body) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe('/p/q?x=1');
    expect(seen.headers['x-forwarded-for']).toBe('10.1.2.3, 127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.headers['x-forwarded-host']).toBe('echo.example');
    expect(seen.headers['x-forwarded-port']).toBe(String(HTTP_PORT));
    expect(seen.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    const kept = JSON.parse((await get('echo.example', '/', { 'x-request-id': 'abc' })).body) as { headers: Record<string, string> };
    expect(kept.headers['x-request-id']).toBe('abc');
  });

  it('terminates TLS with the Ingress Secret chosen by SNI', async () => {
    const answer = await new Promise<{ status: number; body: string; subject: string }>((resolve, reject) => {
      const req = https.request({ host: address, port: HTTPS_PORT, servername: 'secure.example', path: '/', headers: { host: 'secure.example' }, ca: tls.cert, agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, subject: String((res.socket as import('node:tls').TLSSocket).getPeerCertificate().subject?.CN ?? '') }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(200);
    expect(answer.subject).toBe('secure.example');
    expect((JSON.parse(answer.body) as { headers: Record<string, string> }).headers['x-forwarded-proto']).toBe('https');
  });

  const metrics = (headers: Record<string, string>): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      http.get({ host: address, port: INGRESS_METRICS_PORT, path: '/metrics', agent: false, headers }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }).on('error', reject);
    });

  it('keeps its metrics behind the cluster token', async () => {
    expect((await metrics({})).status).toBe(401);
    expect((await metrics({ Authorization: 'Bearer not-the-token' })).status).toBe(401);
  });

  it('counts requests per route and backend pod in Prometheus text', async () => {
    const answer = await metrics({ Authorization: `Bearer ${c.client.config.token}` });
    expect(answer.status).toBe(200);
    const text = answer.body;
    expect(text).toMatch(/loopkube_ingress_requests_total\{ingress="default\/site",route="shop.example\/",service="default\/web",pod="127\.[0-9.]+:8080",status="2xx"\} \d+/);
    expect(text).toMatch(/loopkube_ingress_requests_total\{ingress="default\/site",route="shop.example\/empty",service="default\/empty",pod="",status="5xx"\} 1/);
    expect(text).toMatch(/loopkube_ingress_request_duration_seconds\{.*quantile="0.99"\}/);
  });
});

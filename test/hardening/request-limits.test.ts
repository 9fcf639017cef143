// What a request may weigh, as kube-apiserver and etcd bound it (src/apiserver/request-limits.ts):
// an object over etcd's 1.5 MiB is refused with etcd's own words, JSON nested past encoding/json's
// 10000 levels and a YAML alias bomb are 400s before anything walks them, and a watch with a
// timeoutSeconds past Node's longest timer keeps running. After each, nothing changed in the store
// and the control plane still answers (it never restarted).
import http2 from 'node:http2';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeList, Status } from '../../src/api/types.js';
import { MAX_JSON_DEPTH, MAX_OBJECT_BYTES } from '../../src/apiserver/request-limits.js';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';

let cp: TestControlPlane;
const NS = 'limits';
const CM = `/api/v1/namespaces/${NS}/configmaps`;

interface Answer {
  code: number;
  text: string;
}

function send(method: string, path: string, body?: string, contentType = 'application/json'): Promise<Answer> {
  const url = new URL(cp.clientConfig.server);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        ca: cp.clientConfig.ca,
        agent: false,
        headers: {
          Authorization: `Bearer ${cp.clientConfig.token}`,
          Accept: 'application/json',
          ...(body !== undefined ? { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(body)) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const EP = `/api/v1/namespaces/${NS}/endpoints`;
/** An Endpoints object of `n` addresses (~20 bytes each): no field limit of its own below etcd's. */
const endpoints = (name: string, n: number): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name },
  subsets: [{ addresses: Array.from({ length: n }, (_, i) => ({ ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` })), ports: [{ port: 80 }] }],
});
const OVER = Math.ceil(MAX_OBJECT_BYTES / 18);

const configMap = (name: string, data: Record<string, string>): string => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

/** `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":N},"data":{},"x":[[[...]]]}`, `depth` brackets in all. */
function nested(name: string, depth: number): string {
  const inner = depth - 1; // the object itself is one level
  return `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"},"x":${'['.repeat(inner)}${']'.repeat(inner)}}`;
}

async function names(): Promise<string[]> {
  const r = await send('GET', CM);
  expect(r.code).toBe(200);
  return (JSON.parse(r.text) as KubeList).items.map((o) => o.metadata.name ?? '').sort();
}

/** Sends a POST's headers and part of its body over HTTP/1.1, then nothing; resolves with the answer's body. */
function stalledHttp1(path: string, length: number, part: string): Promise<string> {
  const url = new URL(cp.clientConfig.server);
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: url.hostname,
      port: url.port,
      method: 'POST',
      path,
      ca: cp.clientConfig.ca,
      agent: false,
      headers: { Authorization: `Bearer ${cp.clientConfig.token}`, 'Content-Type': 'application/json', 'Content-Length': String(length) },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        req.destroy();
        resolve(Buffer.concat(chunks).toString('utf8'));
      });
    });
    req.on('error', reject);
    req.write(part);
  });
}

/** The same over HTTP/2. */
function stalledHttp2(path: string, length: number, part: string): Promise<string> {
  const session = http2.connect(cp.clientConfig.server, { ca: cp.clientConfig.ca });
  return new Promise<string>((resolve, reject) => {
    session.on('error', reject);
    const stream = session.request({ ':method': 'POST', ':path': path, authorization: `Bearer ${cp.clientConfig.token}`, 'content-type': 'application/json', 'content-length': String(length) });
    const chunks: Buffer[] = [];
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
    stream.write(part);
  }).finally(() => session.destroy());
}

beforeAll(async () => {
  cp = await startTestControlPlane();
  await cp.client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  await cp.client.create(CM, JSON.parse(configMap('keep', { a: 'b' })));
  await cp.client.create(EP, endpoints('keep', 2));
}, 60_000);

afterAll(async () => {
  await cp?.stop();
});

describe('request limits, as kube-apiserver and etcd', () => {
  it.each([
    // [what, method, path, body, content type, code, message]
    ['a create over 1.5 MiB', 'POST', EP, JSON.stringify(endpoints('big', OVER)), 'application/json', 500, 'etcdserver: request is too large'],
    ['a merge patch that grows an object past 1.5 MiB', 'PATCH', `${EP}/keep`, JSON.stringify({ subsets: endpoints('keep', OVER).subsets }), 'application/merge-patch+json', 500, 'etcdserver: request is too large'],
    [
      `JSON nested ${MAX_JSON_DEPTH + 1} levels`,
      'POST',
      CM,
      nested('deep', MAX_JSON_DEPTH + 1),
      'application/json',
      400,
      "couldn't get version/kind; json parse error: invalid character '[' exceeded max depth",
    ],
    [
      'a YAML alias bomb',
      'POST',
      CM,
      ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: bomb}', 'a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`)].join('\n'),
      'application/yaml',
      400,
      'error converting YAML to JSON: yaml: document contains excessive aliasing',
    ],
  ])('%s (%s %s) is refused with upstream’s code and words, and nothing changes', async (_what, method, path, body, contentType, code, message) => {
    const before = [await names(), (await send('GET', EP)).text];
    const keep = await send('GET', `${EP}/keep`);
    const r = await send(method, path, body, contentType);
    expect(r.code, r.text.slice(0, 300)).toBe(code);
    const status = JSON.parse(r.text) as Status;
    expect(status).toMatchObject({ kind: 'Status', status: 'Failure', code, message });
    expect([await names(), (await send('GET', EP)).text]).toEqual(before);
    expect((await send('GET', `${EP}/keep`)).text).toBe(keep.text);
  });

  it('JSON nested deep but within the limit is read (its unknown field is dropped), with no stack overflow', async () => {
    const r = await send('POST', CM, nested('deep-ok', MAX_JSON_DEPTH));
    expect(r.code, r.text.slice(0, 300)).toBe(201);
    expect(JSON.parse(r.text)).not.toHaveProperty('x');
  });

  it('an object just under 1.5 MiB is stored', async () => {
    const r = await send('POST', EP, JSON.stringify(endpoints('almost', Math.floor(MAX_OBJECT_BYTES / 24))));
    expect(r.code, r.text.slice(0, 300)).toBe(201);
  });

  it('a watch with timeoutSeconds past Node’s longest timer (24.8 days) keeps running, as the asked timeout says', async () => {
    const url = new URL(cp.clientConfig.server);
    const outcome = await new Promise<string>((resolve, reject) => {
      const req = https.get(
        { host: url.hostname, port: url.port, path: `${CM}?watch=1&timeoutSeconds=2147484`, ca: cp.clientConfig.ca, agent: false, headers: { Authorization: `Bearer ${cp.clientConfig.token}` } },
        (res) => {
          res.setEncoding('utf8');
          let seen = '';
          res.on('data', (d: string) => {
            seen += d;
            // the initial ADDED events came, and then the watch is still open for a change made after them
            if (seen.includes('"keep"') && !seen.includes('"after"')) void cp.client.create(CM, JSON.parse(configMap('after', { a: 'b' })));
            if (seen.includes('"after"')) {
              req.destroy();
              resolve('still watching');
            }
          });
          res.on('end', () => resolve('ended'));
        },
      );
      req.on('error', (err) => (err.message === 'socket hang up' ? undefined : reject(err)));
    });
    expect(outcome).toBe('still watching');
  }, 30_000);

  it.each(['HTTP/1.1', 'HTTP/2'])(
    'a %s body that stalls after its headers is answered at the request’s deadline with the timeout filter’s 504, and nothing is created',
    async (protocol) => {
      const body = configMap('stalled', { a: 'b' });
      const half = body.slice(0, body.length >> 1);
      const path = `${CM}?timeout=1s`;
      const text = protocol === 'HTTP/2' ? await stalledHttp2(path, body.length, half) : await stalledHttp1(path, body.length, half);
      expect(JSON.parse(text)).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Timeout: request did not complete within requested timeout - context deadline exceeded',
        reason: 'Timeout',
        details: {},
        code: 504,
      });
      expect(await names()).not.toContain('stalled');
    },
    30_000,
  );

  it('a timeout the URL gives that Go cannot parse is a 400 in upstream’s words', async () => {
    const r = await send('GET', `${CM}?timeout=soon`);
    expect(r.code).toBe(400);
    expect(JSON.parse(r.text)).toMatchObject({ reason: 'BadRequest', message: 'invalid timeout specified in the request URL - time: invalid duration "soon"' });
  });

  it.each([
    // [what, header bytes, code]
    ['64 KiB of headers (past Node’s 16 KiB default, within kube-apiserver’s 1 MiB) are read', 64 * 1024, 200],
    ['headers over 1 MiB get Go’s 431', 1100 * 1024, 431],
  ])('%s', async (_what, bytes, code) => {
    const url = new URL(cp.clientConfig.server);
    const got = await new Promise<number>((resolve, reject) => {
      https
        .get(
          { host: url.hostname, port: url.port, path: CM, ca: cp.clientConfig.ca, agent: false, headers: { Authorization: `Bearer ${cp.clientConfig.token}`, 'X-Padding': 'p'.repeat(bytes) } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        )
        .on('error', reject);
    });
    expect(got).toBe(code);
  });

  it('the control plane never restarted', () => {
    expect(cp.process.exitCode).toBeNull();
  });
});

// kube-apiserver's wire format, byte for byte where clients compare bytes: the body of a Status,
// what DELETE answers per kind (the deleted object, or a Status of Success), chunked lists with
// limit and continue, boolean query parameters in any spelling, the streaming list of client-go
// (sendInitialEvents with the initial-events-end bookmark), and upstream's errors for bad values.
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';

let cp: TestControlPlane;

interface Answer {
  code: number;
  body: string;
}

function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
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
        headers: { Authorization: `Bearer ${cp.clientConfig.token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString('utf8')));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body !== undefined ? JSON.stringify(body) : undefined);
  });
}

/** The lines of a watch stream that ends by its timeoutSeconds. */
async function watchLines(path: string): Promise<Array<{ type: string; object: { kind: string; metadata: { name?: string; resourceVersion?: string; annotations?: Record<string, string> } } }>> {
  const a = await request('GET', path);
  expect(a.code).toBe(200);
  return a.body.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

const NS = '/api/v1/namespaces/wire';
const svc = (name: string): unknown => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }] } });
const rc = (name: string): unknown => ({
  apiVersion: 'v1',
  kind: 'ReplicationController',
  metadata: { name },
  spec: { replicas: 0, selector: { app: name }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
});

beforeAll(async () => {
  cp = await startTestControlPlane();
  expect((await request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'wire' } })).code).toBe(201);
  for (const n of ['a', 'b', 'c', 'd', 'e']) expect((await request('POST', `${NS}/services`, svc(n))).code).toBe(201);
});

afterAll(async () => {
  await cp?.stop();
});

describe('bodies', () => {
  it('a Status is written in upstream field order and ends with a newline', async () => {
    const a = await request('GET', `${NS}/pods/nope`);
    expect(a.code).toBe(404);
    expect(a.body).toBe('{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \\"nope\\" not found","reason":"NotFound","details":{"name":"nope","kind":"pods"},"code":404}\n');
  });

  it('objects are written as Go writes them: kind first, fields Go always writes, a newline', async () => {
    const a = await request('GET', `${NS}/services/a`);
    expect(a.body.startsWith('{"kind":"Service","apiVersion":"v1","metadata":{"name":"a","namespace":"wire",')).toBe(true);
    expect(a.body.endsWith('}\n')).toBe(true);
    expect(JSON.parse(a.body).status).toEqual({ loadBalancer: {} });
  });
});

describe('DELETE answers as upstream per kind', () => {
  it('a service: the deleted service', async () => {
    expect((await request('POST', `${NS}/services`, svc('gone'))).code).toBe(201);
    const a = await request('DELETE', `${NS}/services/gone`);
    expect(a.code).toBe(200);
    expect(JSON.parse(a.body)).toMatchObject({ kind: 'Service', metadata: { name: 'gone' } });
  });

  it('a replication controller removed at once (background, as kubectl asks): a Status of Success naming it', async () => {
    const created = await request('POST', `${NS}/replicationcontrollers`, rc('web'));
    expect(created.code).toBe(201);
    const uid = JSON.parse(created.body).metadata.uid as string;
    const a = await request('DELETE', `${NS}/replicationcontrollers/web?propagationPolicy=Background`);
    expect(a.code).toBe(200);
    expect(a.body).toBe(`{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":"web","kind":"replicationcontrollers","uid":"${uid}"}}\n`);
  });

  it('a replication controller whose delete only starts (its default: orphan, a finalizer): the object, terminating', async () => {
    expect((await request('POST', `${NS}/replicationcontrollers`, rc('slow'))).code).toBe(201);
    const a = await request('DELETE', `${NS}/replicationcontrollers/slow`);
    expect(a.code).toBe(200);
    expect(JSON.parse(a.body)).toMatchObject({ kind: 'ReplicationController', metadata: { name: 'slow', finalizers: ['orphan'] } });
  });

  it.each([
    ['?propagationPolicy=Later', 422, 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Later": supported values: "Foreground", "Background", "Orphan", "nil"'],
    ['?gracePeriodSeconds=soon', 400, 'strconv.ParseInt: parsing "soon": invalid syntax'],
    ['?dryRun=Yes', 422, 'DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Yes"}: supported values: "All"'],
  ])('bad delete options %s: %d', async (query, code, message) => {
    const a = await request('DELETE', `${NS}/services/a${query}`);
    expect(a.code).toBe(code);
    expect(JSON.parse(a.body).message).toBe(message);
  });
});

describe('lists', () => {
  it('pages with limit and continue, every item once, with remainingItemCount', async () => {
    const first = JSON.parse((await request('GET', `${NS}/services?limit=2`)).body);
    expect(first.items.map((s: { metadata: { name: string } }) => s.metadata.name)).toEqual(['a', 'b']);
    expect(first.metadata.remainingItemCount).toBe(3);
    const token = first.metadata.continue as string;
    expect(JSON.parse(Buffer.from(token, 'base64url').toString())).toEqual({ v: 'meta.k8s.io/v1', rv: Number(first.metadata.resourceVersion), start: 'b\u0000' });
    const second = JSON.parse((await request('GET', `${NS}/services?limit=2&continue=${token}`)).body);
    expect(second.items.map((s: { metadata: { name: string } }) => s.metadata.name)).toEqual(['c', 'd']);
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    const last = JSON.parse((await request('GET', `${NS}/services?limit=2&continue=${second.metadata.continue}`)).body);
    expect(last.items.map((s: { metadata: { name: string } }) => s.metadata.name)).toEqual(['e']);
    expect(last.metadata.continue).toBeUndefined();
  });

  it.each([
    ['limit=abc', 400, 'strconv.ParseInt: parsing "abc": invalid syntax'],
    ['continue=%25%25', 400, 'invalid continue token: continue key is not valid: illegal base64 data'],
    ['resourceVersion=abc', 500, 'resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax'],
    ['resourceVersionMatch=Exact', 422, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided'],
    ['sendInitialEvents=true', 422, 'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list'],
  ])('%s: %d', async (query, code, message) => {
    const a = await request('GET', `${NS}/services?${query}`);
    expect(a.code).toBe(code);
    expect(JSON.parse(a.body).message).toBe(message);
  });
});

describe('watches', () => {
  it.each(['True', 'TRUE', 'yes', '1'])('watch=%s is a watch (every value but 0 and false)', async (v) => {
    const events = await watchLines(`${NS}/services?watch=${v}&timeoutSeconds=1`);
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED a', 'ADDED b', 'ADDED c', 'ADDED d', 'ADDED e']);
  });

  it('watch=false is a list', async () => {
    expect(JSON.parse((await request('GET', `${NS}/services?watch=false`)).body).kind).toBe('ServiceList');
  });

  it('a watch from "" with bookmarks ends its initial events with the initial-events-end bookmark', async () => {
    const events = await watchLines(`${NS}/services?watch=1&allowWatchBookmarks=true&timeoutSeconds=1`);
    expect(events.slice(0, 5).every((e) => e.type === 'ADDED')).toBe(true);
    const bookmark = events[5];
    expect(bookmark?.type).toBe('BOOKMARK');
    expect(bookmark?.object.kind).toBe('Service');
    expect(bookmark?.object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
    expect(Number(bookmark?.object.metadata.resourceVersion)).toBeGreaterThan(0);
  });

  it("client-go's streaming list: sendInitialEvents from a revision", async () => {
    const rv = JSON.parse((await request('GET', `${NS}/services`)).body).metadata.resourceVersion as string;
    const events = await watchLines(`${NS}/services?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion=${rv}&timeoutSeconds=1`);
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'ADDED', 'ADDED', 'ADDED', 'ADDED', 'BOOKMARK']);
  });

  it('a watch from a revision sends only what follows, and no end bookmark', async () => {
    const rv = JSON.parse((await request('GET', `${NS}/services`)).body).metadata.resourceVersion as string;
    expect((await request('POST', `${NS}/services`, svc('f'))).code).toBe(201);
    const events = await watchLines(`${NS}/services?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true&timeoutSeconds=1`);
    expect(events.filter((e) => e.type !== 'BOOKMARK').map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED f']);
    expect(events.some((e) => e.object.metadata.annotations?.['k8s.io/initial-events-end'])).toBe(false);
  });

  it.each([
    ['sendInitialEvents=true', 422, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'],
    ['resourceVersion=x1', 500, 'resourceVersion: Invalid value: "x1": strconv.ParseUint: parsing "x1": invalid syntax'],
    ['timeoutSeconds=soon', 400, 'strconv.ParseInt: parsing "soon": invalid syntax'],
  ])('watch with %s: %d', async (query, code, message) => {
    const a = await request('GET', `${NS}/services?watch=true&${query}`);
    expect(a.code).toBe(code);
    expect(JSON.parse(a.body).message).toBe(message);
  });
});

describe('write options', () => {
  it.each([
    ['POST', `${NS}/services?fieldValidation=strict`, svc('x'), 422, 'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict": supported values: "", "Ignore", "Strict", "Warn"'],
    ['POST', `${NS}/services?dryRun=Server`, svc('x'), 422, 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Server"}: supported values: "All"'],
    ['PUT', `${NS}/services/a?fieldManager=${'m'.repeat(129)}`, svc('a'), 422, 'UpdateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes'],
  ])('%s %s: %d', async (method, path, body, code, message) => {
    const a = await request(method, path, body);
    expect(a.code).toBe(code);
    expect(JSON.parse(a.body).message).toBe(message);
  });

  it('dryRun=All creates nothing', async () => {
    expect((await request('POST', `${NS}/services?dryRun=All`, svc('dry'))).code).toBe(201);
    expect((await request('GET', `${NS}/services/dry`)).code).toBe(404);
  });
});

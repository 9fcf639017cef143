// A JSON body with a field twice, as kube-apiserver's strict decoder (sigs.k8s.io/json) treats
// it under each fieldValidation: Strict refuses it (400, `strict decoding error: duplicate field
// "metadata.name"`, beside any unknown field), Warn (the default) keeps the last and answers a
// Warning header naming it, Ignore keeps the last silently.
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duplicateFields } from '../../src/apiserver/duplicate-fields.js';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';

describe('duplicateFields', () => {
  it.each([
    ['none', '{"a":1,"b":{"a":2}}', []],
    ['at the top', '{"a":1,"a":2}', ['a']],
    ['nested', '{"metadata":{"name":"x","labels":{"k":"1","k":"2"},"name":"y"}}', ['metadata.labels.k', 'metadata.name']],
    ['in a list item, by index', '{"spec":{"ports":[{"port":1},{"port":2,"port":3}]}}', ['spec.ports[1].port']],
    ['a key with escapes and commas in strings', '{"a\\"b":",{[","a\\"b":1}', ['a"b']],
  ])('%s', (_what, text, want) => {
    expect(duplicateFields(text)).toEqual(want);
  });
});

let cp: TestControlPlane;
const NS = 'dups';
const CM = `/api/v1/namespaces/${NS}/configmaps`;
const DEPLOY = `/apis/apps/v1/namespaces/${NS}/deployments`;

function send(method: string, path: string, body: string): Promise<{ code: number; text: string; warning: string }> {
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
        headers: { Authorization: `Bearer ${cp.clientConfig.token}`, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), warning: String(res.headers.warning ?? '') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const cmText = (name: string) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"},"data":{"k":"first","k":"last"}}`;
const deployText = (name: string) =>
  `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"${name}","name":"${name}"},"spec":{"replicas":1,"replicas":2,"selector":{"matchLabels":{"app":"d"}},"template":{"metadata":{"labels":{"app":"d"}},"spec":{"containers":[{"name":"c","image":"x","image":"y"}]}}}}`;

beforeAll(async () => {
  cp = await startTestControlPlane();
  await cp.client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
}, 60_000);

afterAll(async () => {
  await cp?.stop();
});

describe('duplicate fields under fieldValidation, as kube-apiserver', () => {
  it.each([
    // [what, path, body, duplicates named]
    ['a ConfigMap', CM, cmText, ['data.k'], 'ConfigMap', 'ConfigMap'],
    ['a Deployment', DEPLOY, deployText, ['metadata.name', 'spec.replicas', 'spec.template.spec.containers[0].image'], 'Deployment.apps', 'Deployment'],
  ])('%s: Strict refuses, Warn warns and keeps the last, Ignore keeps the last', async (_what, path, text, dups, qualified, kind) => {
    const strict = await send('POST', `${path}?fieldValidation=Strict`, text('strict'));
    expect(strict.code).toBe(400);
    expect(JSON.parse(strict.text)).toMatchObject({
      reason: 'BadRequest',
      message: `${qualified} in version "v1" cannot be handled as a ${kind}: strict decoding error: ${dups.map((d) => `duplicate field "${d}"`).join(', ')}`,
    });

    const warn = await send('POST', path, text('warn'));
    expect(warn.code, warn.text).toBe(201);
    expect(warn.warning).toBe(dups.map((d) => `299 - "duplicate field \\"${d}\\""`).join(', '));

    const ignore = await send('POST', `${path}?fieldValidation=Ignore`, text('ignore'));
    expect(ignore.code).toBe(201);
    expect(ignore.warning).toBe('');

    // an update is read the same way
    const current = JSON.parse(warn.text) as { metadata: { resourceVersion: string } };
    const update = text('warn').replace('"metadata":{', `"metadata":{"resourceVersion":"${current.metadata.resourceVersion}",`);
    const strictUpdate = await send('PUT', `${path}/warn?fieldValidation=Strict`, update);
    expect(strictUpdate.code).toBe(400);
    expect(JSON.parse(strictUpdate.text).message).toContain(`strict decoding error: duplicate field "${dups[0]}"`);

    const stored = JSON.parse(warn.text) as { data?: Record<string, string>; spec?: { replicas: number } };
    if (stored.data) expect(stored.data.k).toBe('last');
    if (stored.spec) expect(stored.spec.replicas).toBe(2);
  });
});

// ConfigMap, Secret and ServiceAccount validation, and the ServiceAccount admission plugin on
// pods, in upstream's words (pkg/apis/core/validation: ValidateConfigMap(Update),
// ValidateSecret(Update), ValidateServiceAccount; plugin/pkg/admission/serviceaccount), one row
// per rule.
import { describe, it, expect } from 'vitest';
import type { ConfigMap, Secret } from '../../src/api/config.js';
import type { KubeObject, Pod } from '../../src/api/types.js';
import { goBase64Decode } from '../../src/admission/go-base64.js';
import { cluster, expectRefused, pod, RFC1123_SUBDOMAIN } from './helpers.js';

const KEY =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const IMMUTABLE = 'field is immutable when `immutable` is set';
const b64 = (s: string): string => Buffer.from(s).toString('base64');

const configMap = (fields: Record<string, unknown>, name = 'cfg'): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, ...fields });
const secret = (fields: Record<string, unknown>, name = 's'): Secret => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, ...fields });

interface Row {
  rule: string;
  object: KubeObject;
  message: string;
  fields?: string[];
  code?: number;
  reason?: string;
}

const CREATE_REFUSED: Row[] = [
  { rule: 'a ConfigMap key is a config key', object: configMap({ data: { 'a b': 'x' } }), message: `ConfigMap "cfg" is invalid: data[a b]: Invalid value: "a b": ${KEY}`, fields: ['data[a b]'] },
  { rule: "a key is not '..'", object: configMap({ data: { '..': 'x' } }), message: `ConfigMap "cfg" is invalid: data[..]: Invalid value: "..": must not be '..'`, fields: ['data[..]'] },
  { rule: "a key does not start with '..'", object: configMap({ binaryData: { '..data': b64('x') } }), message: `ConfigMap "cfg" is invalid: binaryData[..data]: Invalid value: "..data": must not start with '..'`, fields: ['binaryData[..data]'] },
  {
    rule: 'a key is in data or binaryData, not both',
    object: configMap({ data: { k: 'x' }, binaryData: { k: b64('y') } }),
    message: 'ConfigMap "cfg" is invalid: data[k]: Invalid value: "k": duplicate of key present in binaryData',
    fields: ['data[k]'],
  },
  {
    rule: 'a ConfigMap holds at most 1 MiB',
    object: configMap({ data: { a: 'x'.repeat(1024 * 1024 - 10) }, binaryData: { b: b64('y'.repeat(11)) } }),
    message: 'ConfigMap "cfg" is invalid: []: Too long: may not be more than 1048576 bytes',
    fields: ['[]'],
  },
  { rule: 'a ConfigMap name is a DNS subdomain', object: configMap({}, 'Cfg'), message: `ConfigMap "Cfg" is invalid: metadata.name: Invalid value: "Cfg": ${RFC1123_SUBDOMAIN}`, fields: ['metadata.name'] },
  {
    rule: 'binaryData is base64 as Go decodes []byte',
    object: configMap({ binaryData: { k: 'a!cd' } }),
    message: 'ConfigMap in version "v1" cannot be handled as a ConfigMap: illegal base64 data at input byte 1',
    code: 400,
    reason: 'BadRequest',
  },
  {
    rule: 'Secret data must be padded base64',
    object: secret({ data: { password: 'abc' } }),
    message: 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 0',
    code: 400,
    reason: 'BadRequest',
  },
  {
    rule: 'Secret data is a string of base64',
    object: secret({ data: { port: 5432 } }),
    message: 'Secret in version "v1" cannot be handled as a Secret: json: cannot unmarshal number into Go struct field Secret.data of type []uint8',
    code: 400,
    reason: 'BadRequest',
  },
  { rule: 'a Secret key is a config key', object: secret({ stringData: { 'my key': 'x' } }), message: `Secret "s" is invalid: data[my key]: Invalid value: "my key": ${KEY}`, fields: ['data[my key]'] },
  { rule: 'a Secret holds at most 1 MiB', object: secret({ data: { a: b64('x'.repeat(1024 * 1024 + 1)) } }), message: 'Secret "s" is invalid: data: Too long: may not be more than 1048576 bytes', fields: ['data'] },
  {
    rule: 'a TLS secret has tls.crt and tls.key',
    object: secret({ type: 'kubernetes.io/tls', data: {} }),
    message: 'Secret "s" is invalid: [data[tls.crt]: Required value, data[tls.key]: Required value]',
    fields: ['data[tls.crt]', 'data[tls.key]'],
  },
  { rule: 'a dockerconfigjson secret has .dockerconfigjson', object: secret({ type: 'kubernetes.io/dockerconfigjson' }), message: 'Secret "s" is invalid: data[.dockerconfigjson]: Required value', fields: ['data[.dockerconfigjson]'] },
  {
    rule: '.dockerconfigjson is a JSON object',
    object: secret({ type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': 'registry' } }),
    message: `Secret "s" is invalid: data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": invalid character 'r' looking for beginning of value`,
    fields: ['data[.dockerconfigjson]'],
  },
  {
    rule: '.dockercfg is a JSON object',
    object: secret({ type: 'kubernetes.io/dockercfg', stringData: { '.dockercfg': 'nil' } }),
    message: `Secret "s" is invalid: data[.dockercfg]: Invalid value: "<secret contents redacted>": invalid character 'i' in literal null (expecting 'u')`,
    fields: ['data[.dockercfg]'],
  },
  {
    rule: 'a basic-auth secret has a username or a password',
    object: secret({ type: 'kubernetes.io/basic-auth', stringData: { user: 'admin' } }),
    message: 'Secret "s" is invalid: [data[username]: Required value, data[password]: Required value]',
    fields: ['data[username]', 'data[password]'],
  },
  { rule: 'an ssh-auth secret has a non-empty ssh-privatekey', object: secret({ type: 'kubernetes.io/ssh-auth', stringData: { 'ssh-privatekey': '' } }), message: 'Secret "s" is invalid: data[ssh-privatekey]: Required value', fields: ['data[ssh-privatekey]'] },
  {
    rule: 'a service-account-token secret names its account',
    object: secret({ type: 'kubernetes.io/service-account-token' }),
    message: 'Secret "s" is invalid: metadata.annotations[kubernetes.io/service-account.name]: Required value',
    fields: ['metadata.annotations[kubernetes.io/service-account.name]'],
  },
  { rule: 'a ServiceAccount name is a DNS subdomain', object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'Bot' } }, message: `ServiceAccount "Bot" is invalid: metadata.name: Invalid value: "Bot": ${RFC1123_SUBDOMAIN}`, fields: ['metadata.name'] },
];

const UPDATE_REFUSED: Array<{ rule: string; old: KubeObject; next: KubeObject; message: string; fields: string[] }> = [
  {
    rule: 'an immutable ConfigMap keeps its data',
    old: configMap({ data: { a: '1' }, immutable: true }),
    next: configMap({ data: { a: '2' }, immutable: true }),
    message: `ConfigMap "cfg" is invalid: data: Forbidden: ${IMMUTABLE}`,
    fields: ['data'],
  },
  {
    rule: 'an immutable ConfigMap stays immutable',
    old: configMap({ data: { a: '1' }, immutable: true }),
    next: configMap({ data: { a: '1' }, immutable: false }),
    message: `ConfigMap "cfg" is invalid: immutable: Forbidden: ${IMMUTABLE}`,
    fields: ['immutable'],
  },
  {
    rule: 'an immutable ConfigMap keeps its binaryData, even to an empty value',
    old: configMap({ binaryData: { a: b64('1') }, immutable: true }),
    next: configMap({ binaryData: { a: '' }, immutable: true }),
    message: `ConfigMap "cfg" is invalid: binaryData: Forbidden: ${IMMUTABLE}`,
    fields: ['binaryData'],
  },
  {
    rule: 'a Secret keeps its type',
    old: secret({ type: 'Opaque', data: { 'tls.crt': b64('c'), 'tls.key': b64('k') } }),
    next: secret({ type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c'), 'tls.key': b64('k') } }),
    message: 'Secret "s" is invalid: type: Invalid value: "kubernetes.io/tls": field is immutable',
    fields: ['type'],
  },
  {
    rule: 'a Secret sent without a type is Opaque, so a TLS secret cannot lose it',
    old: secret({ type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c'), 'tls.key': b64('k') } }),
    next: secret({ data: { 'tls.crt': b64('c'), 'tls.key': b64('k') } }),
    message: 'Secret "s" is invalid: type: Invalid value: "Opaque": field is immutable',
    fields: ['type'],
  },
  {
    rule: 'an immutable Secret keeps its data, stringData included',
    old: secret({ data: { a: b64('1') }, immutable: true }),
    next: secret({ data: { a: b64('1') }, stringData: { a: '2' }, immutable: true }),
    message: `Secret "s" is invalid: data: Forbidden: ${IMMUTABLE}`,
    fields: ['data'],
  },
];

describe('ConfigMap and Secret validation', () => {
  for (const row of CREATE_REFUSED) {
    it(row.rule, async () => {
      await expectRefused(cluster().create(row.object), { message: row.message, fields: row.fields, code: row.code, reason: row.reason });
    });
  }

  for (const row of UPDATE_REFUSED) {
    it(row.rule, async () => {
      const c = cluster();
      const stored = await c.create(row.old);
      const next = structuredClone(row.next);
      next.metadata.uid = stored.metadata.uid;
      await expectRefused(c.update(next, stored), { message: row.message, fields: row.fields });
    });
  }

  it('an immutable ConfigMap may still change its labels', async () => {
    const c = cluster();
    const stored = await c.create(configMap({ data: { a: '1' }, immutable: true }));
    const next = configMap({ data: { a: '1' }, immutable: true });
    next.metadata = { ...next.metadata, uid: stored.metadata.uid, labels: { tier: 'web' } };
    expect((await c.update(next, stored)).metadata.labels).toEqual({ tier: 'web' });
  });

  it('stringData is merged over data, written as base64, and never stored', async () => {
    const stored = (await cluster().create(secret({ data: { user: b64('admin'), password: b64('old') }, stringData: { password: 's3cr=t', host: 'db' } }))) as Secret;
    expect(stored.data).toEqual({ user: b64('admin'), password: b64('s3cr=t'), host: b64('db') });
    expect(stored).not.toHaveProperty('stringData');
    expect(stored.type).toBe('Opaque');
  });

  it('data is written back as Go encodes []byte (line breaks dropped)', async () => {
    const stored = (await cluster().create(secret({ data: { k: 'YWJj\nZA==' } }))) as Secret;
    expect(stored.data).toEqual({ k: 'YWJjZA==' });
  });

  it('a TLS secret with both keys is admitted', async () => {
    const stored = (await cluster().create(secret({ type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'c', 'tls.key': 'k' } }))) as Secret;
    expect(Object.keys(stored.data ?? {}).sort()).toEqual(['tls.crt', 'tls.key']);
  });
});

describe('base64 as Go decodes it', () => {
  const CASES: Array<{ input: string; bytes?: string; error?: number }> = [
    { input: '', bytes: '' },
    { input: 'YQ==', bytes: 'a' },
    { input: 'YWI=', bytes: 'ab' },
    { input: 'YWJj', bytes: 'abc' },
    { input: 'YW\r\nJj', bytes: 'abc' },
    { input: 'YQ', error: 0 },
    { input: 'YWJjZ', error: 4 },
    { input: 'Y===', error: 1 },
    { input: 'YQ=', error: 3 },
    { input: 'YQ=x', error: 2 },
    { input: 'YQ==YQ==', error: 4 },
    { input: 'YWJj ZA==', error: 4 },
    { input: 'YW-j', error: 2 },
  ];
  for (const c of CASES) {
    it(`${JSON.stringify(c.input)} ${c.error === undefined ? `decodes to ${JSON.stringify(c.bytes)}` : `is corrupt at byte ${c.error}`}`, () => {
      if (c.error === undefined) expect(goBase64Decode(c.input).toString()).toBe(c.bytes);
      else expect(() => goBase64Decode(c.input)).toThrow(`illegal base64 data at input byte ${c.error}`);
    });
  }
});

describe('the ServiceAccount admission plugin', () => {
  const account = (name: string, extra: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'default' }, ...extra });

  it('a pod without an account runs as default, under both of v1 names', async () => {
    const created = (await cluster({ stored: [account('default')] }).create(pod())) as Pod;
    expect(created.spec.serviceAccountName).toBe('default');
    expect((created.spec as { serviceAccount?: string }).serviceAccount).toBe('default');
  });

  it('the deprecated serviceAccount names the account when serviceAccountName does not', async () => {
    const created = (await cluster({ stored: [account('builder')] }).create(pod((p) => (p.spec.serviceAccount = 'builder')))) as Pod;
    expect(created.spec.serviceAccountName).toBe('builder');
  });

  it('a pod naming a missing account is forbidden', async () => {
    await expectRefused(cluster({ stored: [account('default')] }).create(pod((p) => (p.spec.serviceAccountName = 'builder'))), {
      message: 'pods "web" is forbidden: error looking up service account default/builder: serviceaccount "builder" not found',
      code: 403,
      reason: 'Forbidden',
    });
  });

  it('a generated pod is named by its prefix in the refusal', async () => {
    const generated = pod((p) => {
      p.metadata.generateName = 'web-';
      p.metadata.name = 'web-x7k2p';
      p.spec.serviceAccountName = 'builder';
    });
    await expectRefused(cluster({ stored: [] }).create(generated), {
      message: 'pods "web-" is forbidden: error looking up service account default/builder: serviceaccount "builder" not found',
      code: 403,
      reason: 'Forbidden',
    });
  });

  it('a missing default account is refused only after it stayed missing through the retries', async () => {
    await expectRefused(cluster({ stored: [] }).create(pod()), {
      message: 'pods "web" is forbidden: error looking up service account default/default: serviceaccount "default" not found',
      code: 403,
      reason: 'Forbidden',
    });
  });

  it('a default account the controller makes while the pod waits lets it in', async () => {
    const stored: KubeObject[] = [];
    // the account appears once the plugin has looked for it and not found it
    const appear = setTimeout(() => stored.push(account('default')), 250);
    try {
      expect(((await cluster({ stored }).create(pod())) as Pod).spec.serviceAccountName).toBe('default');
    } finally {
      clearTimeout(appear);
    }
  });

  it("a pod with no imagePullSecrets takes its account's", async () => {
    const created = (await cluster({ stored: [account('default', { imagePullSecrets: [{ name: 'registry' }] })] }).create(pod())) as Pod;
    expect((created.spec as { imagePullSecrets?: unknown }).imagePullSecrets).toEqual([{ name: 'registry' }]);
  });

  it('an update that leaves the account out keeps it', async () => {
    const c = cluster({ stored: [account('default')] });
    const stored = (await c.create(pod())) as Pod;
    const again = pod();
    again.metadata.uid = stored.metadata.uid;
    expect(((await c.update(again, stored)) as Pod).spec.serviceAccountName).toBe('default');
  });
});

// A container's env and volumes as kubelet makes them, from ConfigMaps, Secrets and the pod's own
// fields; missing sources in kubelet's words (pkg/kubelet/kubelet_pods.go makeEnvironmentVariables,
// pkg/volume/configmap and secret SetUpAt); and the files on disk as its AtomicWriter lays them out.
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConfigMap, Secret, Volume } from '../../src/api/config.js';
import type { Container, Pod, Service } from '../../src/api/types.js';
import type { ConfigSources } from '../../nodes/config-sources.js';
import { createContainerView } from '../../nodes/container-view.js';
import { expand, resolveEnv } from '../../nodes/env-resolver.js';
import { resolveVolume } from '../../nodes/volume-resolver.js';
import { removeOrphanPodDirs, volumeDir, volumeFileModes, writeVolumeFiles } from '../../nodes/volume-files.js';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

function sources(objs: { configMaps?: ConfigMap[]; secrets?: Secret[]; services?: Service[] } = {}): ConfigSources {
  const find = <T extends ConfigMap | Secret>(list: T[] | undefined, ns: string, name: string): T | undefined =>
    list?.find((o) => o.metadata.namespace === ns && o.metadata.name === name);
  return {
    synced: () => Promise.resolve(),
    configMap: (ns, name) => find(objs.configMaps, ns, name),
    secret: (ns, name) => find(objs.secrets, ns, name),
    services: (ns) => (objs.services ?? []).filter((s) => s.metadata.namespace === ns),
    claim: () => undefined,
    volume: () => undefined,
    onChange: () => () => undefined,
    stop: () => undefined,
  };
}

const cm = (name: string, data: Record<string, string>, binaryData?: Record<string, string>): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'shop' },
  data,
  ...(binaryData ? { binaryData } : {}),
});
const secret = (name: string, data: Record<string, string>): Secret => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: 'shop' },
  type: 'Opaque',
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
});

function pod(containers: Container[], volumes: Volume[] = [], extra: Partial<Pod['spec']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'shop', uid: 'u-1', labels: { app: 'web', tier: 'front' }, annotations: { note: 'say "hi"' } },
    spec: { nodeName: 'node-1', serviceAccountName: 'default', containers, volumes, enableServiceLinks: false, ...extra },
  };
}

const objects = {
  configMaps: [cm('app', { LEVEL: 'debug', 'greeting.txt': 'hello' }, { 'logo.bin': Buffer.from([0, 1, 2]).toString('base64') })],
  secrets: [secret('db', { password: 's3cret', user: 'admin' })],
};

describe('env as kubelet makes it', () => {
  const table: Array<{ name: string; container: Partial<Container>; want: Record<string, string> | { error: string } }> = [
    { name: 'plain value', container: { env: [{ name: 'A', value: 'x' }] }, want: { A: 'x' } },
    { name: '$(VAR) of an earlier var, $$ escapes', container: { env: [{ name: 'A', value: 'x' }, { name: 'B', value: '$(A)-$(NOPE)-$$(A)' }] }, want: { A: 'x', B: 'x-$(NOPE)-$(A)' } },
    { name: 'configMapKeyRef', container: { env: [{ name: 'L', valueFrom: { configMapKeyRef: { name: 'app', key: 'LEVEL' } } }] }, want: { L: 'debug' } },
    { name: 'configMapKeyRef to a missing ConfigMap', container: { env: [{ name: 'L', valueFrom: { configMapKeyRef: { name: 'nope', key: 'LEVEL' } } }] }, want: { error: 'configmap "nope" not found' } },
    { name: 'configMapKeyRef to a missing key', container: { env: [{ name: 'L', valueFrom: { configMapKeyRef: { name: 'app', key: 'COLOR' } } }] }, want: { error: "couldn't find key COLOR in ConfigMap shop/app" } },
    { name: 'optional configMapKeyRef to a missing ConfigMap is skipped', container: { env: [{ name: 'L', valueFrom: { configMapKeyRef: { name: 'nope', key: 'LEVEL', optional: true } } }] }, want: {} },
    { name: 'optional configMapKeyRef to a missing key is skipped', container: { env: [{ name: 'L', valueFrom: { configMapKeyRef: { name: 'app', key: 'COLOR', optional: true } } }] }, want: {} },
    { name: 'secretKeyRef decoded', container: { env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }] }, want: { P: 's3cret' } },
    { name: 'secretKeyRef to a missing Secret', container: { env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'nope', key: 'password' } } }] }, want: { error: 'secret "nope" not found' } },
    { name: 'secretKeyRef to a missing key', container: { env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'db', key: 'token' } } }] }, want: { error: "couldn't find key token in Secret shop/db" } },
    { name: 'envFrom ConfigMap with a prefix', container: { envFrom: [{ prefix: 'APP_', configMapRef: { name: 'app' } }] }, want: { APP_LEVEL: 'debug', 'APP_greeting.txt': 'hello' } },
    { name: 'envFrom Secret', container: { envFrom: [{ secretRef: { name: 'db' } }] }, want: { password: 's3cret', user: 'admin' } },
    { name: 'envFrom a missing ConfigMap', container: { envFrom: [{ configMapRef: { name: 'nope' } }] }, want: { error: 'configmap "nope" not found' } },
    { name: 'envFrom a missing optional Secret', container: { envFrom: [{ secretRef: { name: 'nope', optional: true } }] }, want: {} },
    { name: 'env overrides envFrom', container: { envFrom: [{ configMapRef: { name: 'app' } }], env: [{ name: 'LEVEL', value: 'info' }] }, want: { LEVEL: 'info', 'greeting.txt': 'hello' } },
    {
      name: 'fieldRef of the pod',
      container: {
        env: [
          { name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
          { name: 'T', valueFrom: { fieldRef: { fieldPath: "metadata.labels['tier']" } } },
        ],
      },
      want: { N: 'web-1', NS: 'shop', IP: '127.244.1.7', HOST: '127.0.1.1', T: 'front' },
    },
    {
      name: 'resourceFieldRef: limit over a divisor, rounded up; no limit reads the node',
      container: {
        resources: { limits: { memory: '100Mi' } },
        env: [
          { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
          { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        ],
      },
      want: { MEM: '100', CPU: '4' },
    },
  ];
  it.each(table)('$name', ({ container, want }) => {
    const c: Container = { name: 'app', image: 'nginx', ...container };
    const r = resolveEnv(c, { pod: pod([c]), podIP: '127.244.1.7', nodeIP: '127.0.1.1', capacity: { cpu: '4', memory: '8Gi' }, sources: sources(objects) });
    if ('error' in want) expect(r).toEqual(want);
    else expect('env' in r ? Object.fromEntries(r.env) : r).toEqual(want);
  });

  it('Service links: the kubernetes Service always, the namespace Services with enableServiceLinks', () => {
    const svc = (ns: string, name: string, ip: string, port: number, portName?: string): Service => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: ns },
      spec: { clusterIP: ip, ports: [{ port, protocol: 'TCP', ...(portName ? { name: portName } : {}) }] },
    });
    const s = sources({ services: [svc('default', 'kubernetes', '10.96.0.1', 443, 'https'), svc('shop', 'redis-primary', '10.96.0.9', 6379)] });
    const c: Container = { name: 'app', image: 'nginx', env: [{ name: 'URL', value: 'redis://$(REDIS_PRIMARY_SERVICE_HOST):$(REDIS_PRIMARY_SERVICE_PORT)' }] };
    const ctx = { podIP: '127.244.1.7', nodeIP: '127.0.1.1', capacity: { cpu: '4', memory: '8Gi' }, sources: s };
    const on = resolveEnv(c, { ...ctx, pod: pod([c], [], { enableServiceLinks: true }) });
    const env = 'env' in on ? Object.fromEntries(on.env) : {};
    expect(env).toMatchObject({
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
      KUBERNETES_SERVICE_PORT: '443',
      KUBERNETES_SERVICE_PORT_HTTPS: '443',
      REDIS_PRIMARY_SERVICE_HOST: '10.96.0.9',
      REDIS_PRIMARY_PORT: 'tcp://10.96.0.9:6379',
      REDIS_PRIMARY_PORT_6379_TCP_ADDR: '10.96.0.9',
      URL: 'redis://10.96.0.9:6379',
    });
    const off = resolveEnv(c, { ...ctx, pod: pod([c], [], { enableServiceLinks: false }) });
    const envOff = 'env' in off ? Object.fromEntries(off.env) : {};
    expect(envOff.KUBERNETES_SERVICE_HOST).toBe('10.96.0.1');
    expect(envOff.REDIS_PRIMARY_SERVICE_HOST).toBeUndefined();
  });

  it('expansion leaves an unclosed $( as written', () => {
    expect(expand('a$(B', () => 'x')).toBe('a$(B');
    expect(expand('$A$', () => 'x')).toBe('$A$');
  });
});

describe('volumes as kubelet sets them up', () => {
  const table: Array<{ name: string; volume: Volume; want: Record<string, string> | { error: string } }> = [
    { name: 'configMap: every key (data and binaryData)', volume: { name: 'cfg', configMap: { name: 'app' } }, want: { LEVEL: 'debug', 'greeting.txt': 'hello', 'logo.bin': '\u0000\u0001\u0002' } },
    { name: 'configMap items to paths', volume: { name: 'cfg', configMap: { name: 'app', items: [{ key: 'greeting.txt', path: 'conf/hi.txt' }] } }, want: { 'conf/hi.txt': 'hello' } },
    { name: 'configMap missing', volume: { name: 'cfg', configMap: { name: 'nope' } }, want: { error: 'configmap "nope" not found' } },
    { name: 'configMap missing, optional: empty', volume: { name: 'cfg', configMap: { name: 'nope', optional: true } }, want: {} },
    { name: 'configMap item key missing', volume: { name: 'cfg', configMap: { name: 'app', items: [{ key: 'x', path: 'x' }] } }, want: { error: 'configmap references non-existent config key: x' } },
    { name: 'secret decoded', volume: { name: 'creds', secret: { secretName: 'db', items: [{ key: 'user', path: 'u' }] } }, want: { u: 'admin' } },
    { name: 'secret missing', volume: { name: 'creds', secret: { secretName: 'nope' } }, want: { error: 'secret "nope" not found' } },
    { name: 'secret item key missing', volume: { name: 'creds', secret: { secretName: 'db', items: [{ key: 'token', path: 't' }] } }, want: { error: 'references non-existent secret key: token' } },
    {
      name: 'downwardAPI: labels as key="value" lines, name',
      volume: { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } }, { path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } },
      want: { labels: 'app="web"\ntier="front"', annotations: 'note="say \\"hi\\""', name: 'web-1' },
    },
    {
      name: 'projected: all sources in one folder',
      volume: { name: 'all', projected: { sources: [{ configMap: { name: 'app', items: [{ key: 'LEVEL', path: 'level' }] } }, { secret: { name: 'db', items: [{ key: 'password', path: 'pw' }] } }] } },
      want: { level: 'debug', pw: 's3cret' },
    },
    {
      name: 'projected: every missing source named',
      volume: { name: 'all', projected: { sources: [{ configMap: { name: 'a' } }, { secret: { name: 'b' } }] } },
      want: { error: '[configmap "a" not found, secret "b" not found]' },
    },
    { name: 'emptyDir starts empty', volume: { name: 'scratch', emptyDir: {} }, want: {} },
  ];
  it.each(table)('$name', ({ volume, want }) => {
    const r = resolveVolume(volume, { pod: pod([]), podIP: '127.244.1.7', nodeIP: '127.0.1.1', sources: sources(objects) });
    if ('error' in want) expect(r).toEqual(want);
    else expect('files' in r ? Object.fromEntries([...r.files].map(([k, v]) => [k, v.toString('utf8')])) : r).toEqual(want);
  });

  it('what the container sees: mounts, subPath, the deepest mount wins', () => {
    const files = new Map([['greeting.txt', Buffer.from('hello')], ['conf/a.yaml', Buffer.from('a: 1')]]);
    const view = createContainerView([['A', '1']], [
      { name: 'cfg', mountPath: '/etc/app' },
      { name: 'cfg', mountPath: '/usr/share/nginx/html/index.html', subPath: 'greeting.txt' },
    ], (n) => (n === 'cfg' ? files : undefined));
    expect(view.env()).toEqual([['A', '1']]);
    expect(view.lookup('/etc/app')).toEqual({ entries: ['conf', 'greeting.txt'] });
    expect(view.lookup('/etc/app/conf/a.yaml')).toEqual({ content: Buffer.from('a: 1') });
    expect(view.lookup('/usr/share/nginx/html/index.html')).toEqual({ content: Buffer.from('hello') });
    expect(view.lookup('/usr/share')).toEqual({ entries: ['nginx'] });
    expect(view.lookup('/etc/app/missing')).toBeUndefined();
    expect(view.lookup('/etc/app/conf/../greeting.txt')).toEqual({ content: Buffer.from('hello') });
    expect(view.lookup('/../../etc/app/greeting.txt')).toEqual({ content: Buffer.from('hello') });
    expect(view.lookup('/')).toEqual({ entries: ['etc', 'usr'] });
  });
});

describe('volume files on disk, as kubelet writes them', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loopkube-volume-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes each key behind ..data, swaps the whole set at once, drops removed keys, keeps modes', () => {
    const volume: Volume = { name: 'cfg', configMap: { name: 'app', defaultMode: 0o600, items: [{ key: 'a', path: 'a.txt', mode: 0o640 }, { key: 'b', path: 'sub/b.txt' }] } };
    const target = volumeDir(dir, 'uid-1', volume);
    expect(target).toBe(path.join(dir, 'uid-1', 'volumes', 'kubernetes.io~configmap', 'cfg'));
    writeVolumeFiles(target, new Map([['a.txt', Buffer.from('one')], ['sub/b.txt', Buffer.from('two')]]), volumeFileModes(volume));
    expect(readFileSync(path.join(target, 'a.txt'), 'utf8')).toBe('one');
    expect(readFileSync(path.join(target, 'sub/b.txt'), 'utf8')).toBe('two');
    expect(lstatSync(path.join(target, 'a.txt')).isSymbolicLink()).toBe(true);
    expect(statSync(path.join(target, 'a.txt')).mode & 0o777).toBe(0o640);
    expect(statSync(path.join(target, 'sub/b.txt')).mode & 0o777).toBe(0o600);
    const first = readlinkSync(path.join(target, '..data'));

    writeVolumeFiles(target, new Map([['a.txt', Buffer.from('uno')]]), volumeFileModes(volume));
    expect(readFileSync(path.join(target, 'a.txt'), 'utf8')).toBe('uno');
    expect(existsSync(path.join(target, 'sub'))).toBe(false);
    expect(existsSync(path.join(target, first))).toBe(false);
    expect(readdirSync(target).filter((e) => e.startsWith('..')).length).toBe(2); // ..data and one version
  });

  it('removes the folders of pods that are gone, and only those', () => {
    const pods = path.join(dir, 'pods');
    expect(removeOrphanPodDirs(pods, new Set())).toEqual([]); // no folder yet
    const keep = volumeDir(pods, 'kept', { name: 'v', emptyDir: {} });
    writeVolumeFiles(keep, new Map([['f', Buffer.from('x')]]), { defaultMode: 0o644, byPath: new Map() });
    writeVolumeFiles(volumeDir(pods, 'gone', { name: 'v', emptyDir: {} }), new Map(), { defaultMode: 0o644, byPath: new Map() });
    expect(removeOrphanPodDirs(pods, new Set(['kept']))).toEqual(['gone']);
    expect(readdirSync(pods)).toEqual(['kept']);
    expect(readFileSync(path.join(keep, 'f'), 'utf8')).toBe('x');
  });
});

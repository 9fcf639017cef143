// Kubernetes protobuf request bodies (what kubectl's typed commands send).
// 1. The exact bytes real kubectl sends, captured by a recording HTTP server, decode to the object
//    the same command prints with --dry-run=client -o json (what a JSON client would have sent).
// 2. Against the real control plane: kubectl's typed commands (create namespace, create service *,
//    drain, debug --copy-to) succeed and the objects hold what was asked; bad bodies are 400.
// 3. Decoding rules on hand-built bytes (field numbers from upstream generated.proto): zero values,
//    pointers, int32/int64 signs, packed lists, times, quantities, IntOrString, inlined structs, errors.
// The kubectl parts are skipped when kubectl is absent.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api/errors.js';
import { decodeBody } from '../../src/apiserver/body.js';
import { decodableKinds, decodeMessage, decodeProtobufBody, PROTOBUF_MEDIA_TYPE, rootMessageFor } from '../../src/apiserver/protobuf/index.js';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';

function kubectlAvailable(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runKubectl(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile('kubectl', args, { timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** A JSON value without its nulls (Go's JSON writes `creationTimestamp: null`; protobuf has no null). */
function withoutNulls(v: Json): Json {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, withoutNulls(x)]));
  return v;
}

// --- a protobuf writer for hand-built bodies (test side only) ---
function varint(n: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return Buffer.from(out);
}
const key = (field: number, wireType: number): Buffer => varint((field << 3) | wireType);
const pbInt = (field: number, n: number | bigint): Buffer => Buffer.concat([key(field, 0), varint(n)]);
const pbBytes = (field: number, data: Buffer | string): Buffer => {
  const b = Buffer.from(data);
  return Buffer.concat([key(field, 2), varint(b.length), b]);
};
const pbMsg = (field: number, ...parts: Buffer[]): Buffer => pbBytes(field, Buffer.concat(parts));
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
const envelope = (apiVersion: string, kind: string, raw: Buffer): Buffer =>
  Buffer.concat([MAGIC, pbMsg(1, pbBytes(1, apiVersion), pbBytes(2, kind)), pbBytes(2, raw), pbBytes(3, ''), pbBytes(4, '')]);
/** ObjectMeta as Go writes it: every non-pointer field, zero or not (name = 1 ... creationTimestamp = 8). */
const objectMeta = (name: string, namespace = ''): Buffer =>
  pbMsg(1, pbBytes(1, name), pbBytes(2, ''), pbBytes(3, namespace), pbBytes(4, ''), pbBytes(5, ''), pbBytes(6, ''), pbInt(7, 0), pbMsg(8));

describe('the protobuf bodies real kubectl sends decode to what a JSON client sends', () => {
  let server: http.Server;
  let base = '';
  let dir = '';
  let reply: Json = {};
  const captured: Array<{ method: string; path: string; contentType: string; body: Buffer }> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loopkube-protobuf-'));
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (req.method === 'GET') {
          res.writeHead(404, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'the server could not find the requested resource' }));
          return;
        }
        captured.push({ method: req.method ?? '', path: req.url ?? '', contentType: String(req.headers['content-type'] ?? ''), body });
        res.writeHead(201, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(reply));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  let runs = 0;
  const kubectl = (args: string[]): Promise<Run> => runKubectl(['--kubeconfig=/dev/null', `--server=${base}`, `--cache-dir=${join(dir, `cache-${runs++}`)}`, ...args]);

  const COMMANDS: string[][] = [
    ['create', 'namespace', 'demo'],
    ['create', 'service', 'clusterip', 'web', '--tcp=80:8080', '--tcp=443:https'],
    ['create', 'service', 'clusterip', 'headless', '--clusterip=None'],
    ['create', 'service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=30080'],
    ['create', 'service', 'loadbalancer', 'lb', '--tcp=5678:8080'],
    ['create', 'service', 'externalname', 'ext', '--external-name=db.example.com', '--tcp=5432'],
  ];

  it.each(COMMANDS.map((args) => [args.join(' '), args] as const))('kubectl %s', async (_name, args) => {
    const dry = await kubectl([...args, '-n', 'default', '--dry-run=client', '-o', 'json']);
    expect(dry.code, dry.stderr).toBe(0);
    const expected = withoutNulls(JSON.parse(dry.stdout) as Json);
    reply = expected;
    captured.length = 0;
    const r = await kubectl([...args, '-n', 'default']);
    expect(r.code, r.stderr).toBe(0);
    expect(captured).toHaveLength(1);
    const sent = captured[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.contentType).toBe(PROTOBUF_MEDIA_TYPE);
    expect(decodeBody(sent.body, sent.contentType)).toEqual(expected);
  });
});

describe('kubectl typed commands against the real control plane', () => {
  let cp: TestControlPlane | undefined;
  let dir = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loopkube-protobuf-cp-'));
    cp = await startTestControlPlane();
  });

  afterAll(async () => {
    await cp?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const kubectl = (...args: string[]): Promise<Run> => runKubectl([`--kubeconfig=${cp!.kubeconfig}`, `--cache-dir=${join(dir, 'cache')}`, ...args]);
  const getJson = async (...args: string[]): Promise<Record<string, Json>> => {
    const r = await kubectl('get', ...args, '-o', 'json');
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Record<string, Json>;
  };
  const createFromJson = async (name: string, obj: object): Promise<void> => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(obj));
    const r = await kubectl('create', '-f', file);
    expect(r.code, r.stderr).toBe(0);
  };

  const CREATES: Array<{ args: string[]; get: string[]; want: Record<string, unknown> }> = [
    { args: ['create', 'namespace', 'pb-demo'], get: ['namespace', 'pb-demo'], want: { metadata: { name: 'pb-demo' }, status: { phase: 'Active' } } },
    {
      args: ['create', 'service', 'clusterip', 'pb-cip', '--tcp=80:8080', '--tcp=443:8443'],
      get: ['service', 'pb-cip'],
      want: {
        metadata: { labels: { app: 'pb-cip' } },
        spec: {
          type: 'ClusterIP',
          selector: { app: 'pb-cip' },
          ports: [
            { name: '80-8080', port: 80, targetPort: 8080, protocol: 'TCP' },
            { name: '443-8443', port: 443, targetPort: 8443, protocol: 'TCP' },
          ],
        },
      },
    },
    { args: ['create', 'service', 'clusterip', 'pb-headless', '--clusterip=None'], get: ['service', 'pb-headless'], want: { spec: { type: 'ClusterIP', clusterIP: 'None' } } },
    {
      args: ['create', 'service', 'nodeport', 'pb-np', '--tcp=80:8080', '--node-port=30080'],
      get: ['service', 'pb-np'],
      want: { spec: { type: 'NodePort', ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] } },
    },
    {
      args: ['create', 'service', 'loadbalancer', 'pb-lb', '--tcp=5678:8080'],
      get: ['service', 'pb-lb'],
      want: { spec: { type: 'LoadBalancer', ports: [{ port: 5678, targetPort: 8080, nodePort: expect.any(Number) }] } },
    },
    {
      args: ['create', 'service', 'externalname', 'pb-ext', '--external-name=db.example.com', '--tcp=5432'],
      get: ['service', 'pb-ext'],
      want: { spec: { type: 'ExternalName', externalName: 'db.example.com', ports: [{ port: 5432 }] } },
    },
  ];

  it.each(CREATES.map((c) => [c.args.join(' '), c] as const))('kubectl %s', async (_name, c) => {
    const r = await kubectl(...c.args);
    expect(r.code, r.stderr).toBe(0);
    expect(await getJson(...c.get)).toMatchObject(c.want);
  });

  it('kubectl drain --disable-eviction deletes the node\'s pods (DeleteOptions in protobuf, gracePeriodSeconds 0 kept)', async () => {
    await createFromJson('node', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'pb-node' } });
    await createFromJson('pod', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'pb-bound', namespace: 'default' },
      spec: { nodeName: 'pb-node', containers: [{ name: 'app', image: 'echo:1' }] },
    });
    const r = await kubectl('drain', 'pb-node', '--force', '--disable-eviction', '--grace-period=0', '--timeout=30s');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('node/pb-node drained');
    const gone = await kubectl('get', 'pod', 'pb-bound', '-n', 'default');
    expect(gone.stderr).toContain('pods "pb-bound" not found');
    expect(await getJson('node', 'pb-node')).toMatchObject({ spec: { unschedulable: true } });
  });

  it('kubectl debug --copy-to sends the whole pod in protobuf; the copy has the same spec', async () => {
    const spec = {
      terminationGracePeriodSeconds: 0,
      activeDeadlineSeconds: 600,
      automountServiceAccountToken: false,
      nodeSelector: { disk: 'ssd' },
      hostname: 'rich-host',
      subdomain: 'sub',
      securityContext: { runAsUser: 0, runAsNonRoot: false, fsGroup: 2000, supplementalGroups: [5, 6], sysctls: [{ name: 'net.core.somaxconn', value: '1024' }] },
      tolerations: [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoExecute', tolerationSeconds: 0 }, { operator: 'Exists' }],
      affinity: {
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd', 'nvme'] }] }] } },
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'rich' } } } }],
        },
      },
      volumes: [
        { name: 'data', emptyDir: { sizeLimit: '64Mi' } },
        { name: 'cfg', configMap: { name: 'cm', defaultMode: 420, optional: true, items: [{ key: 'a', path: 'a.txt', mode: 256 }] } },
        { name: 'proj', projected: { sources: [{ downwardAPI: { items: [{ path: 'labels', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.labels' } }] } }] } },
      ],
      initContainers: [{ name: 'init', image: 'busybox', command: ['sh', '-c', 'true'], restartPolicy: 'Always', resources: {} }],
      containers: [
        {
          name: 'app',
          image: 'echo:1',
          args: ['--x'],
          workingDir: '/w',
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { containerPort: 9090, protocol: 'TCP' }],
          env: [
            { name: 'B', value: '0' },
            { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
          ],
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } },
          readinessProbe: {
            httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP', httpHeaders: [{ name: 'X', value: 'y' }] },
            initialDelaySeconds: 1,
            periodSeconds: 2,
            failureThreshold: 3,
          },
          livenessProbe: { tcpSocket: { port: 8080 }, timeoutSeconds: 5 },
          startupProbe: { exec: { command: ['true'] } },
          lifecycle: { preStop: { exec: { command: ['sh', '-c', 'sleep 0'] } } },
          securityContext: { privileged: false, readOnlyRootFilesystem: true, capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] } },
          volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }, { name: 'cfg', mountPath: '/cfg' }],
          stdin: true,
          tty: true,
        },
      ],
    };
    await createFromJson('rich', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pb-rich', namespace: 'default', labels: { app: 'rich' } }, spec });
    const r = await kubectl('debug', 'pb-rich', '-n', 'default', '--copy-to=pb-rich-copy', '--set-image=app=echo:2', '--same-node');
    expect(r.code, r.stderr).toBe(0);
    const original = (await getJson('pod', 'pb-rich', '-n', 'default')).spec as Record<string, Json>;
    const copy = (await getJson('pod', 'pb-rich-copy', '-n', 'default')).spec as Record<string, Json>;
    const containers = original.containers as Array<Record<string, Json>>;
    expect(copy).toEqual({ ...original, containers: [{ ...containers[0], image: 'echo:2' }] });
    // The zero values that are pointers in Go came through (they are not the defaults).
    expect(copy).toMatchObject({ terminationGracePeriodSeconds: 0, automountServiceAccountToken: false, securityContext: { runAsUser: 0, runAsNonRoot: false } });
  });

  function post(path: string, body: Buffer): Promise<{ code: number; body: Record<string, Json> }> {
    const url = new URL(path, cp!.clientConfig.server);
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method: 'POST',
          ca: cp!.clientConfig.ca,
          headers: { Authorization: `Bearer ${cp!.clientConfig.token}`, 'Content-Type': PROTOBUF_MEDIA_TYPE, Accept: `${PROTOBUF_MEDIA_TYPE},application/json`, 'Content-Length': body.length },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ code: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, Json> }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  const namespaceBody = (name: string, ...extra: Buffer[]): Buffer => envelope('v1', 'Namespace', Buffer.concat([objectMeta(name), pbMsg(2), pbMsg(3, pbBytes(1, '')), ...extra]));

  it.each([
    ['not protobuf at all', Buffer.from('{"apiVersion":"v1"}'), 'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]'],
    ['cut short', namespaceBody('pb-cut').subarray(0, 20), 'unexpected EOF'],
    ['a kind loopkube does not serve', envelope('v1', 'Gadget', objectMeta('x')), 'no kind "Gadget" is registered for version "v1"'],
    ['a field with the wrong wire type', envelope('v1', 'Namespace', pbInt(1, 7)), 'proto: wrong wireType = 0 for field metadata'],
    ['a varint that never ends', Buffer.concat([MAGIC, Buffer.from([0x08]), Buffer.alloc(11, 0xff)]), 'proto: integer overflow'],
  ])('a body that is %s is 400 BadRequest, and the server keeps serving', async (_name, body, message) => {
    const r = await post('/api/v1/namespaces', body);
    expect(r.code).toBe(400);
    expect(r.body).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    expect(String(r.body.message)).toContain(message);
  });

  it('fields loopkube does not know are skipped', async () => {
    const r = await post('/api/v1/namespaces', namespaceBody('pb-extra', pbBytes(99, 'future field')));
    expect(r.code).toBe(201);
    expect(r.body).toMatchObject({ kind: 'Namespace', metadata: { name: 'pb-extra' } });
  });
});

describe('protobuf decoding rules', () => {
  const decode = (apiVersion: string, kind: string, raw: Buffer): unknown => decodeProtobufBody(envelope(apiVersion, kind, raw));

  it.each<[string, string, string, Buffer, Record<string, unknown>]>([
    [
      'zero scalars are left out unless the field keeps them (pointer, or no omitempty)',
      'v1',
      'Pod',
      Buffer.concat([
        objectMeta('p', 'default'),
        // PodSpec: containers = 2 {name = 1, image = 2, ports = 6 {hostPort = 2, containerPort = 3}}, terminationGracePeriodSeconds = 4, hostNetwork = 11
        pbMsg(2, pbMsg(2, pbBytes(1, 'c'), pbBytes(2, ''), pbMsg(6, pbInt(2, 0), pbInt(3, 0))), pbInt(4, 0), pbInt(11, 0)),
      ]),
      { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 0 }] }], terminationGracePeriodSeconds: 0 } },
    ],
    [
      'a negative int32 (a ten-byte varint)',
      'v1',
      'Service',
      Buffer.concat([objectMeta('s'), pbMsg(2, pbMsg(1, pbInt(3, -1), pbInt(5, 30000)))]),
      { spec: { ports: [{ port: -1, nodePort: 30000 }] } },
    ],
    [
      'IntOrString as a number and as a name; maps; a repeated message',
      'v1',
      'Service',
      Buffer.concat([
        objectMeta('s'),
        pbMsg(
          2,
          pbMsg(1, pbBytes(1, 'a'), pbInt(3, 80), pbMsg(4, pbInt(1, 0), pbInt(2, 8080))),
          pbMsg(1, pbBytes(1, 'b'), pbInt(3, 81), pbMsg(4, pbInt(1, 1), pbBytes(3, 'http'))),
          pbMsg(2, pbBytes(1, 'app'), pbBytes(2, 'web')),
          pbMsg(2, pbBytes(1, 'tier'), pbBytes(2, '')),
        ),
      ]),
      { spec: { ports: [{ name: 'a', port: 80, targetPort: 8080 }, { name: 'b', port: 81, targetPort: 'http' }], selector: { app: 'web', tier: '' } } },
    ],
    [
      'Time keeps whole seconds; the empty Time is left out; Quantity maps; inlined ProbeHandler',
      'v1',
      'Pod',
      Buffer.concat([
        pbMsg(1, pbBytes(1, 'p'), pbMsg(8), pbMsg(9, pbInt(1, 1700000000), pbInt(2, 999_000_000)), pbMsg(11, pbBytes(1, 'a'), pbBytes(2, 'b'))),
        pbMsg(
          2,
          pbMsg(
            2,
            pbBytes(1, 'c'),
            pbMsg(8, pbMsg(1, pbBytes(1, 'cpu'), pbMsg(2, pbBytes(1, '250m'))), pbMsg(2, pbBytes(1, 'memory'), pbMsg(2))),
            // readinessProbe = 11: ProbeHandler (inlined) = 1 {httpGet = 2 {path = 1, port = 2}}, periodSeconds = 4
            pbMsg(11, pbMsg(1, pbMsg(2, pbBytes(1, '/healthz'), pbMsg(2, pbInt(2, 8080)))), pbInt(4, 5)),
          ),
        ),
      ]),
      {
        metadata: { name: 'p', deletionTimestamp: '2023-11-14T22:13:20Z', labels: { a: 'b' } },
        spec: {
          containers: [
            {
              name: 'c',
              resources: { limits: { cpu: '250m' }, requests: { memory: '0' } },
              readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5 },
            },
          ],
        },
      },
    ],
    [
      'packed and unpacked repeated int64 both read',
      'v1',
      'Pod',
      // PodSpec.securityContext = 14 {supplementalGroups = 4}
      Buffer.concat([pbMsg(2, pbMsg(14, pbInt(4, 1), pbBytes(4, Buffer.concat([varint(2), varint(300)])), pbInt(4, 4)))]),
      { spec: { securityContext: { supplementalGroups: [1, 2, 300, 4] } } },
    ],
    [
      'MicroTime keeps microseconds',
      'v1',
      'Event',
      Buffer.concat([objectMeta('e', 'default'), pbBytes(3, 'Started'), pbMsg(10, pbInt(1, 1700000000), pbInt(2, 123_456_789)), pbInt(8, 2)]),
      { metadata: { name: 'e', namespace: 'default' }, reason: 'Started', eventTime: '2023-11-14T22:13:20.123456Z', count: 2 },
    ],
    [
      'autoscaling/v1 Scale',
      'autoscaling/v1',
      'Scale',
      Buffer.concat([objectMeta('rc', 'default'), pbMsg(2, pbInt(1, 3)), pbMsg(3, pbInt(1, 0), pbBytes(2, ''))]),
      { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'rc', namespace: 'default' }, spec: { replicas: 3 }, status: { replicas: 0 } },
    ],
    [
      'DeleteOptions of any group version; pointer zeros kept',
      'discovery.k8s.io/v1',
      'DeleteOptions',
      Buffer.concat([pbInt(1, 0), pbMsg(2, pbBytes(1, 'uid-1')), pbInt(3, 0), pbBytes(5, 'All')]),
      { apiVersion: 'discovery.k8s.io/v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: 'uid-1' }, orphanDependents: false, dryRun: ['All'] },
    ],
    [
      'managedFields: FieldsV1 is raw JSON',
      'v1',
      'Namespace',
      pbMsg(1, pbBytes(1, 'n'), pbMsg(17, pbBytes(1, 'kubectl'), pbBytes(6, 'FieldsV1'), pbMsg(7, pbBytes(1, '{"f:metadata":{}}')))),
      { metadata: { name: 'n', managedFields: [{ manager: 'kubectl', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': {} } }] } },
    ],
    [
      'discovery/v1 EndpointSlice with pointer booleans',
      'discovery.k8s.io/v1',
      'EndpointSlice',
      // Endpoint = 2 {addresses = 1, conditions = 2 {ready = 1, serving = 2}}, ports = 3 {name = 1, port = 3}, addressType = 4
      Buffer.concat([objectMeta('es', 'default'), pbMsg(2, pbBytes(1, '127.0.0.5'), pbMsg(2, pbInt(1, 0), pbInt(2, 1))), pbMsg(3, pbBytes(1, ''), pbInt(3, 8080)), pbBytes(4, 'IPv4')]),
      {
        metadata: { name: 'es', namespace: 'default' },
        endpoints: [{ addresses: ['127.0.0.5'], conditions: { ready: false, serving: true } }],
        ports: [{ name: '', port: 8080 }],
        addressType: 'IPv4',
      },
    ],
  ])('%s', (_name, apiVersion, kind, raw, want) => {
    const got = decode(apiVersion, kind, raw);
    expect(got).toMatchObject({ apiVersion, kind, ...want });
    // Nothing beyond what was asked for: compare the whole object where the case names all of it.
    if ('metadata' in want) expect((got as { metadata: unknown }).metadata).toEqual(want.metadata);
    if ('spec' in want) expect((got as { spec: unknown }).spec).toEqual(want.spec);
  });

  it.each<[string, Buffer, string]>([
    ['no magic', Buffer.from('hello'), 'provided data does not appear to be a protobuf message'],
    ['an empty body', Buffer.alloc(0), 'provided data does not appear to be a protobuf message'],
    ['no kind', envelope('v1', '', objectMeta('x')), "Object 'Kind' is missing"],
    ['field number 0', envelope('v1', 'Namespace', Buffer.from([0x02, 0x00])), 'proto: core.v1.Namespace: illegal tag 0 (wire type 2)'],
    ['wire type 7', envelope('v1', 'Namespace', Buffer.from([0x0f])), 'proto: illegal wireType 7'],
    ['a length past the end', envelope('v1', 'Namespace', Buffer.from([0x0a, 0x05, 0x01])), 'unexpected EOF'],
    ['a string where a number belongs', envelope('v1', 'Service', pbMsg(2, pbMsg(1, pbBytes(3, '80')))), 'proto: wrong wireType = 2 for field port'],
    ['FieldsV1 that is not JSON', envelope('v1', 'Namespace', pbMsg(1, pbMsg(17, pbMsg(7, pbBytes(1, '{'))))), 'FieldsV1:'],
    ['a gzip content encoding', Buffer.concat([MAGIC, pbMsg(1, pbBytes(1, 'v1'), pbBytes(2, 'Namespace')), pbBytes(3, 'gzip')]), 'unsupported protobuf content encoding "gzip"'],
  ])('%s is 400 BadRequest', (_name, body, message) => {
    let err: unknown;
    try {
      decodeProtobufBody(body);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(400);
    expect((err as ApiError).reason).toBe('BadRequest');
    expect((err as ApiError).message).toContain(message);
  });

  it('every decodable kind has a field table (messages load and resolve)', () => {
    for (const { apiVersion, kind } of decodableKinds()) {
      const message = rootMessageFor(apiVersion, kind);
      expect(message, `${apiVersion}/${kind}`).toBeDefined();
      expect(decodeMessage(Buffer.alloc(0), message!)).toEqual({});
    }
  });
});

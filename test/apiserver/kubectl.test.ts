// Real kubectl against a throwaway HTTP server that serves only this area's documents
// (discovery, OpenAPI, Tables) and records what kubectl sends. Skipped when kubectl is absent.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strictDecodingError } from '../../src/api/errors.js';
import { apiVersionOf } from '../../src/api/resources.js';
import { RESOURCES } from '../../src/kinds/catalog.js';
import type { KubeObject } from '../../src/api/types.js';
import {
  aggregatedDiscovery,
  aggregatedDiscoveryContentType,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  versionInfo,
  wantedAggregatedDiscovery,
} from '../../src/apiserver/discovery.js';
import { openapiV3Document, openapiV3Root } from '../../src/apiserver/openapi.js';
import { toTable } from '../../src/apiserver/printers/index.js';
import { findUnknownFields } from '../../src/apiserver/schema/index.js';

function kubectlAvailable(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

const now = new Date();
const minutesAgo = (m: number): string => new Date(now.getTime() - m * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');

const lastApplied = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default', labels: { app: 'web' } },
  spec: { containers: [{ name: 'app', image: 'echo:1', env: [{ name: 'A', value: '0' }], ports: [{ containerPort: 8080 }] }] },
};

const OBJECTS: Record<string, KubeObject[]> = {
  pods: [
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-1',
        namespace: 'default',
        uid: 'u-1',
        resourceVersion: '7',
        creationTimestamp: minutesAgo(90),
        labels: { app: 'web' },
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(lastApplied) },
      },
      spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'echo:1', env: [{ name: 'A', value: '0' }], ports: [{ containerPort: 8080 }] }] },
      status: {
        phase: 'Running',
        podIP: '127.244.1.5',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'app', ready: true, restartCount: 0, image: 'echo:1', imageID: '', state: { running: { startedAt: minutesAgo(4) } } }],
      },
    },
  ],
  services: [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default', uid: 'u-2', resourceVersion: '8', creationTimestamp: minutesAgo(45) },
      spec: { type: 'LoadBalancer', clusterIP: '127.96.0.20', selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 8080, nodePort: 30080 }] },
      status: { loadBalancer: {} },
    },
  ],
};

interface Seen {
  method: string;
  url: string;
  contentType: string;
  body: string;
}

describe('kubectl against the published documents', () => {
  let server: http.Server;
  let base = '';
  let dir = '';
  let aggregated = true;
  const seen: Seen[] = [];

  const send = (res: http.ServerResponse, code: number, body: unknown, contentType = 'application/json'): void => {
    res.writeHead(code, { 'Content-Type': contentType });
    res.end(JSON.stringify(body));
  };

  function handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname.replace(/\/$/, '') || '/';
    seen.push({ method: req.method ?? '', url: req.url ?? '', contentType: String(req.headers['content-type'] ?? ''), body });
    const accept = String(req.headers.accept ?? '');
    if (path === '/version') return send(res, 200, versionInfo());
    if (path === '/api' || path === '/apis') {
      const v = aggregated ? wantedAggregatedDiscovery(accept) : undefined;
      if (v) return send(res, 200, aggregatedDiscovery(path === '/api' ? 'api' : 'apis', v), aggregatedDiscoveryContentType(v));
      return send(res, 200, path === '/api' ? apiVersions(`127.0.0.1:${(server.address() as AddressInfo).port}`) : apiGroupList());
    }
    if (path === '/api/v1') return send(res, 200, apiResourceList('', 'v1'));
    const gv = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(path);
    if (gv && gv[2] === undefined && apiGroup(gv[1]!)) return send(res, 200, apiGroup(gv[1]!));
    if (gv && gv[2] !== undefined && apiResourceList(gv[1]!, gv[2])) return send(res, 200, apiResourceList(gv[1]!, gv[2]));
    if (path === '/openapi/v3') return send(res, 200, openapiV3Root());
    if (path.startsWith('/openapi/v3/')) {
      const doc = openapiV3Document(path.slice('/openapi/v3/'.length));
      return doc ? send(res, 200, doc) : send(res, 404, {});
    }
    const m = /^\/api\/v1(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/.exec(path);
    const info = m && RESOURCES.find((r) => r.group === '' && r.resource === m[2]);
    if (!m || !info) return send(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' });
    const [, ns, , name] = m;
    const items = (OBJECTS[info.resource] ?? []).filter((o) => (!ns || o.metadata.namespace === ns) && (!name || o.metadata.name === name));
    if (req.method === 'GET') {
      if (name && items.length === 0) {
        return send(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, reason: 'NotFound', message: `${info.resource} "${name}" not found` });
      }
      if (accept.includes('as=Table')) return send(res, 200, toTable(info, items, { listMeta: { resourceVersion: '9' } }));
      return send(res, 200, name ? items[0] : { kind: info.listKind, apiVersion: 'v1', metadata: { resourceVersion: '9' }, items });
    }
    const obj = JSON.parse(body || '{}') as KubeObject;
    if (req.method === 'POST' && url.searchParams.get('fieldValidation') === 'Strict') {
      const unknown = findUnknownFields(obj.apiVersion ?? '', obj.kind ?? '', obj);
      if (unknown.length) return send(res, 400, strictDecodingError(info.kind, info.group, unknown).status);
    }
    // Writes are acknowledged without being kept: the test checks what kubectl sent.
    return send(res, req.method === 'POST' ? 201 : 200, req.method === 'POST' ? obj : items[0]);
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loopkube-kubectl-'));
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        try {
          handle(req, res, body);
        } catch (err) {
          send(res, 500, { message: String(err) });
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  let runs = 0;
  /** Runs kubectl with a fresh discovery cache; never throws (exit code returned). */
  function kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const cache = join(dir, `cache-${runs++}`);
    return new Promise((resolve) => {
      execFile(
        'kubectl',
        ['--kubeconfig=/dev/null', `--server=${base}`, `--cache-dir=${cache}`, ...args],
        { timeout: 30_000 },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
    });
  }

  it('kubectl get prints the server-side table, wide columns included', async () => {
    const r = await kubectl(['get', 'pods', '-n', 'default', '-o', 'wide']);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]?.split(/\s{2,}/)).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    // Ages between 10 minutes and 3 hours print in whole minutes; allow the clock to tick one.
    expect(lines[1]?.split(/\s+/)).toEqual(['web-1', '1/1', 'Running', '0', expect.stringMatching(/^9[01]m$/), '127.244.1.5', 'node-1', '<none>', '<none>']);
  });

  it('kubectl get svc shows a pending load balancer and its node port', async () => {
    const r = await kubectl(['get', 'svc', '-n', 'default']);
    expect(r.stdout.trim().split('\n')[1]?.split(/\s+/)).toEqual(['web', 'LoadBalancer', '127.96.0.20', '<pending>', '80:30080/TCP', expect.stringMatching(/^4[56]m$/)]);
  });

  it('discovery works both aggregated and legacy (short names resolve)', async () => {
    for (const mode of [true, false]) {
      aggregated = mode;
      const r = await kubectl(['api-resources', '--no-headers']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^pods\s+po\s+v1\s+true\s+Pod$/m);
      expect(r.stdout).toMatch(/^endpointslices\s+discovery\.k8s\.io\/v1\s+true\s+EndpointSlice$/m);
    }
    aggregated = true;
  });

  it('kubectl create relies on server-side validation and prints its error', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'apiVersion: v1\nkind: Service\nmetadata: {name: bad, namespace: default}\nspec:\n  foo: 1\n  ports: [{port: 80, bar: 2}]\n');
    seen.length = 0;
    const r = await kubectl(['create', '-f', file]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.foo", unknown field "spec.ports[0].bar"');
    const post = seen.find((s) => s.method === 'POST');
    expect(post?.url).toContain('fieldValidation=Strict');
    // kubectl validates client-side (from /openapi/v2) only when it thinks the server cannot.
    expect(seen.some((s) => s.url.startsWith('/openapi/v2'))).toBe(false);
  });

  it('kubectl apply computes its strategic merge patch from the v3 schemas, without falling back', async () => {
    const file = join(dir, 'pod.yaml');
    const changed = structuredClone(lastApplied) as typeof lastApplied & { spec: Record<string, unknown> };
    changed.spec.containers[0]!.env = [{ name: 'A', value: '1' }];
    changed.spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] }] } } };
    changed.spec.securityContext = { runAsUser: 1000, sysctls: [{ name: 'a', value: 'b' }] };
    await writeFile(file, JSON.stringify(changed));
    seen.length = 0;
    const r = await kubectl(['apply', '-f', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('warning');
    const patch = seen.find((s) => s.method === 'PATCH');
    expect(patch?.contentType).toBe('application/strategic-merge-patch+json');
    expect(patch?.url).toContain('fieldValidation=Strict');
    const body = JSON.parse(patch?.body ?? '{}') as { spec?: { containers?: Array<Record<string, unknown>>; $setElementOrder?: unknown } };
    expect(body.spec?.containers?.[0]).toMatchObject({ name: 'app', env: [{ name: 'A', value: '1' }] });
    expect(seen.some((s) => s.url.startsWith('/openapi/v2'))).toBe(false);
  });

  it('kubectl explain reads the v3 document', async () => {
    const r = await kubectl(['explain', 'pods.spec.containers.ports']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('KIND:       Pod');
    expect(r.stdout).toMatch(/containerPort\s+<integer> -required-/);
    const policy = await kubectl(['explain', 'services.spec.externalTrafficPolicy']);
    expect(policy.stdout).toContain('Local');
    const ports = await kubectl(['explain', 'services.spec.ports']);
    expect(ports.stdout).toMatch(/targetPort\s+<IntOrString>/);
    const limits = await kubectl(['explain', 'pods.spec.containers.resources']);
    expect(limits.stdout).toMatch(/limits\s+<map\[string\]Quantity>/);
  });

  it('every served kind can be explained', async () => {
    for (const info of RESOURCES) {
      const r = await kubectl(['explain', info.resource, `--api-version=${apiVersionOf(info)}`]);
      expect(r.code, `${info.resource}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`KIND:       ${info.kind}`);
    }
  });
});

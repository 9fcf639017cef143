// Three official clients behind one interface, so one table of cases runs through each:
// kubectl (/usr/bin/kubectl 1.32), @kubernetes/client-node, and Debian's python3-kubernetes
// (test/clients/python_client.py, one process answering JSON lines). Every result is what the
// client itself returned or printed, read through its own models, never our JSON.
import * as k8s from '@kubernetes/client-node';
import { spawn, type ChildProcess } from 'node:child_process';
import https from 'node:https';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { REPO, type TestCluster } from '../support/cluster.js';

export interface ServiceResult {
  name: string;
  uid: string;
  labels: Record<string, string>;
  clusterIP: string;
  ports: Array<{ port: number; protocol: string; targetPort: number | string }>;
}

export interface WatchEventResult {
  type: string;
  name: string;
}

export interface ClientDriver {
  name: string;
  createNamespace(name: string): Promise<void>;
  createService(ns: string, name: string, labels: Record<string, string>): Promise<ServiceResult>;
  getService(ns: string, name: string): Promise<ServiceResult>;
  listServices(ns: string, labelSelector?: string): Promise<{ names: string[]; resourceVersion: string }>;
  /** Every page of a list read `limit` at a time with the continue token. */
  listServicePages(ns: string, limit: number): Promise<string[][]>;
  patchServiceLabels(ns: string, name: string, labels: Record<string, string>): Promise<ServiceResult>;
  /**
   * What the client gives back for a delete: the kind it read (the deleted object's, or Status)
   * and the name when its model has one (python3-kubernetes 22.6 reads every delete as V1Status).
   */
  deleteService(ns: string, name: string): Promise<{ returned: string; name?: string }>;
  /**
   * A typed watch of the namespace's services: from no resourceVersion or from one; `then` is a
   * create the driver runs once the watch is set up; the first `count` events.
   */
  watchServices(ns: string, opts: { resourceVersion?: string; count: number; then?: string }): Promise<WatchEventResult[]>;
  serviceTable(ns: string): Promise<{ columns: string[]; rows: string[] }>;
  listNodes(): Promise<string[]>;
  /** kubeProxyVersion as the client read it: undefined when the server left it out. */
  readNode(name: string): Promise<{ name: string; kubeletVersion: string; kubeProxyVersion: string | undefined }>;
  close(): Promise<void>;
}

const serviceManifest = (ns: string, name: string, labels: Record<string, string>): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns, labels },
  spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
});

interface ServiceJson {
  metadata: { name: string; uid: string; labels?: Record<string, string> };
  spec: { clusterIP: string; ports: Array<{ port: number; protocol: string; targetPort: number | string }> };
}

const fromJson = (s: ServiceJson): ServiceResult => ({
  name: s.metadata.name,
  uid: s.metadata.uid,
  labels: s.metadata.labels ?? {},
  clusterIP: s.spec.clusterIP,
  ports: s.spec.ports.map((p) => ({ port: p.port, protocol: p.protocol, targetPort: p.targetPort })),
});

// ---- kubectl ---------------------------------------------------------------------------------

export function kubectlDriver(c: TestCluster): ClientDriver {
  const run = async (args: string[], input?: string): Promise<string> => {
    const r = await c.kubectl(args, input !== undefined ? { input } : {});
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr.trim()}`);
    return r.stdout;
  };
  const json = async <T>(args: string[], input?: string): Promise<T> => JSON.parse(await run(args, input)) as T;
  return {
    name: 'kubectl',
    createNamespace: async (name) => void (await run(['create', 'namespace', name])),
    createService: async (ns, name, labels) => fromJson(await json<ServiceJson>(['create', '-f', '-', '-o', 'json'], JSON.stringify(serviceManifest(ns, name, labels)))),
    getService: async (ns, name) => fromJson(await json<ServiceJson>(['get', 'service', name, '-n', ns, '-o', 'json'])),
    listServices: async (ns, selector) => {
      const raw = await json<{ metadata: { resourceVersion: string }; items: ServiceJson[] }>([
        'get', '--raw', `/api/v1/namespaces/${ns}/services${selector ? `?labelSelector=${encodeURIComponent(selector)}` : ''}`,
      ]);
      const printed = await json<{ items: ServiceJson[] }>(['get', 'services', '-n', ns, '-o', 'json', ...(selector ? ['-l', selector] : [])]);
      return { names: printed.items.map((s) => s.metadata.name), resourceVersion: raw.metadata.resourceVersion };
    },
    listServicePages: async (ns, limit) => {
      const pages: string[][] = [];
      let token = '';
      do {
        const page = await json<{ metadata: { continue?: string }; items: ServiceJson[] }>([
          'get', '--raw', `/api/v1/namespaces/${ns}/services?limit=${limit}${token ? `&continue=${encodeURIComponent(token)}` : ''}`,
        ]);
        pages.push(page.items.map((s) => s.metadata.name));
        token = page.metadata.continue ?? '';
      } while (token && pages.length <= 20);
      return pages;
    },
    patchServiceLabels: async (ns, name, labels) => fromJson(await json<ServiceJson>(['patch', 'service', name, '-n', ns, '-p', JSON.stringify({ metadata: { labels } }), '-o', 'json'])),
    deleteService: async (ns, name) => {
      const out = (await run(['delete', 'service', name, '-n', ns, '--wait=false'])).trim();
      const m = /^(\w+) "([^"]+)" deleted$/.exec(out);
      return { returned: m?.[1] ?? out, name: m?.[2] ?? '' };
    },
    watchServices: async (ns, opts) => {
      if (opts.resourceVersion) {
        // kubectl has no typed watch from a revision: its raw GET does it (the stream ends at timeoutSeconds)
        if (opts.then) await run(['create', '-f', '-'], JSON.stringify(serviceManifest(ns, opts.then, {})));
        const out = await run(['get', '--raw', `/api/v1/namespaces/${ns}/services?watch=true&resourceVersion=${opts.resourceVersion}&timeoutSeconds=2`]);
        return out.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { type: string; object: ServiceJson }).slice(0, opts.count).map((e) => ({ type: e.type, name: e.object.metadata.name }));
      }
      const child = c.kubectlProcess(['get', 'services', '-n', ns, '--watch', '--output-watch-events', '-o', 'json']);
      return readJsonStream(child, opts.count, async () => {
        if (opts.then) await run(['create', '-f', '-'], JSON.stringify(serviceManifest(ns, opts.then, {})));
      });
    },
    serviceTable: async (ns) => {
      const lines = (await run(['get', 'services', '-n', ns])).trim().split('\n');
      const header = (lines[0] ?? '').split(/\s{2,}/);
      return { columns: header, rows: lines.slice(1).map((l) => l.split(/\s+/)[0] as string) };
    },
    listNodes: async () => (await json<{ items: Array<{ metadata: { name: string } }> }>(['get', 'nodes', '-o', 'json'])).items.map((n) => n.metadata.name),
    readNode: async (name) => {
      const n = await json<{ metadata: { name: string }; status: { nodeInfo: { kubeletVersion: string; kubeProxyVersion: string } } }>(['get', 'node', name, '-o', 'json']);
      return { name: n.metadata.name, kubeletVersion: n.status.nodeInfo.kubeletVersion, kubeProxyVersion: n.status.nodeInfo.kubeProxyVersion };
    },
    close: async () => undefined,
  };
}

/** Watch events printed by `kubectl get -w --output-watch-events -o json`: one JSON object a line (to a pipe). */
function readJsonStream(child: ChildProcess, count: number, onStarted: () => Promise<void>): Promise<WatchEventResult[]> {
  return new Promise((resolve, reject) => {
    const events: WatchEventResult[] = [];
    let buffer = '';
    let started = false;
    const timer = setTimeout(() => finish(new Error(`kubectl watch: ${events.length} of ${count} events`)), 30_000);
    const finish = (err?: Error): void => {
      clearTimeout(timer);
      child.kill();
      if (err) reject(err);
      else resolve(events);
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let end: number;
      while ((end = buffer.indexOf('\n')) >= 0) {
        const text = buffer.slice(0, end).trim();
        buffer = buffer.slice(end + 1);
        if (!text) continue;
        const ev = JSON.parse(text) as { type: string; object: ServiceJson };
        events.push({ type: ev.type, name: ev.object.metadata.name });
        if (events.length >= count) return finish();
        if (!started) {
          started = true;
          onStarted().catch(finish);
        }
      }
    });
    child.on('exit', () => finish(events.length >= count ? undefined : new Error('kubectl watch ended early')));
  });
}

// ---- @kubernetes/client-node ------------------------------------------------------------------

export function clientNodeDriver(c: TestCluster): ClientDriver {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(c.kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const toResult = (s: k8s.V1Service): ServiceResult => ({
    name: s.metadata?.name ?? '',
    uid: s.metadata?.uid ?? '',
    labels: s.metadata?.labels ?? {},
    clusterIP: s.spec?.clusterIP ?? '',
    ports: (s.spec?.ports ?? []).map((p) => ({ port: p.port, protocol: p.protocol ?? '', targetPort: p.targetPort as number | string })),
  });
  const create = (ns: string, name: string, labels: Record<string, string>): Promise<k8s.V1Service> =>
    core.createNamespacedService({ namespace: ns, body: serviceManifest(ns, name, labels) as k8s.V1Service });
  return {
    name: '@kubernetes/client-node',
    createNamespace: async (name) => void (await core.createNamespace({ body: { metadata: { name } } })),
    createService: async (ns, name, labels) => toResult(await create(ns, name, labels)),
    getService: async (ns, name) => toResult(await core.readNamespacedService({ namespace: ns, name })),
    listServices: async (ns, labelSelector) => {
      const l = await core.listNamespacedService({ namespace: ns, ...(labelSelector ? { labelSelector } : {}) });
      return { names: l.items.map((s) => s.metadata?.name ?? ''), resourceVersion: l.metadata?.resourceVersion ?? '' };
    },
    listServicePages: async (ns, limit) => {
      const pages: string[][] = [];
      let token: string | undefined;
      do {
        const l = await core.listNamespacedService({ namespace: ns, limit, ...(token ? { _continue: token } : {}) });
        pages.push(l.items.map((s) => s.metadata?.name ?? ''));
        token = l.metadata?._continue;
      } while (token && pages.length <= 20);
      return pages;
    },
    patchServiceLabels: async (ns, name, labels) =>
      toResult(await core.patchNamespacedService({ namespace: ns, name, body: { metadata: { labels } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch))),
    deleteService: async (ns, name) => {
      const r = (await core.deleteNamespacedService({ namespace: ns, name })) as k8s.V1Service | k8s.V1Status;
      return { returned: r.kind ?? '', name: (r as k8s.V1Service).metadata?.name ?? (r as k8s.V1Status).details?.name ?? '' };
    },
    watchServices: (ns, opts) =>
      new Promise((resolve, reject) => {
        const events: WatchEventResult[] = [];
        let request: { abort(): void } | undefined;
        const timer = setTimeout(() => {
          request?.abort();
          reject(new Error(`watch: ${events.length} of ${opts.count} events`));
        }, 30_000);
        new k8s.Watch(kc)
          .watch(
            `/api/v1/namespaces/${ns}/services`,
            opts.resourceVersion ? { resourceVersion: opts.resourceVersion } : {},
            (type: string, obj: k8s.V1Service) => {
              events.push({ type, name: obj.metadata?.name ?? '' });
              if (events.length >= opts.count) {
                clearTimeout(timer);
                request?.abort();
                resolve(events);
              }
            },
            (err: unknown) => {
              if (events.length < opts.count && err) {
                clearTimeout(timer);
                reject(err as Error);
              }
            },
          )
          .then(async (req) => {
            request = req;
            if (opts.then) await create(ns, opts.then, {});
          })
          .catch(reject);
      }),
    serviceTable: async (ns) => {
      const table = await getJson<{ columnDefinitions: Array<{ name: string; priority: number }>; rows: Array<{ cells: unknown[] }> }>(kc, `/api/v1/namespaces/${ns}/services`, 'application/json;as=Table;v=v1;g=meta.k8s.io');
      return { columns: table.columnDefinitions.filter((d) => d.priority === 0).map((d) => d.name), rows: table.rows.map((r) => String(r.cells[0])) };
    },
    listNodes: async () => (await core.listNode()).items.map((n) => n.metadata?.name ?? ''),
    readNode: async (name) => {
      const n = await core.readNode({ name });
      return { name: n.metadata?.name ?? '', kubeletVersion: n.status?.nodeInfo?.kubeletVersion ?? '', kubeProxyVersion: n.status?.nodeInfo?.kubeProxyVersion };
    },
    close: async () => undefined,
  };
}

/** A GET with the client's own credentials and TLS settings (Table is not a typed call of the client). */
async function getJson<T>(kc: k8s.KubeConfig, path: string, accept: string): Promise<T> {
  const server = new URL(kc.getCurrentCluster()?.server ?? '');
  const opts: https.RequestOptions = { method: 'GET', hostname: server.hostname, port: server.port, path, headers: { Accept: accept } };
  await kc.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    const req = https.request(opts, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString('utf8')));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body) as T) : reject(new Error(`${res.statusCode}: ${body}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

// ---- python3-kubernetes -----------------------------------------------------------------------

export const PYTHON = '/usr/bin/python3';

/** One python_client.py process: `call` sends a command and resolves with the client's answer. */
export interface PythonClient {
  call<T>(cmd: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

export function pythonClient(kubeconfig: string): PythonClient {
  const child = spawn(PYTHON, [path.join(REPO, 'test/clients/python_client.py'), kubeconfig], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const lines = createInterface({ input: child.stdout });
  const waiting: Array<(line: string) => void> = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  child.on('exit', () => {
    for (const w of waiting.splice(0)) w(JSON.stringify({ error: { code: -1, body: `python exited: ${stderr.trim()}` } }));
  });
  // one command at a time: answers come back in order
  let queue: Promise<unknown> = Promise.resolve();
  const call = <T>(cmd: Record<string, unknown>): Promise<T> => {
    const next = queue.then(
      () =>
        new Promise<T>((resolve, reject) => {
          waiting.push((line) => {
            const answer = JSON.parse(line) as { ok?: T; error?: { code: number; body: unknown } };
            if (answer.error) reject(new Error(`python ${String(cmd.op)}: ${answer.error.code} ${JSON.stringify(answer.error.body)}`));
            else resolve(answer.ok as T);
          });
          child.stdin.write(JSON.stringify(cmd) + '\n');
        }),
    );
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    call,
    close: async () => {
      child.stdin.end();
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    },
  };
}

export function pythonDriver(c: TestCluster): ClientDriver {
  const { call, close } = pythonClient(c.kubeconfig);
  return {
    name: 'python3-kubernetes',
    createNamespace: async (name) => void (await call({ op: 'createNamespace', name })),
    createService: (ns, name, labels) => call({ op: 'createService', namespace: ns, name, labels }),
    getService: (ns, name) => call({ op: 'getService', namespace: ns, name }),
    listServices: (ns, labelSelector) => call({ op: 'listServices', namespace: ns, labelSelector }),
    listServicePages: async (ns, limit) => (await call<{ pages: string[][] }>({ op: 'listServicePages', namespace: ns, limit })).pages,
    patchServiceLabels: (ns, name, labels) => call({ op: 'patchServiceLabels', namespace: ns, name, labels }),
    deleteService: async (ns, name) => {
      const r = await call<{ kind: string; name?: string }>({ op: 'deleteService', namespace: ns, name });
      return { returned: r.kind, ...(r.name ? { name: r.name } : {}) };
    },
    watchServices: async (ns, opts) => {
      const events = await call<Array<{ type: string; name: string }>>({
        op: 'watchServices',
        namespace: ns,
        count: opts.count,
        ...(opts.resourceVersion ? { resourceVersion: opts.resourceVersion } : {}),
        ...(opts.then ? { then: { op: 'createService', namespace: ns, name: opts.then, labels: {} } } : {}),
      });
      return events.map((e) => ({ type: e.type, name: e.name }));
    },
    serviceTable: (ns) => call({ op: 'serviceTable', namespace: ns }),
    listNodes: async () => (await call<{ names: string[] }>({ op: 'listNodes' })).names,
    readNode: (name) => call({ op: 'readNode', name }),
    close,
  };
}

// What the proxy's integration tests share: a real proxy process on a test control plane's home,
// pods played by small HTTP servers on pod IPs (each answers with who it is and the client
// address it saw), selectorless Services with hand-made EndpointSlices, and one-connection HTTP
// requests from a chosen source address.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Endpoint, EndpointSlice, Event, Pod, Service, ServiceSpec } from '../../src/api/types.js';
import { clusterPaths } from '../../src/cluster/config.js';
import { CLUSTER_HOME_ENV, PROCESS_NAME_ENV, SUPERVISOR_PID_ENV } from '../../src/cluster/parent-watch.js';
import type { ApiClient } from '../../src/client/client.js';
import type { SocketKeeper } from '../../src/supervisor/socket-keeper.js';
import { REPO, waitFor } from '../support/control-plane.js';
import { confirmPodDeletion, setPodStatus } from '../support/fake-nodes.js';

export const PROXY_MAIN = path.join(REPO, 'dist/proxy/main.js');

export interface ProxyProcess {
  process: ChildProcess;
  metricsPort: number;
  logFile: string;
  /** GET http://127.0.0.1:<metricsPort><path>, with the cluster's token (false: without). */
  get(pathname: string, withToken?: boolean): Promise<{ status: number; body: string }>;
  /** SIGKILL, as a crash; resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM and wait (SIGKILL after 5 s). Safe to call more than once. */
  stop(): Promise<void>;
}

function get(port: number, pathname: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    const req = http.get({ host: '127.0.0.1', port, path: pathname, headers, agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

/**
 * The flag that turns on Node's permission model (process.binding() is denied under it): named
 * --permission since Node 22.13 / 23.5, --experimental-permission before.
 */
export function permissionFlag(version = process.versions.node): string {
  const [major, minor] = version.split('.').map(Number) as [number, number];
  return major > 22 || (major === 22 && minor >= 13) ? '--permission' : '--experimental-permission';
}

/**
 * Starts `node [nodeArgs] dist/proxy/main.js --home HOME` and waits until its /healthz answers 200.
 * With `keeper` (the supervisor's own socket keeper, run in the test), it is the proxy's supervisor:
 * over an IPC channel it hands the proxy the sockets it holds and holds what the proxy opens.
 */
export async function startProxyProcess(home: string, metricsPort: number, opts: { nodeArgs?: string[]; keeper?: SocketKeeper } = {}): Promise<ProxyProcess> {
  if (!existsSync(PROXY_MAIN)) throw new Error(`${PROXY_MAIN} is missing: run npx tsc -p tsconfig.json`);
  const logFile = path.join(clusterPaths(home).logsDir, 'proxy.log');
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), PROXY_MAIN, '--home', home], {
    cwd: REPO,
    stdio: opts.keeper ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      [SUPERVISOR_PID_ENV]: String(process.pid),
      [CLUSTER_HOME_ENV]: home,
      [PROCESS_NAME_ENV]: 'proxy',
    },
  });
  opts.keeper?.attach(child);
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null;
  try {
    await waitFor('the proxy to be healthy', async () => {
      if (gone()) throw new Error(`the proxy exited: ${readFileSync(logFile, 'utf8').split('\n').slice(-10).join('\n')}`);
      return (await get(metricsPort, '/healthz').catch(() => ({ status: 0 }))).status === 200;
    }, 20_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    process: child,
    metricsPort,
    logFile,
    get: (p, withToken = true) => get(metricsPort, p, withToken ? readFileSync(clusterPaths(home).token, 'utf8').trim() : undefined),
    async kill() {
      if (!gone()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!gone()) {
        child.kill('SIGTERM');
        const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
        if (!done) child.kill('SIGKILL');
      }
      await exited;
    },
  };
}

export interface PodServer {
  name: string;
  ip: string;
  port: number;
  node: string;
  close(): Promise<void>;
}

/** What a pod server answers. */
export interface PodAnswer {
  pod: string;
  ip: string;
  node: string;
  /** The client address the pod saw. */
  client: string;
}

/** An HTTP server on ip:port (port 0 = any free) playing a pod. */
export function startPodServer(name: string, ip: string, node: string, port = 0): Promise<PodServer> {
  const server = http.createServer((req, res) => {
    const body = JSON.stringify({ pod: name, ip, node, client: req.socket.remoteAddress ?? '' } satisfies PodAnswer);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
    req.resume();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: ip, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve({
        name,
        ip,
        node,
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** Pod servers on the given IPs, all on one port (as the pods of one Service). */
export async function startPods(specs: Array<{ name: string; ip: string; node: string }>): Promise<PodServer[]> {
  for (let attempt = 0; ; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 10000);
    const started: PodServer[] = [];
    try {
      for (const s of specs) started.push(await startPodServer(s.name, s.ip, s.node, port));
      return started;
    } catch (err) {
      await Promise.all(started.map((p) => p.close()));
      if (attempt >= 5) throw err;
    }
  }
}

export class RequestError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** One HTTP GET over a new connection (from `localAddress` when given); rejects with the socket error code. */
export function request(host: string, port: number, localAddress?: string, timeoutMs = 5000): Promise<PodAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: '/', agent: false, timeout: timeoutMs, ...(localAddress ? { localAddress } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body) as PodAnswer);
        } catch {
          reject(new RequestError(`not a pod answer: ${body}`, 'EBADANSWER'));
        }
      });
      res.on('error', (err: NodeJS.ErrnoException) => reject(new RequestError(err.message, err.code ?? 'ERROR')));
    });
    req.on('error', (err: NodeJS.ErrnoException) => reject(new RequestError(err.message, err.code ?? 'ERROR')));
    req.on('timeout', () => req.destroy(Object.assign(new Error(`timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
  });
}

/** The error code a request fails with, or 'OK' when it succeeds. */
export async function outcome(host: string, port: number, localAddress?: string): Promise<string> {
  try {
    await request(host, port, localAddress);
    return 'OK';
  } catch (err) {
    return (err as RequestError).code ?? 'ERROR';
  }
}

/** Sends `count` requests one after another and counts answers per pod. */
export async function spread(count: number, host: string, port: number, localAddress?: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const a = await request(host, port, localAddress);
    out[a.pod] = (out[a.pod] ?? 0) + 1;
  }
  return out;
}

export async function createService(client: ApiClient, namespace: string, name: string, spec: ServiceSpec): Promise<Service> {
  return client.create<Service>(`/api/v1/namespaces/${namespace}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec,
  });
}

export function endpoint(pod: PodServer, conditions: Endpoint['conditions'] = { ready: true, serving: true, terminating: false }): Endpoint {
  return { addresses: [pod.ip], nodeName: pod.node, conditions, targetRef: { kind: 'Pod', namespace: 'default', name: pod.name } };
}

/** A hand-made EndpointSlice for a selectorless Service (label kubernetes.io/service-name). */
export async function createEndpointSlice(
  client: ApiClient,
  namespace: string,
  service: string,
  port: { name?: string; port: number },
  endpoints: Endpoint[],
  name = `${service}-manual`,
): Promise<EndpointSlice> {
  return client.create<EndpointSlice>(`/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`, {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: [{ name: port.name ?? '', port: port.port, protocol: 'TCP' }],
    endpoints,
  });
}

export async function setEndpoints(client: ApiClient, slice: EndpointSlice, endpoints: Endpoint[]): Promise<EndpointSlice> {
  const path = `/apis/discovery.k8s.io/v1/namespaces/${slice.metadata.namespace}/endpointslices/${slice.metadata.name}`;
  const current = await client.get<EndpointSlice>(path);
  return client.update<EndpointSlice>(path, { ...current, endpoints });
}

export async function deleteQuietly(client: ApiClient, path: string): Promise<void> {
  await client.delete(path).catch(() => {});
}

/** The Events recorded about a Service. */
export async function serviceEvents(client: ApiClient, namespace: string, name: string): Promise<Event[]> {
  const list = await client.list<Event>(`/api/v1/namespaces/${namespace}/events`);
  return list.items.filter((e) => e.involvedObject.kind === 'Service' && e.involvedObject.name === name);
}

/** True once a TCP connect to host:port is refused or reset (nothing serves it). */
export async function refused(host: string, port: number, localAddress?: string): Promise<boolean> {
  const code = await outcome(host, port, localAddress);
  return code === 'ECONNREFUSED' || code === 'ECONNRESET';
}

/**
 * A Pod object that holds `ip` on `node` (Running, as its kubelet would report it), so a
 * connection from that address counts as a pod's for the ClusterIP rule. Returns a cleanup.
 */
export async function holdPodIP(client: ApiClient, namespace: string, name: string, node: string, ip: string): Promise<() => Promise<void>> {
  const pod = await client.create<Pod>(`/api/v1/namespaces/${namespace}/pods`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { nodeName: node, containers: [{ name: 'app', image: 'loopkube/echo' }] },
  });
  await setPodStatus(client, pod, { ip, ready: true });
  return async () => {
    await deleteQuietly(client, `/api/v1/namespaces/${namespace}/pods/${name}`);
    await confirmPodDeletion(client, pod).catch(() => {});
  };
}

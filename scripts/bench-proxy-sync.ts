// `npm run bench:proxy-sync`: how long an endpoint change takes to reach the proxy's data plane
// with a big population present (default 1,000 Services with 10 endpoints each = 10,000
// endpoints, a tenth of them NodePort).
//
// Two measurements:
//   in-process   the proxy's own work for one endpoint change, on the same objects: a full
//                render and compile of everything (what the proxy did before its snapshot
//                became incremental) against the incremental build and compile it does now
//   end to end   a real cluster (`loopkube up`, one node) holding the population; probe
//                Services with one real endpoint each are flipped from one pod to another, and
//                the time is taken from just before the EndpointSlice write until a new
//                connection through the ClusterIP reaches the new pod; the proxy's own sync
//                time is read from its metrics after each change
//
//   npm run bench:proxy-sync -- [--services 1000] [--endpoints 10] [--changes 50] [--probes 20]
//                               [--data-plane splice|socket] [--keep]
//
// Not a test: the figures depend on the machine and what else runs on it (the load average is
// printed beside them).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { EndpointSlice, Node, Service } from '../src/api/types.js';
import { createApiClient, type ApiClient } from '../src/client/client.js';
import { clientConfigFromHome } from '../src/client/config.js';
import { createRouter } from '../proxy/router.js';
import { createSnapshotBuilder } from '../proxy/snapshot-builder.js';
import { buildSnapshot } from '../proxy/snapshot.js';
import { createStatsRegistry } from '../proxy/stats.js';
import { PROVISIONAL, cli, fmt, freePort, loadAverage, machine, percentile, pool, randomNetworking, table, waitFor } from './bench-support/common.js';

const { values: flags } = parseArgs({
  options: {
    services: { type: 'string', default: '1000' },
    endpoints: { type: 'string', default: '10' },
    changes: { type: 'string', default: '50' },
    probes: { type: 'string', default: '20' },
    'data-plane': { type: 'string', default: 'splice' },
    keep: { type: 'boolean', default: false },
  },
});
const SERVICES = Number(flags.services);
const ENDPOINTS = Number(flags.endpoints);
const CHANGES = Number(flags.changes);
const PROBES = Number(flags.probes);
const SERVICE_PORT = 8080;
const NS = 'default';
const SVC_PATH = `/api/v1/namespaces/${NS}/services`;
const SLICE_PATH = `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`;

const progress = (line: string): void => void process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);

/** Endpoint j of service i: addresses spread over /24s of the pod subnet (`127.P.x.y`). */
function fakeEndpointIP(podPrefix: string, i: number, j: number): string {
  const n = i * ENDPOINTS + j;
  return `${podPrefix}.${2 + Math.floor(n / 250)}.${1 + (n % 250)}`;
}

function serviceObject(name: string, nodePort: boolean, clusterIP?: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NS, uid: `uid-${name}`, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { type: nodePort ? 'NodePort' : 'ClusterIP', ...(clusterIP ? { clusterIP } : {}), ports: [{ name: 'http', port: SERVICE_PORT, targetPort: 8080, protocol: 'TCP' }] },
  };
}

function sliceObject(service: string, ips: string[], port: number): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-bench`, namespace: NS, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port, protocol: 'TCP' }],
    endpoints: ips.map((ip) => ({ addresses: [ip], nodeName: 'node-1', conditions: { ready: true, serving: true, terminating: false } })),
  };
}

// ---- in-process --------------------------------------------------------------------------

interface Row {
  what: string;
  samples: number[];
}

function inProcess(): Row[] {
  const podPrefix = '127.245';
  const services: Service[] = [];
  const slices: EndpointSlice[] = [];
  for (let i = 0; i < SERVICES; i++) {
    const name = `svc-${i}`;
    services.push(serviceObject(name, i % 10 === 0, `127.97.${Math.floor(i / 250)}.${1 + (i % 250)}`));
    if (i % 10 === 0) services[i]!.spec.ports![0]!.nodePort = 30000 + i;
    slices.push(sliceObject(name, Array.from({ length: ENDPOINTS }, (_, j) => fakeEndpointIP(podPrefix, i, j)), 8080));
  }
  const nodes: Node[] = [
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-1' },
      spec: { podCIDR: `${podPrefix}.1.0/24` },
      status: { addresses: [{ type: 'InternalIP', address: '127.10.0.1' }], conditions: [{ type: 'Ready', status: 'True' }] },
    },
  ];
  const change = (k: number): EndpointSlice => {
    const i = (k * 37) % SERVICES;
    const s = slices[i]!;
    return { ...s, endpoints: s.endpoints!.map((e, j) => (j === 0 ? { ...e, addresses: [`${podPrefix}.1.${1 + (k % 200)}`] } : e)) };
  };

  progress(`in-process: ${SERVICES} services x ${ENDPOINTS} endpoints, ${CHANGES} changes`);
  const fullRouter = createRouter('round-robin', createStatsRegistry());
  const full: number[] = [];
  const current = [...slices];
  for (let k = 0; k < CHANGES; k++) {
    const c = change(k);
    current[(k * 37) % SERVICES] = c;
    const t = performance.now();
    fullRouter.compile(buildSnapshot({ services, endpointSlices: current, nodes }));
    full.push(performance.now() - t);
  }

  const builder = createSnapshotBuilder([]);
  for (const s of services) builder.setService(s);
  for (const s of slices) builder.setSlice(s);
  builder.setNodes(nodes);
  const router = createRouter('round-robin', createStatsRegistry());
  router.compile(builder.build());
  const incremental: number[] = [];
  for (let k = 0; k < CHANGES; k++) {
    const c = change(k);
    const t = performance.now();
    builder.setSlice(c);
    router.compile(builder.build());
    incremental.push(performance.now() - t);
  }
  return [
    { what: 'in-process: full render + compile of everything (before)', samples: full },
    { what: 'in-process: incremental build + compile (now)', samples: incremental },
  ];
}

// ---- end to end --------------------------------------------------------------------------

interface Pod {
  name: string;
  ip: string;
  server: http.Server;
}

function startPod(name: string, ip: string, port: number): Promise<Pod> {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(name) }).end(name);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: ip, port, exclusive: true }, () => resolve({ name, ip, server }));
  });
}

/** One GET over a new connection from `from`; the answering pod's name, or '' when it failed. */
function ask(host: string, port: number, from: string): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/', agent: false, localAddress: from, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
      res.on('error', () => resolve(''));
    });
    req.on('error', () => resolve(''));
    req.on('timeout', () => req.destroy());
  });
}

async function lastSyncMs(metricsPort: number): Promise<number> {
  const body = await new Promise<string>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: metricsPort, path: '/metrics', agent: false }, (res) => {
        let b = '';
        res.on('data', (c: Buffer) => (b += c.toString()));
        res.on('end', () => resolve(b));
      })
      .on('error', reject);
  });
  return Number(/^loopkube_proxy_last_sync_duration_seconds (\S+)$/m.exec(body)?.[1]) * 1000;
}

async function endToEnd(): Promise<{ rows: Row[]; cleanup: () => void }> {
  const loopkubeHome = mkdtempSync(path.join(os.tmpdir(), 'loopkube-bench-sync-'));
  const name = 'bench-sync';
  const net = randomNetworking();
  const podPrefix = net.podPrefix;
  const clusterFile = path.join(loopkubeHome, 'cluster.yaml');
  writeFileSync(clusterFile, ['kind: Cluster', 'apiVersion: loopkube.dev/v1alpha1', ...net.lines, 'proxy:', `  dataPlane: ${flags['data-plane']}`, ''].join('\n'));
  let client: ApiClient | undefined;
  const pods: Pod[] = [];
  const cleanup = (): void => {
    client?.close();
    for (const p of pods) p.server.close();
    try {
      cli(loopkubeHome, ['down', '--name', name, ...(flags.keep ? [] : ['--purge'])]);
    } catch (err) {
      process.stderr.write(`loopkube down failed: ${(err as Error).message}\n`);
    }
    if (!flags.keep) rmSync(loopkubeHome, { recursive: true, force: true });
  };
  try {
    const apiPort = await freePort();
    progress(`starting a 1-node cluster (${flags['data-plane']} data plane) in ${loopkubeHome}`);
    cli(loopkubeHome, ['up', '--name', name, '--nodes', '1', '--config', clusterFile, '--api-port', String(apiPort)]);
    const home = path.join(loopkubeHome, name);
    client = createApiClient(clientConfigFromHome(home));
    const metricsPort = (JSON.parse(readFileSync(path.join(home, 'cluster.json'), 'utf8')) as { proxy: { metricsPort: number } }).proxy.metricsPort;
    const nodeIP = net.nodeIP;

    const c = client;
    progress(`creating ${SERVICES} services with ${ENDPOINTS} endpoints each`);
    const created = performance.now();
    await pool(
      Array.from({ length: SERVICES }, (_, i) => i),
      32,
      async (i) => {
        const svc = serviceObject(`svc-${i}`, i % 10 === 0);
        delete (svc.metadata as { uid?: string }).uid;
        delete (svc.metadata as { creationTimestamp?: string }).creationTimestamp;
        await c.create(SVC_PATH, svc);
        await c.create(SLICE_PATH, sliceObject(`svc-${i}`, Array.from({ length: ENDPOINTS }, (_, j) => fakeEndpointIP(podPrefix, i, j)), 8080));
      },
    );
    progress(`created in ${fmt((performance.now() - created) / 1000, 1)} s`);

    const podPort = await freePort(`${podPrefix}.1.201`);
    pods.push(await startPod('pod-a', `${podPrefix}.1.201`, podPort), await startPod('pod-b', `${podPrefix}.1.202`, podPort));
    const probes: Array<{ clusterIP: string; slice: EndpointSlice; on: number }> = [];
    for (let p = 0; p < PROBES; p++) {
      const svc = await c.create<Service>(SVC_PATH, { ...serviceObject(`probe-${p}`, false), metadata: { name: `probe-${p}`, namespace: NS } });
      const slice = await c.create<EndpointSlice>(SLICE_PATH, sliceObject(`probe-${p}`, [pods[0]!.ip], podPort));
      probes.push({ clusterIP: svc.spec.clusterIP!, slice, on: 0 });
    }
    for (const probe of probes) await waitFor(`probe ${probe.clusterIP} to serve`, async () => (await ask(probe.clusterIP, SERVICE_PORT, nodeIP)) === 'pod-a', 120_000);
    progress(`population in place; load average ${loadAverage()}; measuring ${CHANGES} changes`);

    const propagation: number[] = [];
    const syncs: number[] = [];
    for (let k = 0; k < CHANGES; k++) {
      const probe = probes[k % PROBES]!;
      const to = 1 - probe.on;
      const started = performance.now();
      probe.slice = await c.update<EndpointSlice>(`${SLICE_PATH}/${probe.slice.metadata.name}`, { ...probe.slice, endpoints: sliceObject('x', [pods[to]!.ip], podPort).endpoints });
      while ((await ask(probe.clusterIP, SERVICE_PORT, nodeIP)) !== pods[to]!.name) {
        if (performance.now() - started > 30_000) throw new Error(`change ${k} did not reach the proxy within 30 s`);
      }
      propagation.push(performance.now() - started);
      probe.on = to;
      syncs.push(await lastSyncMs(metricsPort));
    }
    return {
      rows: [
        { what: `end to end (${flags['data-plane']}): slice written -> new connections reach the new endpoint`, samples: propagation },
        { what: `end to end (${flags['data-plane']}): the proxy's sync for that change (its metrics)`, samples: syncs },
      ],
      cleanup,
    };
  } catch (err) {
    cleanup();
    throw err;
  }
}

async function main(): Promise<void> {
  const rows = inProcess();
  const e2e = await endToEnd();
  try {
    rows.push(...e2e.rows);
  } finally {
    e2e.cleanup();
  }
  const out = [
    `endpoint change -> proxy data plane, with ${SERVICES} Services x ${ENDPOINTS} endpoints (${SERVICES * ENDPOINTS} endpoints, ${SERVICES / 10} NodePort) present; ${CHANGES} changes`,
    machine(),
    `Node ${process.version}`,
    PROVISIONAL,
    '',
    table(
      ['measure', 'p50 ms', 'p99 ms', 'max ms'],
      rows.map((r) => [r.what, fmt(percentile(r.samples, 50), 2), fmt(percentile(r.samples, 99), 2), fmt(Math.max(...r.samples), 2)]),
    ),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-proxy-sync: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});

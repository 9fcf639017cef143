// Both userspace data planes in-process, over real sockets: listeners compiled from a snapshot,
// the splice (libuv handles, or net.Socket), and what a client notices: every byte arrives in
// order both ways even when one side reads slowly, half-closes travel, resets travel, a dead
// endpoint is retried elsewhere, and closing a listener leaves established connections running.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EndpointSlice, Service } from '../../src/api/types.js';
import { createListenerSet, type ListenerSet } from '../../proxy/data-plane/listeners.js';
import { socketTransport } from '../../proxy/data-plane/socket/transport.js';
import { spliceTransport } from '../../proxy/data-plane/splice/transport.js';
import type { Transport } from '../../proxy/data-plane/transport.js';
import type { ServeFailure } from '../../proxy/data-plane/types.js';
import { createRouter, type Router } from '../../proxy/router.js';
import { buildSnapshot } from '../../proxy/snapshot.js';
import { createStatsRegistry, type StatsRegistry } from '../../proxy/stats.js';
import { waitFor } from '../support/control-plane.js';

const r = (min: number, max: number): number => min + Math.floor(Math.random() * (max - min + 1));
const NODE_IP = `127.10.${r(1, 254)}.1`;
const POD_NET = `127.${r(150, 239)}.${r(0, 255)}`;
const SVC_IP = `127.${r(112, 149)}.${r(0, 255)}.${r(1, 254)}`;
const SVC_PORT = r(20000, 29999);

const servers: net.Server[] = [];

function listen(server: net.Server, host: string, port = 0): Promise<number> {
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => resolve((server.address() as net.AddressInfo).port));
  });
}

/** One userspace data plane under test: its counters, router and listeners. */
interface Plane {
  transport: Transport;
  stats: StatsRegistry;
  router: Router;
  listeners: ListenerSet;
  failures: ServeFailure[];
}

function newPlane(transport: Transport): Plane {
  const stats = createStatsRegistry();
  const failures: ServeFailure[] = [];
  return { transport, stats, router: createRouter('round-robin', stats), listeners: createListenerSet(transport, (f) => failures.push(f)), failures };
}

/** Points the test service at `endpoints` (`ip:port`) and applies the snapshot; resolves once it listens. */
async function route(p: Plane, endpoints: string[]): Promise<void> {
  const svc: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'dp', namespace: 'default', uid: 'uid-dp' },
    spec: { type: 'ClusterIP', clusterIP: SVC_IP, ports: [{ name: 'tcp', port: SVC_PORT, protocol: 'TCP' }] },
  };
  const slices: EndpointSlice[] = endpoints.map((e, i) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `dp-${i}`, namespace: 'default', labels: { 'kubernetes.io/service-name': 'dp' } },
    addressType: 'IPv4',
    ports: [{ name: 'tcp', port: Number(e.split(':')[1]), protocol: 'TCP' }],
    endpoints: [{ addresses: [e.split(':')[0]!], nodeName: 'node-1', conditions: { ready: true } }],
  }));
  const snap = buildSnapshot({ services: [svc], endpointSlices: slices, nodes: [], plannedNodes: [{ name: 'node-1', ip: NODE_IP, podCIDR: `${POD_NET}.0/24` }] });
  p.listeners.reconcile(p.router.compile(snap));
  await waitFor('the listener', () => {
    if (p.failures.length) throw new Error(`cannot listen: ${p.failures.map((f) => `${f.key} ${f.code}`).join(', ')}`);
    return p.listeners.listening().includes(`${SVC_IP}:${SVC_PORT}`);
  });
}

/** Whether a connection to the service is accepted (then closed at once). */
function connectOutcome(): Promise<string> {
  return new Promise((res) => {
    const c = net.connect({ host: SVC_IP, port: SVC_PORT, localAddress: NODE_IP });
    c.on('connect', () => {
      c.destroy();
      res('connected');
    });
    c.on('error', (err: NodeJS.ErrnoException) => res(err.code ?? 'error'));
  });
}

function connect(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: SVC_IP, port: SVC_PORT, localAddress: NODE_IP, allowHalfOpen: true }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Everything the socket receives until it ends (or errors: the error code). */
function collect(s: net.Socket): Promise<{ data: Buffer; error?: string }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => resolve({ data: Buffer.concat(chunks) }));
    s.on('error', (err: NodeJS.ErrnoException) => resolve({ data: Buffer.concat(chunks), error: err.code }));
  });
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let echoPort = 0;
let halfClosePort = 0;
let resetPort = 0;
let deadPort = 0;
let byePort = 0;

beforeAll(async () => {
  // Echo, reading slowly: pauses after each chunk, so the proxy meets backpressure both ways.
  echoPort = await listen(
    net.createServer({ allowHalfOpen: true }, (s) => {
      s.on('data', (c: Buffer) => {
        if (!s.write(c)) {
          s.pause();
          s.once('drain', () => s.resume());
        }
      });
      s.on('end', () => s.end());
      s.on('error', () => s.destroy());
    }),
    `${POD_NET}.1`,
  );
  // Reads to EOF, then answers with what it got and closes.
  halfClosePort = await listen(
    net.createServer({ allowHalfOpen: true }, (s) => {
      let n = 0;
      s.on('data', (c: Buffer) => (n += c.length));
      s.on('end', () => s.end(`got ${n} bytes`));
      s.on('error', () => s.destroy());
    }),
    `${POD_NET}.2`,
  );
  // Resets the connection on the first byte.
  resetPort = await listen(
    net.createServer((s) => {
      s.once('data', () => s.resetAndDestroy());
      s.on('error', () => s.destroy());
    }),
    `${POD_NET}.3`,
  );
  // Sends 8 MiB and half-closes at once, then keeps reading.
  byePort = await listen(
    net.createServer({ allowHalfOpen: true }, (s) => {
      s.end(Buffer.alloc(8 * 1024 * 1024, 7));
      s.on('data', () => {});
      s.on('error', () => s.destroy());
    }),
    `${POD_NET}.5`,
  );
  // A port nobody listens on.
  const probe = net.createServer();
  deadPort = await listen(probe, `${POD_NET}.4`);
  await new Promise<void>((res) => probe.close(() => res()));
});

afterAll(async () => {
  for (const s of servers) if (s.listening) await new Promise<void>((res) => s.close(() => res()));
});

describe.each([spliceTransport, socketTransport])('the $name data plane', (transport) => {
  const p = newPlane(transport);
  afterAll(() => p.listeners.closeAll());

  it('moves 48 MiB each way intact while both ends read slowly, holding back (backpressure) instead of buffering', async () => {
    await route(p, [`${POD_NET}.1:${echoPort}`]);
    const s = await connect();
    const payload = randomBytes(48 * 1024 * 1024);
    const waitsBefore = p.transport.backpressureWaits();
    const received = collect(s);
    // The client writes everything before it reads anything, then reads slowly.
    s.pause();
    s.end(payload);
    await sleep(200);
    s.on('data', () => {
      s.pause();
      setImmediate(() => s.resume());
    });
    s.resume();
    const got = await received;
    expect(got.error).toBeUndefined();
    expect(got.data.length).toBe(payload.length);
    expect(sha(got.data)).toBe(sha(payload));
    expect(p.transport.backpressureWaits()).toBeGreaterThan(waitsBefore);
    const fe = p.stats.snapshot().frontends.find((f) => f.service === 'dp')!;
    expect(fe.bytesIn).toBeGreaterThanOrEqual(payload.length);
    expect(fe.bytesOut).toBeGreaterThanOrEqual(payload.length);
  });

  it('forwards a half-close: the pod sees EOF, answers, and the client reads the answer to the end', async () => {
    await route(p, [`${POD_NET}.2:${halfClosePort}`]);
    const s = await connect();
    const received = collect(s);
    s.end(Buffer.alloc(100_000, 1));
    const got = await received;
    expect(got.data.toString()).toBe('got 100000 bytes');
  });

  it('passes a reset from the pod on to the client', async () => {
    await route(p, [`${POD_NET}.3:${resetPort}`]);
    const s = await connect();
    const received = collect(s);
    s.write('hello');
    expect((await received).error).toBe('ECONNRESET');
  });

  it('retries a connection refused by a dead endpoint on another one, and counts the failure', async () => {
    await route(p, [`${POD_NET}.4:${deadPort}`, `${POD_NET}.2:${halfClosePort}`]);
    for (let i = 0; i < 4; i++) {
      const s = await connect();
      const received = collect(s);
      s.end('x');
      expect((await received).data.toString()).toBe('got 1 bytes');
    }
    const dead = p.stats.snapshot().endpoints.find((e) => e.endpoint === `${POD_NET}.4:${deadPort}`)!;
    expect(dead.connectFailures).toBeGreaterThanOrEqual(1);
    expect(dead.connectionsActive).toBe(0);
  });

  it('resets the client when every endpoint is dead', async () => {
    await route(p, [`${POD_NET}.4:${deadPort}`]);
    const s = await connect();
    const received = collect(s);
    s.write('x');
    expect((await received).error).toMatch(/ECONNRESET|EPIPE/);
  });

  it('keeps an established connection running after its listener is closed, and the port is free at once', async () => {
    await route(p, [`${POD_NET}.1:${echoPort}`]);
    const s = await connect();
    const first = new Promise<Buffer>((res) => s.once('data', res));
    s.write('before');
    expect((await first).toString()).toBe('before');

    p.listeners.reconcile(new Map());
    expect(await connectOutcome()).toBe('ECONNREFUSED');

    const received = collect(s);
    s.end('after');
    expect((await received).data.toString()).toBe('after');
  });

  it('closes cleanly when the client resets while the pod’s last bytes and FIN still wait to be written to it', async () => {
    await route(p, [`${POD_NET}.5:${byePort}`]);
    const fdsBefore = readdirSync('/proc/self/fd').length;
    for (let i = 0; i < 10; i++) {
      const s = await connect();
      s.pause();
      // The proxy now holds writes (and the FIN behind them) for a client that does not read.
      await sleep(50);
      s.resetAndDestroy();
    }
    await waitFor('the reset connections to close', () => p.transport.activeConnections() === 0, 10_000);
    // Every socket of theirs is closed for real (none left half-closed in the proxy).
    await waitFor('their sockets to be released', () => readdirSync('/proc/self/fd').length < fdsBefore + 5, 10_000);
    await route(p, [`${POD_NET}.2:${halfClosePort}`]);
    const s = await connect();
    const received = collect(s);
    s.end('ok');
    expect((await received).data.toString()).toBe('got 2 bytes');
  });

  it('leaves no connection behind', async () => {
    await waitFor('every spliced connection to close', () => p.transport.activeConnections() === 0, 10_000);
    await sleep(10);
    for (const f of p.stats.snapshot().frontends) expect(f.connectionsActive).toBe(0);
    for (const e of p.stats.snapshot().endpoints) expect(e.connectionsActive).toBe(0);
  });
});

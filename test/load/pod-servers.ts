// Stand-ins for a Service's pods, for the load generator's tests: HTTP servers on loopback
// addresses of the test's own block, answering as a loopkube pod does (JSON naming the pod, its
// node and the client address it saw), plus a round-robin L4 forwarder standing in for a
// ClusterIP (one backend per accepted connection, as the proxy does).
import http from 'node:http';
import net from 'node:net';

export interface PodServer {
  pod: string;
  node: string;
  ip: string;
  /** = ip (so a pod server is a load target as it is). */
  host: string;
  port: number;
  /** Client IPs seen, one per request. */
  clients: string[];
  /** Connections accepted. */
  connections: number;
  close(): Promise<void>;
}

export interface PodServerOptions {
  pod: string;
  node: string;
  ip: string;
  /** Answer with this status (default 200). */
  status?: number;
  /** Answer chunked (no Content-Length). */
  chunked?: boolean;
  /** Never answer. */
  silent?: boolean;
  /** The version it reports (default v1). */
  version?: string;
}

/** A random block 127.<60-99>.<0-255>.0/24 for one test file. */
export function randomBlock(): (host: number) => string {
  const a = 60 + Math.floor(Math.random() * 40);
  const b = Math.floor(Math.random() * 256);
  return (host) => `127.${a}.${b}.${host}`;
}

export async function startPodServer(opts: PodServerOptions): Promise<PodServer> {
  const clients: string[] = [];
  let requests = 0;
  const sockets = new Set<net.Socket>();
  const server = http.createServer({ keepAlive: true }, (req, res) => {
    if (opts.silent) return;
    const clientIP = req.socket.remoteAddress ?? '';
    clients.push(clientIP);
    const body =
      `{"pod":${JSON.stringify(opts.pod)},"namespace":"default","podIP":"${opts.ip}","node":${JSON.stringify(opts.node)},` +
      `"container":"app","port":${(server.address() as net.AddressInfo).port},"hostname":${JSON.stringify(opts.pod)},"version":${JSON.stringify(opts.version ?? 'v1')},` +
      `"clientIP":"${clientIP}","clientPort":${req.socket.remotePort},"requests":${++requests}}\n`;
    res.statusCode = opts.status ?? 200;
    res.setHeader('Content-Type', 'application/json');
    if (opts.chunked) {
      res.write(body.slice(0, 20));
      res.end(body.slice(20));
    } else {
      res.setHeader('Content-Length', Buffer.byteLength(body));
      res.end(body);
    }
  });
  const state = { connections: 0 };
  server.on('connection', (s: net.Socket) => {
    state.connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, opts.ip, () => resolve());
  });
  return {
    pod: opts.pod,
    node: opts.node,
    ip: opts.ip,
    host: opts.ip,
    port: (server.address() as net.AddressInfo).port,
    clients,
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface Forwarder {
  ip: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Accepts connections on ip:0 and hands each to the next backend, round-robin. */
export async function startRoundRobin(ip: string, backends: Array<{ ip: string; port: number }>): Promise<Forwarder> {
  let next = 0;
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server = net.createServer((client) => {
    const b = backends[next++ % backends.length]!;
    const upstream = net.connect({ host: b.ip, port: b.port });
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, ip, () => resolve());
  });
  return {
    ip,
    host: ip,
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

// The DNS server's sockets: UDP on one address, and optionally TCP (messages framed by a
// two-byte length, RFC 1035 4.2.2; several queries per connection; idle connections closed).
// What to answer comes from `respond`; nothing a peer sends can crash the process.
import dgram from 'node:dgram';
import net from 'node:net';
import type { Logger } from '../log.js';
import type { Transport } from './respond.js';

export interface DnsServerOptions {
  host: string;
  /** UDP port (0: any free one). */
  port: number;
  /** TCP listener: its own address (e.g. the same host, another port), or null for UDP only. */
  tcp: { host: string; port: number } | null;
  respond(packet: Buffer, transport: Transport): Buffer | null;
  logger: Logger;
  /** Idle TCP connections are closed after this long (default 10 s). */
  tcpIdleMs?: number;
  /** Who may connect over TCP (by source address); others are reset at once. Default: anyone. */
  acceptTcp?(remoteAddress: string): boolean;
}

export interface DnsServer {
  udpAddress(): { address: string; port: number };
  tcpAddress(): { address: string; port: number } | null;
  close(): Promise<void>;
}

function bindUdp(host: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: 'udp4' });
    const onError = (err: Error): void => {
      socket.close();
      reject(err);
    };
    socket.once('error', onError);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.removeListener('error', onError);
      resolve(socket);
    });
  });
}

function listenTcp(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.removeListener('error', onError);
      resolve();
    });
  });
}

/** Serves one TCP connection: length-prefixed queries in, length-prefixed answers out. */
function serveTcpConnection(socket: net.Socket, opts: DnsServerOptions): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.setNoDelay(true);
  socket.setTimeout(opts.tcpIdleMs ?? 10_000, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 2) {
      const size = pending.readUInt16BE(0);
      if (pending.length < 2 + size) break;
      const packet = pending.subarray(2, 2 + size);
      pending = pending.subarray(2 + size);
      let out: Buffer | null = null;
      try {
        out = opts.respond(packet, 'tcp');
      } catch (err) {
        opts.logger.error({ err }, 'DNS query failed');
      }
      if (!out) continue;
      const frame = Buffer.allocUnsafe(2 + out.length);
      frame.writeUInt16BE(out.length, 0);
      out.copy(frame, 2);
      socket.write(frame);
    }
  });
}

export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  const udp = await bindUdp(opts.host, opts.port);
  udp.on('error', (err) => opts.logger.warn({ err: err.message }, 'DNS UDP socket error'));
  udp.on('message', (packet, rinfo) => {
    let out: Buffer | null = null;
    try {
      out = opts.respond(packet, 'udp');
    } catch (err) {
      opts.logger.error({ err }, 'DNS query failed');
    }
    if (out) udp.send(out, rinfo.port, rinfo.address);
  });

  let tcp: net.Server | null = null;
  const connections = new Set<net.Socket>();
  if (opts.tcp) {
    const server = net.createServer((socket) => {
      if (opts.acceptTcp && !opts.acceptTcp(socket.remoteAddress ?? '')) {
        socket.on('error', () => {});
        socket.resetAndDestroy();
        return;
      }
      connections.add(socket);
      socket.once('close', () => connections.delete(socket));
      serveTcpConnection(socket, opts);
    });
    try {
      await listenTcp(server, opts.tcp.host, opts.tcp.port);
    } catch (err) {
      udp.close();
      throw err;
    }
    server.on('error', (err) => opts.logger.warn({ err: err.message }, 'DNS TCP listener error'));
    tcp = server;
  }

  return {
    udpAddress() {
      const a = udp.address();
      return { address: a.address, port: a.port };
    },
    tcpAddress() {
      const a = tcp?.address();
      return a && typeof a === 'object' ? { address: a.address, port: a.port } : null;
    },
    close() {
      return new Promise<void>((resolve) => {
        let open = tcp ? 2 : 1;
        const done = (): void => {
          if (--open === 0) resolve();
        };
        udp.close(done);
        if (tcp) {
          tcp.close(() => done());
          for (const c of connections) c.destroy();
        }
      });
    },
  };
}

// kubelet's port-forward over a channel WebSocket (pkg/kubelet/cri/streaming/portforward/
// websocket.go), as the official Python client and other non-Go clients use it: `/portForward/
// {namespace}/{pod}?port=80,8080` upgraded with subprotocol v4.channel.k8s.io (binary) or
// v4.base64.channel.k8s.io. Port i has a data channel 2i and an error channel 2i+1; the first
// message on each is the port, two bytes little-endian. The kubelet connects to each port once,
// inside the pod (here: the pod's IP, from the pod's IP), and copies the data channel both ways;
// a connection that fails is told on the error channel in the kubelet's and the runtime's words.
// The WebSocket closes once every port's connection is over.
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Logger } from '../src/log.js';
import { forwardFailure } from './port-forward.js';
import type { PodRuntime } from './pod-runtime.js';

const BINARY = 'v4.channel.k8s.io';
const BASE64 = 'v4.base64.channel.k8s.io';
export const WEBSOCKET_PORT_FORWARD_PROTOCOLS = [BINARY, BASE64] as const;

const wss = new WebSocketServer({
  noServer: true,
  maxPayload: 1024 * 1024,
  handleProtocols: (offered) => {
    for (const p of offered) if ((WEBSOCKET_PORT_FORWARD_PROTOCOLS as readonly string[]).includes(p)) return p;
    return false;
  },
});

/** Whether the request is a WebSocket port-forward (else it is SPDY, or refused). */
export function isWebSocketPortForward(req: IncomingMessage): boolean {
  return req.headers.upgrade?.toLowerCase() === 'websocket';
}

/** The ports of `?port=80,8080&port=9090` (upstream's NewV4Options), or the error in its words. */
export function portForwardPorts(q: URLSearchParams): number[] | string {
  const values = q.getAll('port');
  if (values.length === 0) return 'query parameter "port" is required';
  const ports: number[] = [];
  for (const v of values) {
    if (v === '') return 'query parameter "port" cannot be empty';
    for (const p of v.split(',')) {
      if (!/^[0-9]+$/.test(p) || Number(p) > 65535) return `unable to parse "${v}" as a port: strconv.ParseUint: parsing "${p}": ${/^[0-9]+$/.test(p) ? 'value out of range' : 'invalid syntax'}`;
      if (Number(p) < 1) return `port "${v}" must be > 0`;
      ports.push(Number(p));
    }
  }
  return ports;
}

export function serveWebSocketPortForward(logger: Logger, req: IncomingMessage, socket: Duplex, head: Buffer, runtime: PodRuntime, ports: number[]): void {
  const pod = runtime.pod();
  const log = logger.child({ namespace: pod.metadata.namespace, name: pod.metadata.name });
  wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
    const base64 = ws.protocol === BASE64;
    const send = (channel: number, data: Buffer, done?: () => void): void => {
      if (ws.readyState !== ws.OPEN) return done?.();
      if (base64) ws.send(`${String.fromCharCode(48 + channel)}${data.toString('base64')}`, () => done?.());
      else ws.send(Buffer.concat([Buffer.of(channel), data]), () => done?.());
    };
    let open = ports.length;
    const conns = ports.map((port, i) => {
      const portBytes = Buffer.alloc(2);
      portBytes.writeUInt16LE(port);
      send(2 * i, portBytes);
      send(2 * i + 1, portBytes);
      log.info({ port }, 'forwarding a connection');
      const conn = net.connect({ host: runtime.podIP, port, localAddress: runtime.podIP, allowHalfOpen: true });
      let connected = false;
      let over = false;
      const finish = (): void => {
        if (over) return;
        over = true;
        if (--open === 0 && ws.readyState === ws.OPEN) ws.close(1000);
      };
      conn.once('connect', () => {
        connected = true;
      });
      conn.on('data', (chunk: Buffer) => {
        // Backpressure: read from the pod again once the client's side took this chunk.
        conn.pause();
        send(2 * i, chunk, () => conn.resume());
      });
      conn.on('error', (err: NodeJS.ErrnoException) => {
        if (!connected) {
          const message = forwardFailure(runtime, port, err);
          log.info({ port, err: message }, 'port-forward connection failed');
          send(2 * i + 1, Buffer.from(message));
        }
        finish();
      });
      conn.on('end', () => conn.end());
      conn.on('close', finish);
      return conn;
    });
    ws.on('message', (raw: RawData, isBinary: boolean) => {
      const m = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
      if (m.length === 0) return;
      const channel = base64 || !isBinary ? m[0]! - 48 : m[0]!;
      const payload = base64 || !isBinary ? Buffer.from(m.subarray(1).toString('latin1'), 'base64') : m.subarray(1);
      if (channel < 0 || channel % 2 !== 0) return; // the error channels are the kubelet's to write
      const conn = conns[channel / 2];
      if (conn && payload.length && !conn.destroyed) conn.write(payload);
    });
    ws.on('close', () => {
      for (const c of conns) c.destroy();
      log.debug('port-forward session ended');
    });
    ws.on('error', () => undefined);
  });
}

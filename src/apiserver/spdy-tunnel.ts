// Port-forward over WebSocket as the API server answers it since Kubernetes 1.31
// (k8s.io/apiserver/pkg/util/proxy/streamtunnel.go): kubectl asks for the WebSocket subprotocol
// `SPDY/3.1+portforward.k8s.io` and speaks SPDY inside binary messages; the API server asks the
// kubelet for a plain SPDY/3.1 upgrade with the protocol after the prefix, and once the kubelet
// switches, answers the WebSocket handshake with the prefixed protocol it chose and carries the
// bytes: each message from kubectl is written to the kubelet, what the kubelet sends is a message.
// A kubelet that refuses is the client's answer as it is (status and body).
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import { PROTOCOL_HEADER, SPDY_31, WEBSOCKET_SPDY_TUNNEL_PREFIX } from '../spdy/upgrade.js';

const MAX_RESPONSE_HEAD = 64 * 1024;
const SKIPPED = /^(authorization|host|content-length|transfer-encoding|proxy-authorization|connection|upgrade|sec-websocket-.*|x-stream-protocol-version)$/i;

/** The subprotocol each handshake answers with: the one the kubelet chose, prefixed. */
const chosen = new WeakMap<IncomingMessage, string>();
const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024, perMessageDeflate: false, handleProtocols: (_offered, req) => chosen.get(req) ?? false });

/** The SPDY protocols a WebSocket request tunnels (`SPDY/3.1+X` offers X); none: not a tunnel. */
export function tunnelledProtocols(req: IncomingMessage): string[] {
  if (req.headers.upgrade?.toLowerCase() !== 'websocket') return [];
  return String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.startsWith(WEBSOCKET_SPDY_TUNNEL_PREFIX))
    .map((p) => p.slice(WEBSOCKET_SPDY_TUNNEL_PREFIX.length));
}

/** The request line and headers asking the kubelet for SPDY instead of the client's WebSocket. */
export function spdyRequestHead(req: IncomingMessage, path: string, host: string, token: string, protocols: string[]): string {
  let h = `${req.method ?? 'GET'} ${path} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\nConnection: Upgrade\r\nUpgrade: ${SPDY_31}\r\n`;
  for (const p of protocols) h += `${PROTOCOL_HEADER}: ${p}\r\n`;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (!SKIPPED.test(req.rawHeaders[i]!)) h += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
  return `${h}\r\n`;
}

/** Reads the kubelet's response head; resolves with its status, headers and what followed it. */
function readResponseHead(upstream: Socket): Promise<{ code: number; headers: Map<string, string>; raw: Buffer; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > MAX_RESPONSE_HEAD) fail(new Error('the kubelet answered with an oversized response head'));
        return;
      }
      cleanup();
      upstream.pause();
      const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
      const code = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
      const headers = new Map<string, string>();
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        if (i > 0) headers.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
      }
      resolve({ code, headers, raw: buf.subarray(0, end + 4), rest: buf.subarray(end + 4) });
    };
    const fail = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const onEnd = (): void => fail(new Error('the kubelet closed the connection before answering'));
    const cleanup = (): void => {
      upstream.off('data', onData);
      upstream.off('end', onEnd);
      upstream.off('error', fail);
    };
    upstream.on('data', onData);
    upstream.once('end', onEnd);
    upstream.once('error', fail);
  });
}

/**
 * Tunnels a client's WebSocket to the kubelet's SPDY. upstream is connected and nothing is
 * written on it yet; rejects (nothing written to the client) when the kubelet does not answer.
 */
export async function tunnelSpdyOverWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, upstream: Socket, requestHead: string): Promise<void> {
  upstream.write(requestHead);
  const answer = await readResponseHead(upstream);
  if (answer.code !== 101) {
    // the kubelet's refusal, status and words, is the client's answer
    socket.write(answer.raw);
    if (answer.rest.length) socket.write(answer.rest);
    upstream.pipe(socket);
    upstream.resume();
    upstream.on('close', () => socket.destroy());
    return;
  }
  const protocol = `${WEBSOCKET_SPDY_TUNNEL_PREFIX}${answer.headers.get(PROTOCOL_HEADER.toLowerCase()) ?? ''}`;
  const offered = new Set(
    String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim()),
  );
  if (!offered.has(protocol)) throw new Error(`the kubelet chose ${protocol}, which the client did not offer`);
  await new Promise<void>((resolve) => {
    socket.once('close', () => resolve());
    chosen.set(req, protocol);
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const tunnel = createWebSocketStream(ws);
      if (answer.rest.length) tunnel.write(answer.rest);
      tunnel.on('error', () => upstream.destroy());
      tunnel.on('close', () => upstream.destroy());
      upstream.on('close', () => tunnel.destroy());
      tunnel.pipe(upstream);
      upstream.pipe(tunnel);
      upstream.resume();
      resolve();
    });
  });
}

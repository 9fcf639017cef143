// The HTTP/1.1 switch to SPDY/3.1 as apimachinery's httpstream does it (httpstream.Handshake and
// spdy.ResponseUpgrader): `Connection: Upgrade`, `Upgrade: SPDY/3.1`, and the subprotocol chosen
// from the client's X-Stream-Protocol-Version headers in the client's order; a request without
// them is 400, one offering nothing we speak is 403 naming what we accept.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

export const SPDY_31 = 'SPDY/3.1';
export const PROTOCOL_HEADER = 'X-Stream-Protocol-Version';
/** What a WebSocket subprotocol starts with when it carries SPDY (kubectl 1.31+'s port-forward). */
export const WEBSOCKET_SPDY_TUNNEL_PREFIX = 'SPDY/3.1+';

function httpError(code: 400 | 403, message: string, extra = ''): string {
  const body = `${message}\n`;
  const reason = code === 400 ? 'Bad Request' : 'Forbidden';
  return `HTTP/1.1 ${code} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/** The protocols a client offers, in its order (the header may repeat or list several). */
export function offeredProtocols(req: IncomingMessage): string[] {
  const out: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() === PROTOCOL_HEADER.toLowerCase()) out.push(...req.rawHeaders[i + 1]!.split(',').map((p) => p.trim()).filter(Boolean));
  }
  return out;
}

/** The protocol both speak, or undefined. */
export function negotiate(req: IncomingMessage, serverProtocols: readonly string[]): string | undefined {
  return offeredProtocols(req).find((p) => serverProtocols.includes(p));
}

/** Whether the request asks for SPDY/3.1. */
export function isSpdyUpgrade(req: IncomingMessage): boolean {
  return String(req.headers.connection ?? '').toLowerCase().includes('upgrade') && String(req.headers.upgrade ?? '').toLowerCase().includes(SPDY_31.toLowerCase());
}

/** The HTTP answer refusing the upgrade, or undefined when it can go ahead. */
export function spdyUpgradeFailure(req: IncomingMessage, serverProtocols: readonly string[]): string | undefined {
  if (!isSpdyUpgrade(req)) return httpError(400, 'unable to upgrade: missing upgrade headers in request');
  const offered = offeredProtocols(req);
  if (!offered.length) return httpError(400, `unable to upgrade: ${PROTOCOL_HEADER} is required`);
  if (!negotiate(req, serverProtocols)) {
    const accepted = serverProtocols.map((p) => `X-Accepted-Stream-Protocol-Versions: ${p}\r\n`).join('');
    return httpError(403, `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server accepts [${serverProtocols.join(' ')}]`, accepted);
  }
  return undefined;
}

/** Writes the 101 switching the connection to SPDY/3.1 with the negotiated protocol. */
export function upgradeToSpdy(socket: Duplex, protocol: string): void {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${SPDY_31}\r\n${PROTOCOL_HEADER}: ${protocol}\r\n\r\n`);
}

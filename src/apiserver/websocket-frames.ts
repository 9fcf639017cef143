// The kubelet's answer to an exec/attach/portforward upgrade, passed on to the client with every
// WebSocket frame in writes of its own (hence TLS records of its own), the upgrade response head
// in one more. kube-apiserver copies the kubelet's bytes as they come, and the kubelet (Go) writes
// each frame with its own Write, so each reaches the client in records of its own; here the node
// and the API server share the loopback and a read often holds several frames (the 101 head, a
// command's output, its error-channel Status and the close frame at once). A client that waits
// on its socket before reading the next frame never sees the ones that came in a record it has
// already decrypted: python3-kubernetes up to 35 (kubernetes-client/python#2414, `WSClient.update`
// polls the raw socket, not `SSLSocket.pending()`) then waits for an exit code forever.
//
// Bytes are never held back to make a whole frame: a frame split across reads stays split, only
// two frames never share a write. One write is in flight at a time (so Node never gathers them
// into one record), the kubelet's connection paused meanwhile: memory stays that of one read.
// Anything but a `101` with `Upgrade: websocket` (an error answer, SPDY) passes through as is.
import type { Duplex, Readable } from 'node:stream';

const HEAD_END = Buffer.from('\r\n\r\n');
/** An upgrade response head larger than this is not one the kubelet writes: pass it through. */
const MAX_HEAD = 16 * 1024;

interface FrameCursor {
  /** Bytes of the current frame's header read so far (2 to 14 make a header). */
  header: Buffer;
  /** Payload bytes of the current frame still to come, once its header is whole. */
  remaining: number;
}

/** Length of a frame header (RFC 6455 5.2) from its first two bytes. */
function headerLength(b1: number): number {
  const len7 = b1 & 0x7f;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
}

function payloadLength(header: Buffer): number {
  const len7 = header[1]! & 0x7f;
  if (len7 === 126) return header.readUInt16BE(2);
  if (len7 === 127) return Number(header.readBigUInt64BE(2));
  return len7;
}

/**
 * Splits `chunk` where frames end: each piece holds bytes of one frame only. The cursor carries a
 * frame (or a header) cut by the chunk's end over to the next chunk.
 */
export function splitAtFrames(chunk: Buffer, cursor: FrameCursor): Buffer[] {
  const pieces: Buffer[] = [];
  let start = 0;
  let i = 0;
  while (i < chunk.length) {
    if (cursor.remaining > 0) {
      const take = Math.min(cursor.remaining, chunk.length - i);
      i += take;
      cursor.remaining -= take;
      if (cursor.remaining === 0) {
        pieces.push(chunk.subarray(start, i));
        start = i;
      }
      continue;
    }
    // reading a header
    cursor.header = Buffer.concat([cursor.header, chunk.subarray(i, i + 1)]);
    i += 1;
    if (cursor.header.length >= 2 && cursor.header.length === headerLength(cursor.header[1]!)) {
      cursor.remaining = payloadLength(cursor.header);
      cursor.header = Buffer.alloc(0);
      if (cursor.remaining === 0) {
        pieces.push(chunk.subarray(start, i));
        start = i;
      }
    }
  }
  if (start < chunk.length) pieces.push(chunk.subarray(start));
  return pieces;
}

/** Whether an upgrade response head switches to WebSocket. */
function isWebSocketUpgrade(head: string): boolean {
  return /^HTTP\/1\.[01] 101\b/.test(head) && /\r\nupgrade:\s*websocket\s*\r\n/i.test(`${head}\r\n`);
}

/** Pipes the kubelet's side of an upgraded connection to the client, one frame per write. */
export function pipeFramed(kubelet: Readable, client: Duplex): void {
  let head: Buffer | undefined = Buffer.alloc(0);
  let framed = false;
  const cursor: FrameCursor = { header: Buffer.alloc(0), remaining: 0 };
  const queue: Buffer[] = [];
  let writing = false;
  let ended = false;

  const flush = (): void => {
    if (writing) return;
    const next = queue.shift();
    if (!next) {
      if (ended) client.end();
      else kubelet.resume();
      return;
    }
    if (client.destroyed) return;
    writing = true;
    client.write(next, () => {
      writing = false;
      flush();
    });
  };

  const accept = (chunk: Buffer): void => {
    if (head) {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf(HEAD_END);
      if (end < 0 && head.length <= MAX_HEAD) return;
      const headBytes = end < 0 ? head : head.subarray(0, end + HEAD_END.length);
      const rest = end < 0 ? Buffer.alloc(0) : head.subarray(end + HEAD_END.length);
      head = undefined;
      framed = end >= 0 && isWebSocketUpgrade(headBytes.toString('latin1', 0, end));
      queue.push(headBytes);
      if (rest.length) queue.push(...(framed ? splitAtFrames(rest, cursor) : [rest]));
      return;
    }
    if (framed) queue.push(...splitAtFrames(chunk, cursor));
    else queue.push(chunk);
  };

  kubelet.on('data', (chunk: Buffer) => {
    accept(chunk);
    if (queue.length) {
      kubelet.pause();
      flush();
    }
  });
  kubelet.on('end', () => {
    ended = true;
    if (head?.length) queue.push(head);
    head = undefined;
    if (!writing) flush();
  });
}

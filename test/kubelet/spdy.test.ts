// The SPDY/3.1 session (src/spdy/) on real sockets: streams with their headers, data both ways
// and half-closes, PING, RST_STREAM, and bad input from a peer (a wrong version, an oversized
// frame, a header block that inflates past the limit, a lying header count) answered with GOAWAY
// PROTOCOL_ERROR and a closed connection, nothing else disturbed.
import net from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADER_DICTIONARY } from '../../src/spdy/dictionary.js';
import { FrameType, GoAwayStatus, controlFrame, readFrame, synStreamFrame } from '../../src/spdy/frames.js';
import { spdySession, type SpdySession, type SpdyStream } from '../../src/spdy/session.js';

let server: net.Server;
let port: number;
const serverStreams: SpdyStream[] = [];

beforeAll(async () => {
  // an echo server: each stream's data comes back on it, its FIN ends the reply
  server = net.createServer((socket) => {
    spdySession(socket, {
      server: true,
      onStream(stream) {
        serverStreams.push(stream);
        if (stream.headers.streamtype === 'refuse') return false;
        stream.on('error', () => undefined);
        stream.pipe(stream);
        return true;
      },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function client(): Promise<{ session: SpdySession; socket: net.Socket }> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  return { session: spdySession(socket, { server: false }), socket };
}

function readAll(stream: SpdyStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

describe('a SPDY/3.1 session', () => {
  it('opens streams with their headers, echoes data, half-closes with FIN', async () => {
    const { session } = await client();
    const payload = Buffer.alloc(300_000, 7);
    const stream = await session.createStream({ streamType: 'data', port: '8080', requestID: '0' });
    const back = readAll(stream);
    stream.end(payload);
    expect((await back).equals(payload)).toBe(true);
    expect(serverStreams.at(-1)!.headers).toEqual({ streamtype: 'data', port: '8080', requestid: '0' });
    await session.close();
  });

  it('carries many streams at once on one connection', async () => {
    const { session } = await client();
    const answers = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const s = await session.createStream({ streamType: 'data', requestID: String(i) });
        const back = readAll(s);
        s.end(`stream ${i}`);
        return (await back).toString();
      }),
    );
    expect(answers).toEqual(Array.from({ length: 50 }, (_, i) => `stream ${i}`));
    await session.close();
  });

  it('answers PING', async () => {
    const { session } = await client();
    await session.ping();
    await session.close();
  });

  it('a refused stream is answered with FIN: it ends at once', async () => {
    const { session } = await client();
    const s = await session.createStream({ streamType: 'refuse' });
    expect((await readAll(s)).length).toBe(0);
    await session.close();
  });

  it('RST_STREAM from the peer closes that stream only', async () => {
    const { session } = await client();
    const a = await session.createStream({ streamType: 'data' });
    const onServer = serverStreams.at(-1)!;
    const closed = new Promise<void>((resolve) => onServer.once('close', () => resolve()));
    a.reset();
    await closed;
    const b = await session.createStream({ streamType: 'data' });
    const back = readAll(b);
    b.end('still here');
    expect((await back).toString()).toBe('still here');
    await session.close();
  });
});

/** Writes raw bytes as a peer would and reads what the server answers until it hangs up. */
async function rawPeer(bytes: Buffer): Promise<{ goAwayStatus?: number; closed: boolean }> {
  const socket = net.connect({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.write(bytes);
  await new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const all = Buffer.concat(chunks);
  let goAwayStatus: number | undefined;
  for (let at = 0; at < all.length; ) {
    const f = readFrame(all, at, 1 << 24);
    if (!f) break;
    if (f.frame.kind === 'control' && f.frame.type === FrameType.GoAway) goAwayStatus = f.frame.data.readUInt32BE(4);
    at += f.size;
  }
  return { ...(goAwayStatus !== undefined ? { goAwayStatus } : {}), closed: true };
}

const compress = (block: Buffer): Buffer => zlib.deflateSync(block, { dictionary: HEADER_DICTIONARY, finishFlush: zlib.constants.Z_SYNC_FLUSH });

describe('bad input from a SPDY peer', () => {
  const spdy2Ping = Buffer.from([0x80, 0x02, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 1]);
  const oversized = Buffer.from([0x80, 0x03, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff]);
  const bomb = (() => {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(1);
    const name = Buffer.from([0, 0, 0, 1, 0x61]);
    const valueLen = Buffer.alloc(4);
    valueLen.writeUInt32BE(4 * 1024 * 1024);
    return synStreamFrame(1, 0, 0, compress(Buffer.concat([count, name, valueLen, Buffer.alloc(4 * 1024 * 1024, 0x61)])));
  })();
  const lyingCount = (() => {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(0x7fffffff);
    return synStreamFrame(1, 0, 0, compress(count));
  })();
  const notZlib = synStreamFrame(1, 0, 0, Buffer.from('certainly not zlib'));
  const shortSyn = controlFrame(FrameType.SynStream, 0, Buffer.from([0, 0, 0, 1]));
  const table: Array<{ name: string; bytes: Buffer }> = [
    { name: 'a SPDY/2 frame', bytes: spdy2Ping },
    { name: 'a frame longer than the limit', bytes: oversized },
    { name: 'a header block inflating past the limit', bytes: bomb },
    { name: 'a header count larger than the block', bytes: lyingCount },
    { name: 'a header block that is not zlib', bytes: notZlib },
    { name: 'a SYN_STREAM cut short', bytes: shortSyn },
  ];
  for (const t of table) {
    it(`${t.name}: GOAWAY PROTOCOL_ERROR, then the connection closes`, async () => {
      const r = await rawPeer(t.bytes);
      expect(r).toEqual({ goAwayStatus: GoAwayStatus.ProtocolError, closed: true });
    });
  }

  it('the server still serves new sessions afterwards', async () => {
    const { session } = await client();
    const s = await session.createStream({ streamType: 'data' });
    const back = readAll(s);
    s.end('ok');
    expect((await back).toString()).toBe('ok');
    await session.close();
  });
});

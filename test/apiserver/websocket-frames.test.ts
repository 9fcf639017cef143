// The kubelet's WebSocket frames passed on one per write, however the reads cut them: every
// write holds bytes of one frame only, the upgrade head goes alone, nothing is lost or reordered,
// and a non-WebSocket answer passes through as it came.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pipeFramed, splitAtFrames } from '../../src/apiserver/websocket-frames.js';

/** A server-to-client frame (unmasked, FIN, binary) with `n` payload bytes of `fill`. */
function frame(n: number, fill: number): Buffer {
  const len = n < 126 ? Buffer.from([n]) : n < 65536 ? Buffer.from([126, n >> 8, n & 0xff]) : Buffer.concat([Buffer.from([127]), Buffer.from(new BigUint64Array([BigInt(n)]).buffer).reverse()]);
  return Buffer.concat([Buffer.from([0x82]), len, Buffer.alloc(n, fill)]);
}

/** Cuts `b` at the given offsets. */
function cut(b: Buffer, at: number[]): Buffer[] {
  const out: Buffer[] = [];
  let prev = 0;
  for (const a of [...at, b.length]) {
    out.push(b.subarray(prev, a));
    prev = a;
  }
  return out.filter((x) => x.length);
}

const HEAD = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n';

describe('splitAtFrames', () => {
  const frames = [frame(3, 1), frame(0, 2), frame(200, 3), frame(70_000, 4), frame(1, 5)];
  const stream = Buffer.concat(frames);
  const CASES: Array<{ name: string; at: number[] }> = [
    { name: 'all frames in one read', at: [] },
    { name: 'a read per byte of the first frames', at: [1, 2, 3, 4, 5, 6, 7] },
    { name: 'a 16-bit length cut in half', at: [frames[0]!.length + frames[1]!.length + 2] },
    { name: 'a 64-bit length cut', at: [frames[0]!.length + frames[1]!.length + frames[2]!.length + 5] },
    { name: 'payloads cut anywhere', at: [100, 4000, 30_000, 70_100] },
  ];
  for (const k of CASES) {
    it(k.name, () => {
      const cursor = { header: Buffer.alloc(0), remaining: 0 };
      const pieces = cut(stream, k.at).flatMap((chunk) => splitAtFrames(chunk, cursor));
      expect(Buffer.concat(pieces).equals(stream)).toBe(true);
      // regrouping the pieces by frame gives back exactly the frames: no piece spans two
      let offset = 0;
      const ends = frames.map((f) => (offset += f.length));
      let pos = 0;
      for (const p of pieces) {
        const frameIndex = ends.findIndex((e) => pos < e);
        expect(pos + p.length).toBeLessThanOrEqual(ends[frameIndex]!);
        pos += p.length;
      }
    });
  }
});

/** What pipeFramed writes to the client, one entry per write, for the kubelet's reads. */
async function writesFor(reads: Buffer[]): Promise<Buffer[]> {
  const kubelet = new PassThrough();
  const writes: Buffer[] = [];
  const client = new PassThrough();
  const write = client.write.bind(client);
  client.write = ((chunk: Buffer, cb?: () => void) => {
    writes.push(Buffer.from(chunk));
    return write(chunk, cb);
  }) as typeof client.write;
  client.resume();
  const ended = new Promise<void>((r) => client.on('finish', () => r()));
  pipeFramed(kubelet, client);
  for (const r of reads) kubelet.write(r);
  kubelet.end();
  await ended;
  return writes;
}

describe('pipeFramed', () => {
  it('writes the 101 head alone, then each frame alone, when one read holds them all', async () => {
    const frames = [frame(5, 1), frame(120, 3), frame(2, 0)];
    const writes = await writesFor([Buffer.concat([Buffer.from(HEAD), ...frames])]);
    expect(writes.map((w) => w.toString('latin1'))).toEqual([HEAD, ...frames.map((f) => f.toString('latin1'))]);
  });

  it('keeps a head cut across reads whole', async () => {
    const all = Buffer.concat([Buffer.from(HEAD), frame(4, 9)]);
    const writes = await writesFor(cut(all, [10, 50, HEAD.length + 1]));
    expect(writes[0]!.toString('latin1')).toBe(HEAD);
    expect(Buffer.concat(writes).equals(all)).toBe(true);
  });

  it('passes an error answer through unframed', async () => {
    const answer = 'HTTP/1.1 404 Not Found\r\nContent-Length: 19\r\n\r\n404 page not found\n';
    const writes = await writesFor([Buffer.from(answer)]);
    expect(Buffer.concat(writes).toString('latin1')).toBe(answer);
  });

  it('passes what follows a SPDY upgrade through as it came', async () => {
    const head = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: SPDY/3.1\r\nConnection: Upgrade\r\n\r\n';
    const body = Buffer.from([0x80, 0x03, 0x00, 0x02, 0x00, 0x00, 0x00, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const writes = await writesFor([Buffer.concat([Buffer.from(head), body])]);
    expect(writes).toHaveLength(2);
    expect(writes[1]!.equals(body)).toBe(true);
  });
});

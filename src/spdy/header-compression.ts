// SPDY/3 header compression (section 2.6.10.1): one zlib stream per direction for the whole
// session, primed with the SPDY dictionary, each header block ended with a sync flush so the peer
// can inflate it at once. Both sides keep their context across frames, so blocks must pass
// through in frame order: callers run them one at a time (session.ts queues them).
import zlib from 'node:zlib';
import { HEADER_DICTIONARY } from './dictionary.js';
import { SpdyProtocolError } from './frames.js';

export interface HeaderCodec {
  /** Transforms one block; resolves with everything zlib emits for it. */
  run(block: Buffer): Promise<Buffer>;
  close(): void;
}

function codec(stream: zlib.Deflate | zlib.Inflate, maxOutput: number, what: string): HeaderCodec {
  let chunks: Buffer[] = [];
  let size = 0;
  let failure: Error | undefined;
  let pending: ((err: Error) => void) | undefined;
  stream.on('data', (c: Buffer) => {
    size += c.length;
    if (size > maxOutput) failure ??= new SpdyProtocolError(`${what} header block exceeds ${maxOutput} bytes`);
    else chunks.push(c);
  });
  stream.on('error', (err) => {
    failure ??= new SpdyProtocolError(`${what} header block: ${err.message}`);
    pending?.(failure);
  });
  return {
    run: (block) =>
      new Promise<Buffer>((resolve, reject) => {
        if (failure) return reject(failure);
        pending = reject;
        stream.write(block);
        stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
          pending = undefined;
          const out = Buffer.concat(chunks);
          chunks = [];
          size = 0;
          if (failure) reject(failure);
          else resolve(out);
        });
      }),
    close: () => stream.destroy(),
  };
}

export function headerCompressor(): HeaderCodec {
  return codec(zlib.createDeflate({ dictionary: HEADER_DICTIONARY }), 16 * 1024 * 1024, 'compressing a');
}

/** Inflates the peer's header blocks; a block inflating past maxOutput bytes is a protocol error. */
export function headerDecompressor(maxOutput = 256 * 1024): HeaderCodec {
  return codec(zlib.createInflate({ dictionary: HEADER_DICTIONARY }), maxOutput, 'an inflated');
}

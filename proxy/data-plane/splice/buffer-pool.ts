// Read buffers for the data plane. Each direction of a connection reads into a 16 KiB buffer
// (HAProxy's default bufsize) taken from a free list and given back when the connection ends, so
// steady traffic allocates nothing per read and little per connection. A direction that fills
// its buffer in one read is carrying bulk data: it moves up to a 64 KiB buffer (the most a
// loopback read returns at once), which cuts the reads, writes and calls into JavaScript per
// byte by four; request/response traffic never pays that memory.
export const READ_BUFFER_SIZE = 16 * 1024;
export const BULK_BUFFER_SIZE = 64 * 1024;

/** Free buffers kept for reuse, per size (32 MiB of each at most); beyond that they go to the GC. */
const MAX_FREE_SMALL = 2048;
const MAX_FREE_BULK = 512;

const freeSmall: Buffer[] = [];
const freeBulk: Buffer[] = [];

export function takeReadBuffer(): Buffer {
  return freeSmall.pop() ?? Buffer.allocUnsafeSlow(READ_BUFFER_SIZE);
}

export function takeBulkBuffer(): Buffer {
  return freeBulk.pop() ?? Buffer.allocUnsafeSlow(BULK_BUFFER_SIZE);
}

/** Only once no read or write can touch it any more. */
export function giveBackReadBuffer(buf: Buffer): void {
  if (buf.length === BULK_BUFFER_SIZE) {
    if (freeBulk.length < MAX_FREE_BULK) freeBulk.push(buf);
  } else if (buf.length === READ_BUFFER_SIZE && freeSmall.length < MAX_FREE_SMALL) {
    freeSmall.push(buf);
  }
}

// An HTTP/1.1 response reader for the load generator's hot path: it reads only what a load run
// needs (the status code, how the body is framed: Content-Length, chunked, or until close, and
// whether the server will close) and shows the first bytes of the body, where a pod's answer
// names the pod, its node and its version. Bytes are parsed where they arrive, by plain loops
// over the bytes (a native indexOf per header line costs more than the line); only a head or a
// body split over two reads is copied, into buffers the parser keeps. No strings are made.

/** How many body bytes are kept for `"pod":"..."`, `"node":"..."` and `"version":"..."` (a pod puts them first). */
export const BODY_CAPTURE_BYTES = 512;
const MAX_HEAD_BYTES = 64 * 1024;

const CR = 0x0d;
const LF = 0x0a;
const QUOTE = 0x22;

export interface ResponseSink {
  /**
   * One whole response. `body[bodyStart, bodyStart + bodyLength)` are its first bytes (at most
   * BODY_CAPTURE_BYTES; valid during the call only; find fields with stringField). `close`: the
   * server closes the connection after this response.
   */
  response(status: number, close: boolean, body: Buffer, bodyStart: number, bodyLength: number): void;
  /** The bytes are not an HTTP response. */
  malformed(why: string): void;
}

export interface ResponseParser {
  /** Reads `buf[start, end)`; calls the sink for each response completed in it. */
  feed(buf: Buffer, start: number, end: number): void;
  /** The server closed the connection: true if that completed a response read until close. */
  eof(): boolean;
  /** True when part of a response has been read. */
  midResponse(): boolean;
  /** Forget any partial response (a new connection). */
  reset(): void;
}

const enum State {
  Head,
  Body,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailer,
  UntilClose,
  Failed,
}

function lower(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
}

/** Does `buf[start, end)` start with the lower-case ASCII `name` (compared case-insensitively)? */
function startsWithName(buf: Buffer, start: number, end: number, name: string): boolean {
  if (end - start < name.length) return false;
  for (let i = 0; i < name.length; i++) if (lower(buf[start + i]!) !== name.charCodeAt(i)) return false;
  return true;
}

/** Does `buf[start, end)` contain the lower-case ASCII `word`, case-insensitively? */
function containsWord(buf: Buffer, start: number, end: number, word: string): boolean {
  outer: for (let i = start; i + word.length <= end; i++) {
    for (let j = 0; j < word.length; j++) if (lower(buf[i + j]!) !== word.charCodeAt(j)) continue outer;
    return true;
  }
  return false;
}

/**
 * Where the JSON string value after `key` (e.g. `"pod":"`) lies in `body[start, start + n)`: its
 * start, with its end (the closing quote) in `end[0]`; -1 when absent. Other bytes may lie past
 * the body in the buffer: every hit is bounded by it.
 */
export function stringField(body: Buffer, start: number, n: number, key: Buffer, end: Int32Array): number {
  const limit = start + n;
  const at = body.indexOf(key, start);
  if (at < 0 || at + key.length > limit) return -1;
  const from = at + key.length;
  const to = body.indexOf(QUOTE, from);
  if (to < 0 || to >= limit) return -1;
  end[0] = to;
  return from;
}

/** Where the head starting at `start` ends (just past its blank line), or -1 if it is not all in `buf[start, end)`. */
function headEnd(buf: Buffer, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    if (buf[i] !== LF) continue;
    // A line ended at i: the head ends if the next line is empty (LF or CR LF).
    const j = i + 1;
    if (j < end && buf[j] === LF) return j + 1;
    if (j + 1 < end && buf[j] === CR && buf[j + 1] === LF) return j + 2;
  }
  return -1;
}

/** Index of the first LF in `buf[from, end)`, or end. */
function lineFeed(buf: Buffer, from: number, end: number): number {
  let i = from;
  while (i < end && buf[i] !== LF) i++;
  return i;
}

export function createResponseParser(sink: ResponseSink): ResponseParser {
  let state = State.Head;
  let head = Buffer.allocUnsafe(1024);
  let headLen = 0;
  const body = Buffer.allocUnsafe(BODY_CAPTURE_BYTES);
  let bodyLen = 0;
  let remaining = 0;
  let status = 0;
  let close = false;
  let chunkSize = 0;
  let chunkDigits = 0;
  let chunkExtension = false;
  let lineBytes = 0;

  const startChunk = (): void => {
    state = State.ChunkSize;
    chunkSize = 0;
    chunkDigits = 0;
    chunkExtension = false;
  };

  const fail = (why: string): void => {
    state = State.Failed;
    sink.malformed(why);
  };

  const capture = (buf: Buffer, start: number, n: number): void => {
    const room = BODY_CAPTURE_BYTES - bodyLen;
    if (room <= 0) return;
    const take = n < room ? n : room;
    buf.copy(body, bodyLen, start, start + take);
    bodyLen += take;
  };

  const complete = (): void => {
    state = State.Head;
    const n = bodyLen;
    bodyLen = 0;
    sink.response(status, close, body, 0, n);
  };

  /** Parses a complete head in `buf[start, end)` (end is just past the blank line); false on a bad head. */
  const parseHead = (buf: Buffer, start: number, end: number): boolean => {
    // Status line: HTTP/1.x NNN reason
    if (end - start < 12 || !startsWithName(buf, start, end, 'http/1.')) {
      fail('not an HTTP/1.x response');
      return false;
    }
    const http10 = buf[start + 7] === 0x30;
    const d0 = buf[start + 9]! - 0x30;
    const d1 = buf[start + 10]! - 0x30;
    const d2 = buf[start + 11]! - 0x30;
    if (buf[start + 8] !== 0x20 || d0 < 1 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) {
      fail('bad status line');
      return false;
    }
    status = d0 * 100 + d1 * 10 + d2;
    close = http10;
    let contentLength = -1;
    let chunked = false;
    let line = lineFeed(buf, start, end) + 1;
    while (line < end) {
      const eol = lineFeed(buf, line, end);
      const lineEnd = eol > line && buf[eol - 1] === CR ? eol - 1 : eol;
      if (lineEnd === line) break;
      const c = lower(buf[line]!);
      if (c === 0x63 /* c */) {
        if (startsWithName(buf, line, lineEnd, 'content-length:')) {
          let n = 0;
          let digits = 0;
          for (let i = line + 15; i < lineEnd; i++) {
            const b = buf[i]!;
            if (b >= 0x30 && b <= 0x39) {
              n = n * 10 + (b - 0x30);
              digits++;
            } else if (b !== 0x20 && b !== 0x09) break;
          }
          if (digits > 0) contentLength = n;
        } else if (startsWithName(buf, line, lineEnd, 'connection:')) {
          if (containsWord(buf, line + 11, lineEnd, 'close')) close = true;
          else if (containsWord(buf, line + 11, lineEnd, 'keep-alive')) close = false;
        }
      } else if (c === 0x74 /* t */ && startsWithName(buf, line, lineEnd, 'transfer-encoding:')) {
        chunked = containsWord(buf, line + 18, lineEnd, 'chunked');
      }
      line = eol + 1;
    }
    bodyLen = 0;
    if (status < 200 && status !== 101) {
      // 1xx interim response: the real one follows.
      state = State.Head;
      return true;
    }
    if (status === 204 || status === 304) {
      complete();
    } else if (chunked) {
      startChunk();
    } else if (contentLength >= 0) {
      remaining = contentLength;
      if (remaining === 0) complete();
      else state = State.Body;
    } else {
      close = true;
      state = State.UntilClose;
    }
    return true;
  };

  function feed(buf: Buffer, start: number, end: number): void {
    let i = start;
    while (i < end) {
      switch (state) {
        case State.Head: {
          if (headLen === 0) {
            // Fast path: the whole head is in this read.
            const at = headEnd(buf, i, end);
            if (at >= 0) {
              if (!parseHead(buf, i, at)) return;
              i = at;
              continue;
            }
          }
          // Slow path: gather the head in our own buffer.
          const n = end - i;
          if (headLen + n > MAX_HEAD_BYTES) {
            fail('response head larger than 64 KiB');
            return;
          }
          if (headLen + n > head.length) {
            const bigger = Buffer.allocUnsafe(Math.max(head.length * 2, headLen + n));
            head.copy(bigger, 0, 0, headLen);
            head = bigger;
          }
          const searchFrom = headLen > 3 ? headLen - 3 : 0;
          buf.copy(head, headLen, i, end);
          headLen += n;
          const len = headEnd(head, searchFrom, headLen);
          if (len < 0) return;
          const used = len - (headLen - n); // bytes of this read that belong to the head
          headLen = 0;
          if (!parseHead(head, 0, len)) return;
          i += used;
          continue;
        }
        case State.Body: {
          if (bodyLen === 0 && remaining <= end - i) {
            // Fast path: the whole body is in this read; the sink reads it where it lies.
            const at = i;
            i += remaining;
            remaining = 0;
            state = State.Head;
            sink.response(status, close, buf, at, i - at < BODY_CAPTURE_BYTES ? i - at : BODY_CAPTURE_BYTES);
            continue;
          }
          const n = Math.min(remaining, end - i);
          capture(buf, i, n);
          i += n;
          remaining -= n;
          if (remaining === 0) complete();
          continue;
        }
        case State.ChunkSize: {
          // `<hex size>[;extension]\r\n`
          const b = buf[i++]!;
          if (b === LF) {
            if (chunkDigits === 0) {
              fail('bad chunk size');
              return;
            }
            if (chunkSize === 0) {
              state = State.Trailer;
              lineBytes = 0;
            } else {
              remaining = chunkSize;
              state = State.ChunkData;
            }
          } else if (!chunkExtension) {
            const l = lower(b);
            const v = b >= 0x30 && b <= 0x39 ? b - 0x30 : l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
            if (v >= 0) {
              chunkSize = chunkSize * 16 + v;
              if (++chunkDigits > 12) {
                fail('chunk size too large');
                return;
              }
            } else if (b !== CR) {
              chunkExtension = true;
            }
          }
          continue;
        }
        case State.ChunkData: {
          const n = Math.min(remaining, end - i);
          capture(buf, i, n);
          i += n;
          remaining -= n;
          if (remaining === 0) state = State.ChunkDataEnd;
          continue;
        }
        case State.ChunkDataEnd: {
          // CRLF after the chunk's data
          if (buf[i++] === LF) startChunk();
          continue;
        }
        case State.Trailer: {
          const b = buf[i++]!;
          if (b === LF) {
            if (lineBytes === 0) complete();
            lineBytes = 0;
          } else if (b !== CR) {
            lineBytes++;
          }
          continue;
        }
        case State.UntilClose: {
          capture(buf, i, end - i);
          i = end;
          continue;
        }
        case State.Failed:
          return;
      }
    }
  }

  return {
    feed,
    eof() {
      if (state === State.UntilClose) {
        complete();
        return true;
      }
      return false;
    },
    midResponse() {
      return headLen > 0 || (state !== State.Head && state !== State.Failed);
    },
    reset() {
      state = State.Head;
      headLen = 0;
      bodyLen = 0;
    },
  };
}

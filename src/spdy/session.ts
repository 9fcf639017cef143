// A SPDY/3.1 session over a byte stream (a TCP socket after `Upgrade: SPDY/3.1`, or the bytes
// tunnelled in WebSocket messages), speaking what moby/spdystream, and so kubectl, speaks:
// streams opened by SYN_STREAM and answered by SYN_REPLY (FIN set when refused), DATA with FIN for
// a half-close, RST_STREAM to abort one stream, PING echoed, GOAWAY to end the session. Like
// spdystream it keeps no flow-control windows (SETTINGS and WINDOW_UPDATE are read and ignored);
// backpressure is the transport's: a stream whose reader lags pauses the transport.
import { Duplex } from 'node:stream';
import {
  FLAG_FIN,
  FrameType,
  GoAwayStatus,
  RstStatus,
  SpdyProtocolError,
  dataFrame,
  decodeHeaderBlock,
  encodeHeaderBlock,
  goAwayFrame,
  pingFrame,
  readFrame,
  rstStreamFields,
  rstStreamFrame,
  streamIdOf,
  synReplyFrame,
  synStreamFields,
  synStreamFrame,
  type Frame,
  type SpdyHeaders,
} from './frames.js';
import { headerCompressor, headerDecompressor } from './header-compression.js';

export interface SpdyStream extends Duplex {
  readonly streamId: number;
  readonly headers: SpdyHeaders;
  /** Aborts the stream with RST_STREAM (CANCEL unless told). */
  reset(status?: number): void;
}

export interface SpdySessionOptions {
  /** The server side opens even stream ids and expects odd ones from its peer. */
  server: boolean;
  /** A stream the peer opened: return false to refuse it (SYN_REPLY with FIN, as spdystream). */
  onStream?(stream: SpdyStream): boolean;
  /** Largest frame accepted from the peer (bigger: a protocol error). */
  maxFrameLength?: number;
  onError?(err: Error): void;
}

export interface SpdySession {
  createStream(headers: SpdyHeaders): Promise<SpdyStream>;
  ping(): Promise<void>;
  /** GOAWAY, then the transport ends once what is queued is written. */
  close(): Promise<void>;
  readonly closed: Promise<void>;
}

interface StreamState {
  stream: SpdyStream;
  remoteDone: boolean;
  localDone: boolean;
  opened: Promise<void>;
  open(): void;
  refused(err: Error): void;
}

const DEFAULT_MAX_FRAME = 1024 * 1024;
const MAX_CHUNK = 64 * 1024;

export function spdySession(transport: Duplex, opts: SpdySessionOptions): SpdySession {
  const maxFrame = opts.maxFrameLength ?? DEFAULT_MAX_FRAME;
  const compressor = headerCompressor();
  const decompressor = headerDecompressor();
  const streams = new Map<number, StreamState>();
  const pings = new Map<number, () => void>();
  let nextStreamId = opts.server ? 2 : 1;
  let nextPingId = opts.server ? 2 : 1;
  let lastPeerStreamId = 0;
  let goneAway = false;
  let dead = false;
  /** The peer broke the framing: nothing more is read. */
  let broken = false;
  let input: Buffer = Buffer.alloc(0);
  let pumping = false;
  const pausedBy = new Set<number>();
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));

  // Everything written goes through one queue: header blocks share the compressor's context, so
  // frames leave in the order they were made.
  let out: Promise<void> = Promise.resolve();
  const send = (make: () => Buffer | Promise<Buffer>): Promise<void> => {
    const next = out.then(async () => {
      if (dead) throw new Error('the SPDY session is closed');
      const frame = await make();
      if (dead) throw new Error('the SPDY session is closed');
      if (!transport.write(frame)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            transport.off('drain', done);
            transport.off('close', done);
            resolve();
          };
          transport.on('drain', done);
          transport.on('close', done);
        });
      }
    });
    out = next.catch(() => undefined);
    return next;
  };
  const sendQuietly = (make: () => Buffer | Promise<Buffer>): void => {
    send(make).catch(() => undefined);
  };

  const teardown = (): void => {
    if (dead) return;
    dead = true;
    for (const s of streams.values()) {
      s.refused(new Error('the SPDY session closed'));
      s.stream.destroy();
    }
    streams.clear();
    for (const done of pings.values()) done();
    pings.clear();
    compressor.close();
    decompressor.close();
    transport.destroy();
    resolveClosed();
  };

  /** Whether a whole frame is buffered (a malformed one counts: the pump reports it). */
  const frameWaiting = (): boolean => {
    try {
      return readFrame(input, 0, maxFrame) !== undefined;
    } catch {
      return true;
    }
  };

  const protocolError = (err: Error): void => {
    opts.onError?.(err);
    if (dead || broken) return;
    broken = true;
    transport.pause();
    // The GOAWAY is best effort: the peer broke the framing, nothing after it can be trusted.
    const frame = goAwayFrame(lastPeerStreamId, GoAwayStatus.ProtocolError);
    transport.write(frame, () => teardown());
    setImmediate(teardown);
  };

  const forget = (id: number): void => {
    streams.delete(id);
    if (pausedBy.delete(id) && pausedBy.size === 0) transport.resume();
    if (goneAway && streams.size === 0) void close();
  };

  const makeStream = (streamId: number, headers: SpdyHeaders, openedAlready: boolean): StreamState => {
    let open!: () => void;
    let refused!: (err: Error) => void;
    const opened = new Promise<void>((resolve, reject) => {
      open = resolve;
      refused = reject;
    });
    opened.catch(() => undefined);
    if (openedAlready) open();
    const sendData = (flags: number, data: Buffer): Promise<void> => opened.then(() => send(() => dataFrame(streamId, flags, data)));
    const duplex = new Duplex({
      allowHalfOpen: true,
      read() {
        if (pausedBy.delete(streamId) && pausedBy.size === 0) transport.resume();
      },
      write(chunk: Buffer, _enc, cb) {
        let p: Promise<void> = Promise.resolve();
        for (let at = 0; at < chunk.length; at += MAX_CHUNK) {
          const part = chunk.subarray(at, at + MAX_CHUNK);
          p = p.then(() => sendData(0, part));
        }
        p.then(() => cb(), (err: Error) => cb(err));
      },
      final(cb) {
        sendData(FLAG_FIN, Buffer.alloc(0)).then(
          () => {
            state.localDone = true;
            if (state.remoteDone) forget(streamId);
            cb();
          },
          (err: Error) => cb(err),
        );
      },
      destroy(err, cb) {
        if (streams.get(streamId) === state) {
          if (!(state.localDone && state.remoteDone) && !dead) sendQuietly(() => rstStreamFrame(streamId, RstStatus.Cancel));
          forget(streamId);
        }
        cb(err);
      },
    });
    const stream = Object.assign(duplex, {
      streamId,
      headers,
      reset(status: number = RstStatus.Cancel) {
        if (streams.get(streamId) === state && !dead) sendQuietly(() => rstStreamFrame(streamId, status));
        forget(streamId);
        duplex.destroy();
      },
    }) as SpdyStream;
    const state: StreamState = { stream, remoteDone: false, localDone: false, opened, open, refused };
    streams.set(streamId, state);
    return state;
  };

  const remoteFinished = (state: StreamState): void => {
    if (state.remoteDone) return;
    state.remoteDone = true;
    state.stream.push(null);
    if (state.localDone) forget(state.stream.streamId);
  };

  const onSynStream = async (frame: Frame & { kind: 'control' }): Promise<void> => {
    const f = synStreamFields(frame.data);
    const headers = decodeHeaderBlock(await decompressor.run(f.headerBlock));
    const peerParity = opts.server ? 1 : 0;
    if (f.streamId === 0 || f.streamId % 2 !== peerParity || f.streamId <= lastPeerStreamId || streams.has(f.streamId)) {
      sendQuietly(() => rstStreamFrame(f.streamId, streams.has(f.streamId) ? RstStatus.StreamInUse : RstStatus.ProtocolError));
      return;
    }
    lastPeerStreamId = f.streamId;
    if (goneAway) {
      sendQuietly(() => rstStreamFrame(f.streamId, RstStatus.RefusedStream));
      return;
    }
    const state = makeStream(f.streamId, headers, false);
    const accepted = opts.onStream ? opts.onStream(state.stream) !== false : false;
    sendQuietly(async () => synReplyFrame(f.streamId, accepted ? 0 : FLAG_FIN, await compressor.run(encodeHeaderBlock({}))));
    state.open();
    if (frame.flags & FLAG_FIN) remoteFinished(state);
    if (!accepted) {
      state.localDone = true;
      if (state.remoteDone) forget(f.streamId);
    }
  };

  const onControl = async (frame: Frame & { kind: 'control' }): Promise<void> => {
    switch (frame.type) {
      case FrameType.SynStream:
        return onSynStream(frame);
      case FrameType.SynReply: {
        const id = streamIdOf(frame.data);
        decodeHeaderBlock(await decompressor.run(frame.data.subarray(4)));
        const state = streams.get(id);
        if (!state) return;
        state.open();
        if (frame.flags & FLAG_FIN) remoteFinished(state);
        return;
      }
      case FrameType.Headers: {
        const id = streamIdOf(frame.data);
        decodeHeaderBlock(await decompressor.run(frame.data.subarray(4)));
        const state = streams.get(id);
        if (state && frame.flags & FLAG_FIN) remoteFinished(state);
        return;
      }
      case FrameType.RstStream: {
        const { streamId } = rstStreamFields(frame.data);
        const state = streams.get(streamId);
        if (!state) return;
        state.refused(new Error(`stream ${streamId} was reset by the peer`));
        forget(streamId);
        state.stream.destroy();
        return;
      }
      case FrameType.Ping: {
        if (frame.data.length < 4) throw new SpdyProtocolError('PING frame too short');
        const id = frame.data.readUInt32BE(0);
        if (id % 2 === (opts.server ? 0 : 1)) {
          pings.get(id)?.();
          pings.delete(id);
        } else sendQuietly(() => pingFrame(id));
        return;
      }
      case FrameType.GoAway:
        goneAway = true;
        if (streams.size === 0) void close();
        return;
      default:
        // SETTINGS, WINDOW_UPDATE and anything newer: spdystream keeps no windows either
        return;
    }
  };

  const onData = (frame: Frame & { kind: 'data' }): void => {
    const state = streams.get(frame.streamId);
    if (!state || state.remoteDone) return;
    if (frame.data.length && !state.stream.push(Buffer.from(frame.data))) {
      pausedBy.add(frame.streamId);
      transport.pause();
    }
    if (frame.flags & FLAG_FIN) remoteFinished(state);
  };

  const pump = async (): Promise<void> => {
    if (pumping) return;
    pumping = true;
    try {
      let offset = 0;
      for (;;) {
        if (dead || broken) return;
        const next = readFrame(input, offset, maxFrame);
        if (!next) break;
        offset += next.size;
        const { frame } = next;
        if (frame.kind === 'data') onData(frame);
        else {
          // the rest of the buffer stays valid: a frame's data is a view until the next append
          const consumed = offset;
          input = input.subarray(consumed);
          offset = 0;
          await onControl(frame);
        }
      }
      input = input.subarray(offset);
    } catch (err) {
      protocolError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      pumping = false;
    }
    if (!dead && !broken && frameWaiting()) void pump();
  };

  transport.on('data', (chunk: Buffer) => {
    input = input.length ? Buffer.concat([input, chunk]) : chunk;
    if (input.length > maxFrame * 2 + 16) transport.pause();
    void pump().then(() => {
      if (input.length <= maxFrame * 2 + 16 && pausedBy.size === 0 && transport.isPaused()) transport.resume();
    });
  });
  transport.on('end', () => {
    for (const s of [...streams.values()]) remoteFinished(s);
    teardown();
  });
  transport.on('close', teardown);
  transport.on('error', (err) => {
    opts.onError?.(err);
    teardown();
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= send(() => goAwayFrame(lastPeerStreamId, GoAwayStatus.Ok))
      .catch(() => undefined)
      .then(
        () =>
          new Promise<void>((resolve) => {
            if (dead) return resolve();
            transport.end(() => resolve());
            setTimeout(teardown, 1000).unref();
          }),
      );
    return closing;
  };

  return {
    createStream(headers) {
      if (dead || goneAway) return Promise.reject(new Error('the SPDY session is closed'));
      const id = nextStreamId;
      nextStreamId += 2;
      const state = makeStream(id, headers, false);
      sendQuietly(async () => synStreamFrame(id, 0, 0, await compressor.run(encodeHeaderBlock(headers))));
      return state.opened.then(() => state.stream);
    },
    ping() {
      const id = nextPingId;
      nextPingId += 2;
      return new Promise<void>((resolve) => {
        pings.set(id, resolve);
        sendQuietly(() => pingFrame(id));
      });
    },
    close,
    closed,
  };
}

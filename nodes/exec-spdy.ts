// exec and attach over SPDY/3.1, for kubectl with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false, as
// upstream's remotecommand server speaks it (kubelet/cri/streaming/remotecommand/httpstream.go,
// protocol v4.channel.k8s.io): the client opens one stream per channel, `streamType` error,
// stdin, stdout, stderr (not with a tty) and resize (with one); once all it asked for are there
// the command runs. Its exit is the error stream's Status (the same JSON as over WebSocket), then
// the output streams end and the session closes.
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import type { Duplex } from 'node:stream';
import { spdySession, type SpdyStream } from '../src/spdy/session.js';
import { negotiate, spdyUpgradeFailure, upgradeToSpdy } from '../src/spdy/upgrade.js';
import { exitStatus, failureStatus, type SessionOptions, type SessionRunner } from './exec-session.js';
import type { ExecStreams } from './toolbox/shell.js';

export const SPDY_STREAM_PROTOCOLS = ['v4.channel.k8s.io'] as const;
/** kubelet's streamCreationTimeout. */
const STREAM_CREATION_TIMEOUT_MS = 30_000;

type StreamType = 'error' | 'stdin' | 'stdout' | 'stderr' | 'resize';

/** The streams a v4 client opens for these options. */
function expectedStreams(opts: SessionOptions): StreamType[] {
  const want: StreamType[] = ['error'];
  if (opts.stdin) want.push('stdin');
  if (opts.stdout) want.push('stdout');
  if (opts.stderr && !opts.tty) want.push('stderr');
  if (opts.tty) want.push('resize');
  return want;
}

export function serveSpdySession(req: IncomingMessage, socket: Duplex, head: Buffer, opts: SessionOptions, run: SessionRunner): void {
  const failure = spdyUpgradeFailure(req, SPDY_STREAM_PROTOCOLS);
  if (failure) {
    socket.end(failure);
    return;
  }
  upgradeToSpdy(socket, negotiate(req, SPDY_STREAM_PROTOCOLS)!);
  if (head.length) socket.unshift(head);
  const want = expectedStreams(opts);
  const got = new Map<StreamType, SpdyStream>();
  const ended = new AbortController();
  let started = false;

  const timer = setTimeout(() => {
    opts.logger.info({ received: [...got.keys()], expected: want }, 'timed out waiting for the client to create streams');
    void session.close();
  }, STREAM_CREATION_TIMEOUT_MS);
  timer.unref();

  const start = (): void => {
    started = true;
    clearTimeout(timer);
    const errorStream = got.get('error')!;
    const out = got.get('stdout');
    const err = got.get('stderr');
    const inStream = got.get('stdin');
    const stdin = inStream ? new PassThrough() : undefined;
    if (inStream && stdin) inStream.pipe(stdin);
    got.get('resize')?.resume(); // sizes are accepted; the toolbox does not lay out by width
    const write = (s: SpdyStream | undefined, data: string | Buffer): void => {
      if (s && !s.destroyed && !s.writableEnded) s.write(data);
    };
    const streams: ExecStreams = {
      stdout: (d) => write(out, d),
      stderr: (d) => write(opts.tty ? out : err, d),
      ...(stdin ? { stdin } : {}),
      tty: opts.tty,
      signal: ended.signal,
    };
    run(streams)
      .then(
        (code) => exitStatus(code, opts.command),
        (e: unknown) => {
          opts.logger.warn({ err: e }, 'exec session failed');
          return failureStatus(String((e as Error).message ?? e));
        },
      )
      .then(async (status) => {
        await Promise.all([out, err].map((s) => new Promise<void>((resolve) => (s && !s.destroyed ? s.end(() => resolve()) : resolve()))));
        await new Promise<void>((resolve) => errorStream.end(JSON.stringify(status), () => resolve()));
        await session.close();
      });
  };

  const session = spdySession(socket, {
    server: true,
    onError: (e) => opts.logger.debug({ err: e.message }, 'SPDY stream session error'),
    onStream(stream) {
      const type = stream.headers.streamtype as StreamType | undefined;
      if (!type || !want.includes(type) || got.has(type) || started) {
        opts.logger.info({ streamType: type }, 'unexpected stream');
        return false;
      }
      stream.on('error', () => undefined);
      got.set(type, stream);
      if (type !== 'stdin' && type !== 'resize') stream.resume();
      if (want.every((w) => got.has(w))) start();
      return true;
    },
  });
  void session.closed.then(() => {
    clearTimeout(timer);
    ended.abort();
  });
}

// The load generator's engine: N connections, each sending one request at a time (no
// pipelining) over raw TCP, either kept alive or a new connection per request; stops after a
// request count or a duration (whichever comes first); an optional rate limit over all
// connections; a timeout per request. Every new connection takes the next target address and
// the next local address (`--from`), round-robin, so a run can emulate many clients.
//
// Built to leave the CPU to the cluster it measures: the request bytes are made once, every
// connection reads into one shared buffer (net's `onread`), responses are parsed in place
// (response-parser.ts), a pod's name becomes a string only when a connection sees a pod other
// than the one it saw last, and one timer checks every connection's deadline.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { createResponseParser, type ResponseParser } from './response-parser.js';
import { countError, countStatus, podCounter, recordLatency, type ErrorKind, type LoadStats, type PodCounter } from './stats.js';

export interface HostPort {
  host: string;
  port: number;
}

export interface LoadOptions {
  /** Where connections go; each new connection takes the next one. */
  targets: readonly HostPort[];
  /** Request path (default `/`). */
  path?: string;
  /** Host header (default the first target). */
  hostHeader?: string;
  /** Concurrent connections (default 10). */
  connections?: number;
  /** Stop after this many requests (responses and failures). */
  requests?: number;
  /** Stop starting requests after this long. */
  durationMs?: number;
  /** Requests per second at most, over all connections. */
  rate?: number;
  /** true (default): keep connections open; false: a new connection per request. */
  keepAlive?: boolean;
  /** Per request, connect included (default 5000 ms). */
  timeoutMs?: number;
  /** Local addresses to connect from; each new connection takes the next one. */
  from?: readonly string[];
  signal?: AbortSignal;
}

export interface LoadProgress {
  elapsedMs: number;
  responses: number;
  errors: number;
}

export interface LoadRun {
  /** Resolves when every connection has finished. */
  done: Promise<{ durationMs: number }>;
  progress(): LoadProgress;
  /** Stop starting requests; requests in flight are abandoned. */
  stop(): void;
}

/** One read buffer for every connection: each read is parsed before the next one lands. */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

export function requestBytes(path: string, host: string, keepAlive: boolean): Buffer {
  return Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: loopkube-load\r\nAccept: */*\r\n${keepAlive ? '' : 'Connection: close\r\n'}\r\n`, 'latin1');
}

export function errorKind(err: NodeJS.ErrnoException): ErrorKind {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connect refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'EADDRNOTAVAIL':
      return 'address not available';
    case 'EADDRINUSE':
      return 'no free local port';
    default:
      return (err.code ?? err.message).toLowerCase();
  }
}

interface Connection {
  socket: net.Socket | null;
  parser: ResponseParser;
  /** When the request in flight was started (performance.now()), or -1. */
  startedAt: number;
  /** The pod this connection last heard from, and its name's bytes. */
  pod: PodCounter | null;
  podBytes: Buffer;
  podLength: number;
  /** Counted as one of `pod`'s connections already. */
  counted: boolean;
  waiting: NodeJS.Timeout | null;
  finished: boolean;
}

export function startLoad(opts: LoadOptions, stats: LoadStats): LoadRun {
  if (opts.targets.length === 0) throw new Error('no target to send load to');
  const keepAlive = opts.keepAlive ?? true;
  const concurrency = Math.max(1, opts.connections ?? 10);
  const timeoutMs = opts.timeoutMs ?? 5000;
  const limit = opts.requests ?? Infinity;
  const from = opts.from ?? [];
  const request = requestBytes(opts.path ?? '/', opts.hostHeader ?? `${opts.targets[0]!.host}:${opts.targets[0]!.port}`, keepAlive);
  const intervalMs = opts.rate && opts.rate > 0 ? 1000 / opts.rate : 0;

  const started = performance.now();
  const deadline = opts.durationMs !== undefined ? started + opts.durationMs : Infinity;
  let issued = 0;
  let failures = 0;
  let nextTarget = 0;
  let nextFrom = 0;
  let stopped = false;
  let running = concurrency;
  let finishedAt = started;
  let resolveDone: (v: { durationMs: number }) => void = () => {};
  const done = new Promise<{ durationMs: number }>((r) => (resolveDone = r));

  const connections: Connection[] = [];

  const finish = (c: Connection): void => {
    if (c.finished) return;
    c.finished = true;
    if (c.waiting) clearTimeout(c.waiting);
    c.socket?.destroy();
    c.socket = null;
    finishedAt = performance.now();
    if (--running === 0) {
      clearInterval(sweeper);
      opts.signal?.removeEventListener('abort', stop);
      resolveDone({ durationMs: finishedAt - started });
    }
  };

  const fail = (c: Connection, kind: ErrorKind): void => {
    const socket = c.socket;
    c.socket = null;
    socket?.destroy();
    c.parser.reset();
    if (c.startedAt >= 0) {
      c.startedAt = -1;
      failures++;
      countError(stats, kind);
    }
    // A connection waiting for its turn (rate) goes on when its timer fires.
    if (!c.waiting) next(c);
  };

  const open = (c: Connection): net.Socket => {
    const target = opts.targets[nextTarget++ % opts.targets.length]!;
    const localAddress = from.length ? from[nextFrom++ % from.length] : undefined;
    c.parser.reset();
    c.counted = false;
    stats.connectionsOpened++;
    const socket = net.connect({
      host: target.host,
      port: target.port,
      ...(localAddress ? { localAddress } : {}),
      noDelay: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (n: number, buf: Uint8Array): boolean => {
          if (c.socket === socket) c.parser.feed(buf as Buffer, 0, n);
          return true;
        },
      },
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (c.socket === socket) fail(c, errorKind(err));
    });
    socket.on('end', () => {
      if (c.socket !== socket) return;
      if (c.parser.eof()) return; // a response read until close: handled by the sink
      if (c.startedAt >= 0) fail(c, 'closed');
      else {
        c.socket = null;
        socket.destroy();
      }
    });
    socket.on('close', () => {
      if (c.socket === socket) {
        if (c.startedAt >= 0) fail(c, 'closed');
        else c.socket = null;
      }
    });
    c.socket = socket;
    return socket;
  };

  /** Starts this connection's next request, or waits for its turn (rate), or finishes it. */
  function next(c: Connection): void {
    if (c.finished) return;
    if (stopped || issued >= limit) return finish(c);
    let now = performance.now();
    if (now >= deadline) return finish(c);
    if (intervalMs > 0) {
      const slot = started + issued * intervalMs;
      if (slot > now) {
        if (slot >= deadline) return finish(c);
        c.waiting = setTimeout(() => {
          c.waiting = null;
          next(c);
        }, slot - now);
        return;
      }
    }
    issued++;
    now = performance.now();
    c.startedAt = now;
    const socket = c.socket && !c.socket.destroyed ? c.socket : open(c);
    socket.write(request);
  }

  function onResponse(c: Connection, status: number, close: boolean, body: Buffer, podStart: number, podEnd: number, nodeStart: number, nodeEnd: number): void {
    if (c.startedAt < 0) return; // an answer nobody asked for
    recordLatency(stats, (performance.now() - c.startedAt) * 1000);
    c.startedAt = -1;
    countStatus(stats, status);
    if (podStart >= 0) {
      const len = podEnd - podStart;
      let pod = c.pod;
      // Same pod as this connection's last answer (the common case): no string is made.
      if (!pod || len !== c.podLength || body.compare(c.podBytes, 0, len, podStart, podEnd) !== 0) {
        pod = podCounter(stats, body.toString('utf8', podStart, podEnd), nodeStart >= 0 ? body.toString('utf8', nodeStart, nodeEnd) : '');
        if (c.podBytes.length < len) c.podBytes = Buffer.allocUnsafe(len);
        body.copy(c.podBytes, 0, podStart, podEnd);
        c.podLength = len;
        c.counted = false;
        c.pod = pod;
      }
      pod.requests++;
      if (!c.counted) {
        pod.connections++;
        c.counted = true;
      }
    }
    if (close || !keepAlive) {
      const socket = c.socket;
      c.socket = null;
      socket?.destroy();
    }
    next(c);
  }

  function newConnection(): Connection {
    const c: Connection = {
      socket: null,
      parser: createResponseParser({
        response: (status, close, body, _length, podStart, podEnd, nodeStart, nodeEnd) => onResponse(c, status, close, body, podStart, podEnd, nodeStart, nodeEnd),
        malformed: () => fail(c, 'bad response'),
      }),
      startedAt: -1,
      pod: null,
      podBytes: Buffer.allocUnsafe(64),
      podLength: 0,
      counted: false,
      waiting: null,
      finished: false,
    };
    return c;
  }

  // One timer for every deadline: requests past their timeout fail, and a duration run ends.
  const sweeper = setInterval(
    () => {
      const now = performance.now();
      for (const c of connections) {
        if (c.finished) continue;
        if (c.startedAt >= 0 && now - c.startedAt > timeoutMs) fail(c, 'timeout');
        else if (c.startedAt < 0 && now >= deadline) finish(c);
      }
    },
    Math.max(10, Math.min(250, timeoutMs / 4)),
  );

  function stop(): void {
    stopped = true;
    for (const c of connections) finish(c);
  }
  if (opts.signal?.aborted) stopped = true;
  opts.signal?.addEventListener('abort', stop);

  for (let i = 0; i < concurrency; i++) connections.push(newConnection());
  for (const c of connections) next(c);

  return {
    done,
    progress: () => ({ elapsedMs: performance.now() - started, responses: stats.responses, errors: failures + (stats.errors.get('http 5xx') ?? 0) }),
    stop,
  };
}

/** Runs a load to the end. */
export function runLoad(opts: LoadOptions, stats: LoadStats): Promise<{ durationMs: number }> {
  return startLoad(opts, stats).done;
}

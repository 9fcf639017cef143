// The load generator's engine (one thread's share of a run): N connections, each sending one
// request at a time (no pipelining), kept alive or a new connection per request; stops after a
// request count or a duration (whichever comes first); an optional rate over all its connections
// (pacer.ts: latency then counts from each request's scheduled time, as wrk2 does, so a slow
// server cannot hide its queueing); a timeout per request. Every new connection takes the next
// target address and the next local address (`--from`), round-robin.
//
// Built to leave the CPU to the cluster it measures: connections are libuv handles driven
// directly (transport.ts), the request bytes are made once, every read lands in one shared
// buffer and is parsed in place (response-parser.ts), and the pod that answered is recognised by
// comparing its name's bytes with the one this connection saw last: a string is made only when a
// connection meets a pod it did not see last. One timer checks every connection's deadline.
import { performance } from 'node:perf_hooks';
import { createPacer, type Pacer } from './pacer.js';
import { createResponseParser, stringField, type ResponseParser } from './response-parser.js';
import { countError, countStatus, podCounter, recordLatency, type ErrorKind, type LoadStats, type PodCounter } from './stats.js';
import { pickTransport, type Link, type LinkEvents, type TransportName } from './transport.js';

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
  /** Requests per second over all connections (open loop); none: each connection sends as fast as it is answered. */
  rate?: number;
  /** true (default): keep connections open; false: a new connection per request. */
  keepAlive?: boolean;
  /** Per request, connect included (default 5000 ms). */
  timeoutMs?: number;
  /** Local addresses to connect from; each new connection takes the next one. */
  from?: readonly string[];
  /** Which target and local address this thread's first connection takes (threads spread them). */
  firstTarget?: number;
  /** When the run started (performance.now() of this thread), if before this call (threads share one start). */
  startedAt?: number;
  transport?: TransportName;
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
  readonly startedAt: number;
  readonly transport: TransportName;
}

export function requestBytes(path: string, host: string, keepAlive: boolean): Buffer {
  return Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: loopkube-load\r\nAccept: */*\r\n${keepAlive ? '' : 'Connection: close\r\n'}\r\n`, 'latin1');
}

export function errorKind(code: string): ErrorKind {
  switch (code) {
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
      return code.toLowerCase();
  }
}

const POD_KEY = Buffer.from('"pod":"');
const NODE_KEY = Buffer.from('"node":"');
const VERSION_KEY = Buffer.from('"version":"');

interface Connection {
  link: Link | null;
  /** The TCP connection is up (requests may be written). */
  up: boolean;
  parser: ResponseParser;
  /** When the request in flight counts from (its scheduled time, or when it was sent), or -1. */
  startedAt: number;
  /** When the request in flight was written (for its timeout), or -1. */
  sentAt: number;
  /** Answers on the current TCP connection. */
  answered: number;
  /** The request in flight went out on a connection that had been answered on before. */
  reused: boolean;
  /** The pod this connection last heard from, and where its name lay in that answer. */
  pod: PodCounter | null;
  podBytes: Buffer;
  podLength: number;
  podAt: number;
  /** Counted as one of `pod`'s connections already. */
  counted: boolean;
  /** Waiting for the pacer. */
  idle: boolean;
  finished: boolean;
}

export function startLoad(opts: LoadOptions, stats: LoadStats): LoadRun {
  if (opts.targets.length === 0) throw new Error('no target to send load to');
  const keepAlive = opts.keepAlive ?? true;
  const concurrency = Math.max(1, opts.connections ?? 10);
  const timeoutMs = opts.timeoutMs ?? 5000;
  const limit = opts.requests ?? Infinity;
  const from = opts.from ?? [];
  const targets = opts.targets;
  const request = requestBytes(opts.path ?? '/', opts.hostHeader ?? `${targets[0]!.host}:${targets[0]!.port}`, keepAlive);

  const started = opts.startedAt ?? performance.now();
  const deadline = opts.durationMs !== undefined ? started + opts.durationMs : Infinity;
  let issued = 0;
  let failures = 0;
  let fives = 0;
  let nextTarget = opts.firstTarget ?? 0;
  let nextFrom = opts.firstTarget ?? 0;
  let stopped = false;
  let running = concurrency;
  let finishedAt = started;
  let resolveDone: (v: { durationMs: number }) => void = () => {};
  const done = new Promise<{ durationMs: number }>((r) => (resolveDone = r));
  const fieldEnd = new Int32Array(1);

  const connections: Connection[] = [];

  const events: LinkEvents<Connection> = {
    connected(c) {
      c.up = true;
      if (c.startedAt >= 0) c.link!.write(request);
    },
    data(c, buf, n) {
      c.parser.feed(buf, 0, n);
    },
    ended(c) {
      c.link = null;
      c.up = false;
      if (c.parser.eof()) return; // a response read until close: handled by onResponse
      if (c.startedAt >= 0) fail(c, 'closed');
    },
    failed(c, code) {
      c.link = null;
      c.up = false;
      if (c.startedAt >= 0) fail(c, errorKind(code));
    },
  };
  const transport = pickTransport(events, opts.transport);

  const pacer: Pacer<Connection> | null = opts.rate && opts.rate > 0 ? createPacer<Connection>(opts.rate, started, paced, () => performance.now()) : null;

  const finish = (c: Connection): void => {
    if (c.finished) return;
    c.finished = true;
    if (c.idle) pacer?.forget(c);
    c.link?.close();
    c.link = null;
    finishedAt = performance.now();
    if (--running === 0) {
      clearInterval(sweeper);
      pacer?.stop();
      opts.signal?.removeEventListener('abort', stop);
      // A run that reached its duration lasted that long (answers still in flight then count too, as wrk's).
      // (exactly that long: deadline - started could come out a hair short in floating point)
      resolveDone({ durationMs: finishedAt >= deadline && opts.durationMs !== undefined ? opts.durationMs : finishedAt - started });
    }
  };

  /** The request in flight on `c` failed: count it, drop the connection, go on. */
  function fail(c: Connection, kind: ErrorKind): void {
    c.link?.close();
    c.link = null;
    c.up = false;
    c.parser.reset();
    if (c.startedAt >= 0) {
      c.startedAt = -1;
      c.sentAt = -1;
      failures++;
      countError(stats, kind, performance.now() - started, c.reused && c.pod ? c.pod.pod : '', c.reused);
    }
    next(c);
  }

  /** The pacer gives `c` its turn. */
  function paced(c: Connection, countFrom: number): void {
    c.idle = false;
    if (c.finished) return;
    const now = performance.now();
    if (stopped || issued >= limit || now >= deadline) return finish(c);
    send(c, countFrom, now);
  }

  /** Sends `c`'s next request now (or once its connection is up), its latency counted from `countFrom`. */
  function send(c: Connection, countFrom: number, now: number): void {
    issued++;
    c.startedAt = countFrom;
    if (c.link && c.up) {
      c.reused = c.answered > 0;
      c.sentAt = now;
      c.link.write(request);
      return;
    }
    // A new TCP connection: the request goes out once it is up.
    const target = targets[nextTarget++ % targets.length]!;
    const local = from.length ? from[nextFrom++ % from.length] : undefined;
    c.parser.reset();
    c.counted = false;
    c.answered = 0;
    c.reused = false;
    c.up = false;
    c.sentAt = now;
    stats.connectionsOpened++;
    c.link = transport.open(c, target.host, target.port, local);
  }

  /** Starts this connection's next request, or waits for its turn (rate), or finishes it. */
  function next(c: Connection, now = performance.now()): void {
    if (c.finished) return;
    if (stopped || issued >= limit) return finish(c);
    if (now >= deadline) return finish(c);
    if (pacer) {
      c.idle = true;
      pacer.ready(c, now);
      return;
    }
    send(c, now, now);
  }

  function onResponse(c: Connection, status: number, close: boolean, body: Buffer, start: number, n: number): void {
    if (c.startedAt < 0) return; // an answer nobody asked for
    const now = performance.now();
    recordLatency(stats, (now - c.startedAt) * 1000);
    c.startedAt = -1;
    c.sentAt = -1;
    c.answered++;
    countStatus(stats, status);
    const pod = podOf(c, body, start, n);
    if (pod) {
      pod.requests++;
      if (!c.counted) {
        pod.connections++;
        c.counted = true;
      }
    }
    if (status >= 500) {
      fives++;
      countError(stats, 'http 5xx', now - started, pod ? pod.pod : '', c.reused);
    }
    if (close || !keepAlive) {
      c.link?.close();
      c.link = null;
      c.up = false;
    }
    next(c, now);
  }

  /**
   * The pod named in the answer `body[from, from + n)`: the connection's last one when its name's
   * bytes are where they were last time (no string made), else found and looked up.
   */
  function podOf(c: Connection, body: Buffer, from: number, n: number): PodCounter | null {
    const last = c.pod;
    if (last !== null) {
      const at = from + c.podAt;
      const len = c.podLength;
      if (c.podAt + len < n && body[at + len] === 0x22 && body[at - 1] === 0x22) {
        const bytes = c.podBytes;
        let i = 0;
        while (i < len && body[at + i] === bytes[i]) i++;
        if (i === len) return last;
      }
    }
    const start = stringField(body, from, n, POD_KEY, fieldEnd);
    if (start < 0) return null;
    const end = fieldEnd[0]!;
    const len = end - start;
    const nodeStart = stringField(body, from, n, NODE_KEY, fieldEnd);
    const node = nodeStart >= 0 ? body.toString('utf8', nodeStart, fieldEnd[0]) : '';
    const versionStart = stringField(body, from, n, VERSION_KEY, fieldEnd);
    const version = versionStart >= 0 ? body.toString('utf8', versionStart, fieldEnd[0]) : '';
    const pod = podCounter(stats, body.toString('utf8', start, end), node, version);
    if (c.podBytes.length < len) c.podBytes = Buffer.allocUnsafe(len);
    body.copy(c.podBytes, 0, start, end);
    c.podLength = len;
    c.podAt = start - from;
    if (pod !== last) c.counted = false;
    c.pod = pod;
    return pod;
  }

  function newConnection(): Connection {
    const c: Connection = {
      link: null,
      up: false,
      parser: createResponseParser({
        response: (status, close, body, start, length) => onResponse(c, status, close, body, start, length),
        malformed: () => fail(c, 'bad response'),
      }),
      startedAt: -1,
      sentAt: -1,
      answered: 0,
      reused: false,
      pod: null,
      podBytes: Buffer.allocUnsafe(64),
      podLength: 0,
      podAt: 0,
      counted: false,
      idle: false,
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
        if (c.startedAt >= 0 && c.sentAt >= 0 && now - c.sentAt > timeoutMs) fail(c, 'timeout');
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
    progress: () => ({ elapsedMs: performance.now() - started, responses: stats.responses, errors: failures + fives }),
    stop,
    startedAt: started,
    transport: transport.name,
  };
}

/** Runs a load to the end. */
export function runLoad(opts: LoadOptions, stats: LoadStats): Promise<{ durationMs: number }> {
  return startLoad(opts, stats).done;
}

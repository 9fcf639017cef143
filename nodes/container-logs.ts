// A container's log as kubelet keeps it: one file per instance of the container under the pod's
// folder (`<pod dir>/<container>/<restartCount>.log`, as /var/log/pods/<ns>_<pod>_<uid>/), each
// line in the CRI format (`<RFC3339Nano> stdout|stderr F <text>`), rotated in size (the current
// file moves to `.log.1` when it passes maxBytes, so an instance never takes more than twice
// that), and the instance before the current one kept for `--previous`. Older instances are
// removed, as kubelet keeps only the last terminated container.
//
// Writes are buffered and flushed in one syscall per batch (the built-in app logs every request
// on the hot path of load tests); a read flushes first, so what it reads is everything written.
import { EventEmitter } from 'node:events';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';

export type LogStream = 'stdout' | 'stderr';

export interface LogEntry {
  /** Milliseconds since the epoch (for sinceTime/sinceSeconds). */
  timeMs: number;
  /** RFC3339Nano, as kubelet prints it with `timestamps=true`. */
  time: string;
  stream: LogStream;
  text: string;
}

export interface ContainerLog {
  /** A new instance of the container starts: the current one becomes the previous. */
  newInstance(restartCount: number): void;
  write(stream: LogStream, text: string): void;
  /** Every line of the current (or the previous) instance, oldest first; undefined: no such instance. */
  entries(previous: boolean): LogEntry[] | undefined;
  /**
   * Lines written from now on to the current instance; onEnd once that instance has exited (a
   * follower stops there, as kubelet's does). Returns the unsubscribe.
   */
  subscribe(onEntry: (e: LogEntry) => void, onEnd: () => void): () => void;
  /** The current instance exited (its followers end). */
  end(): void;
  /** Whether the current instance still runs (a follower of an exited one ends at once). */
  running(): boolean;
  /** The instance number now written (restartCount). */
  instance(): number;
  close(): void;
}

export interface ContainerLogOptions {
  /** The container's folder, e.g. `<pod dir>/<container>`. */
  dir: string;
  /** Rotate the current file past this size (kubelet's containerLogMaxSize: 10Mi). */
  maxBytes?: number;
  /** Flush the buffer after this long (ms). */
  flushMs?: number;
}

const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
const FLUSH_AT_BYTES = 64 * 1024;
/** One log line is cut at this length, as the CRI runtimes split long lines (16 KiB). */
const MAX_LINE = 16 * 1024;

/** RFC3339 with nanoseconds (Go's time.RFC3339Nano drops trailing zeros; kubelet's logs keep 9 digits). */
export function rfc3339Nano(ms: number, nanosWithinMs = 0): string {
  const iso = new Date(ms).toISOString(); // 2026-12-03T14:50:00.123Z
  const frac = iso.slice(20, 23) + String(nanosWithinMs).padStart(6, '0');
  return `${iso.slice(0, 19)}.${frac}Z`;
}

/** One CRI log line: `<time> <stream> F <text>`. */
function parseCriLine(line: string): LogEntry | undefined {
  const a = line.indexOf(' ');
  const b = line.indexOf(' ', a + 1);
  const c = line.indexOf(' ', b + 1);
  if (a < 0 || b < 0 || c < 0) return undefined;
  const time = line.slice(0, a);
  const stream = line.slice(a + 1, b);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const timeMs = Date.parse(time);
  if (!Number.isFinite(timeMs)) return undefined;
  return { time, timeMs, stream, text: line.slice(c + 1) };
}

function parseFile(file: string): LogEntry[] {
  if (!existsSync(file)) return [];
  const out: LogEntry[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const e = parseCriLine(line);
    if (e) out.push(e);
  }
  return out;
}

export function createContainerLog(opts: ContainerLogOptions): ContainerLog {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const flushMs = opts.flushMs ?? 50;
  mkdirSync(opts.dir, { recursive: true });
  const events = new EventEmitter();
  events.setMaxListeners(0);
  let current = -1;
  let previous = -1;
  let fd: number | undefined;
  let size = 0;
  let pending: string[] = [];
  let pendingBytes = 0;
  let timer: NodeJS.Timeout | undefined;
  let lastMs = 0;
  let seq = 0;
  let closed = false;
  let running = false;

  const fileOf = (n: number): string => path.join(opts.dir, `${n}.log`);

  // An instance left by an earlier node process: the highest number is the one to continue from.
  for (const f of readdirSync(opts.dir)) {
    const m = /^(\d+)\.log$/.exec(f);
    if (m) {
      const n = Number(m[1]);
      if (n > current) {
        previous = current;
        current = n;
      } else if (n > previous) previous = n;
    }
  }

  function flush(): void {
    clearTimeout(timer);
    timer = undefined;
    if (!pending.length || fd === undefined) return;
    const chunk = pending.join('');
    pending = [];
    pendingBytes = 0;
    try {
      writeSync(fd, chunk);
      size += Buffer.byteLength(chunk);
    } catch {
      // a full disk: the lines are lost, the container keeps running (as a runtime drops them)
    }
    if (size > maxBytes) rotate();
  }

  function rotate(): void {
    if (fd === undefined) return;
    closeSync(fd);
    const file = fileOf(current);
    renameSync(file, `${file}.1`);
    fd = openSync(file, 'a');
    size = 0;
  }

  function open(n: number): void {
    if (fd !== undefined) {
      flush();
      closeSync(fd);
    }
    // Keep only the instance before this one (and its rotated part).
    for (const f of readdirSync(opts.dir)) {
      const m = /^(\d+)\.log(\.1)?$/.exec(f);
      if (m && Number(m[1]) !== n && Number(m[1]) !== previous) rmSync(path.join(opts.dir, f), { force: true });
    }
    const file = fileOf(n);
    fd = openSync(file, 'a');
    size = statSync(file).size;
  }

  function instanceEntries(n: number): LogEntry[] {
    const file = fileOf(n);
    return [...parseFile(`${file}.1`), ...parseFile(file)];
  }

  return {
    newInstance(restartCount) {
      if (closed) return;
      if (restartCount !== current) {
        if (current >= 0) previous = current;
        current = restartCount;
      }
      open(current);
      running = true;
    },
    write(stream, text) {
      if (closed || fd === undefined) return;
      const now = Date.now();
      // Lines in one millisecond keep their order through the nanosecond digits.
      seq = now === lastMs ? seq + 1 : 0;
      lastMs = now;
      const time = rfc3339Nano(now, Math.min(seq, 999_999));
      for (const part of text.split('\n')) {
        const line = part.length > MAX_LINE ? part.slice(0, MAX_LINE) : part;
        const entry: LogEntry = { time, timeMs: now, stream, text: line };
        const raw = `${time} ${stream} F ${line}\n`;
        pending.push(raw);
        pendingBytes += raw.length;
        if (events.listenerCount('entry')) events.emit('entry', entry);
      }
      if (pendingBytes >= FLUSH_AT_BYTES) flush();
      else if (!timer) timer = setTimeout(flush, flushMs);
    },
    entries(wantPrevious) {
      flush();
      const n = wantPrevious ? previous : current;
      if (n < 0) return undefined;
      return instanceEntries(n);
    },
    subscribe(onEntry, onEnd) {
      events.on('entry', onEntry);
      events.on('end', onEnd);
      return () => {
        events.off('entry', onEntry);
        events.off('end', onEnd);
      };
    },
    end() {
      flush();
      running = false;
      events.emit('end');
    },
    running: () => running,
    instance: () => current,
    close() {
      if (closed) return;
      flush();
      closed = true;
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
      running = false;
      events.emit('end');
      events.removeAllListeners();
    },
  };
}

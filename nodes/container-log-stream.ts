// kubelet's GET /containerLogs/{namespace}/{pod}/{container}: a container's log with the options
// of PodLogOptions (the API server validated them): previous, sinceTime/sinceSeconds, tailLines,
// timestamps, limitBytes, follow. History first, then (follow) every new line until the instance
// exits or the client goes away. Errors are kubelet's own words; the API server passes them on.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ContainerLog, LogEntry } from './container-logs.js';
import type { ContainerSnapshot } from './pod-status.js';

export interface LogQuery {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  /** Lines at or after this time (ms since the epoch). */
  sinceMs?: number;
  limitBytes?: number;
}

export class LogRequestError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function wholeNumber(q: URLSearchParams, key: string): number | undefined {
  const raw = q.get(key);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new LogRequestError(400, `invalid ${key}: ${JSON.stringify(raw)}`);
  return n;
}

const truthy = (q: URLSearchParams, key: string): boolean => {
  const v = q.get(key);
  return v === 'true' || v === '1' || v === '';
};

/** The query as the API server forwards it (kubelet's own parsing of PodLogOptions). */
export function parseLogQuery(q: URLSearchParams, nowMs = Date.now()): LogQuery {
  const out: LogQuery = { follow: q.has('follow') && truthy(q, 'follow'), previous: q.has('previous') && truthy(q, 'previous'), timestamps: q.has('timestamps') && truthy(q, 'timestamps') };
  const tail = wholeNumber(q, 'tailLines');
  if (tail !== undefined) out.tailLines = tail;
  const limit = wholeNumber(q, 'limitBytes');
  if (limit !== undefined) out.limitBytes = limit;
  const sinceSeconds = wholeNumber(q, 'sinceSeconds');
  if (sinceSeconds !== undefined) out.sinceMs = nowMs - sinceSeconds * 1000;
  const sinceTime = q.get('sinceTime');
  if (sinceTime) {
    const t = Date.parse(sinceTime);
    if (!Number.isFinite(t)) throw new LogRequestError(400, `invalid sinceTime: ${JSON.stringify(sinceTime)}`);
    out.sinceMs = t;
  }
  return out;
}

/** kubelet's validateContainerLogStatus: which instance may be read, or why none. */
export function checkLogReadable(podName: string, c: ContainerSnapshot, log: ContainerLog, previous: boolean): void {
  if (previous) {
    if (!c.lastState?.terminated || !log.entries(true)) throw new LogRequestError(400, `previous terminated container "${c.name}" in pod "${podName}" not found`);
    return;
  }
  if (log.instance() < 0) {
    const reason = c.state.waiting?.reason ?? 'ContainerCreating';
    throw new LogRequestError(400, `container "${c.name}" in pod "${podName}" is waiting to start: ${reason}`);
  }
}

function render(e: LogEntry, timestamps: boolean): string {
  return timestamps ? `${e.time} ${e.text}\n` : `${e.text}\n`;
}

/** Writes the log to res as the options say; resolves when the answer ends. */
export function streamContainerLog(req: IncomingMessage, res: ServerResponse, log: ContainerLog, q: LogQuery): Promise<void> {
  let entries = log.entries(q.previous) ?? [];
  if (q.sinceMs !== undefined) {
    const since = q.sinceMs;
    entries = entries.filter((e) => e.timeMs >= since);
  }
  if (q.tailLines !== undefined) entries = q.tailLines === 0 ? [] : entries.slice(-q.tailLines);
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  let budget = q.limitBytes ?? Infinity;
  /** Writes a line within limitBytes; false once the limit is reached. */
  const emit = (text: string): boolean => {
    if (budget <= 0) return false;
    const buf = Buffer.from(text);
    if (buf.length > budget) {
      res.write(buf.subarray(0, budget));
      budget = 0;
      return false;
    }
    budget -= buf.length;
    res.write(buf);
    return budget > 0;
  };
  let open = true;
  for (const e of entries) {
    if (!emit(render(e, q.timestamps))) {
      open = false;
      break;
    }
  }
  if (!open || !q.follow || q.previous || !log.running()) {
    res.end();
    return Promise.resolve();
  }
  return new Promise<void>((done) => {
    const finish = (): void => {
      unsubscribe();
      req.off('close', finish);
      if (!res.writableEnded) res.end();
      done();
    };
    const unsubscribe = log.subscribe(
      (e) => {
        if (q.sinceMs !== undefined && e.timeMs < q.sinceMs) return;
        // A client that never reads: drop it rather than hold its backlog without bound.
        if (res.writableLength > 8 * 1024 * 1024) {
          res.destroy();
          finish();
          return;
        }
        if (!emit(render(e, q.timestamps))) finish();
      },
      finish,
    );
    req.on('close', finish);
  });
}

// Steady load for the failure tests and bench:failover: what a cluster's users do all the time,
// each recorded as samples (when it started, how long it took, whether it worked and how it
// failed), so a window around a kill says what failed and for how long.
//
//   newConnections  an HTTP request on a new connection every intervalMs (at most `inFlight` open)
//   keepAlive       requests back to back on one keep-alive connection, renewed every renewMs
//                   (as clients with a maximum connection age do)
//   dns             an A query over UDP every intervalMs
//   writes          an object created through the API every intervalMs; the names acknowledged
import http from 'node:http';
import type { ApiClient } from '../../src/client/client.js';
import { queryDns } from '../../src/dns/client.js';
import { RCODE, TYPE } from '../../src/dns/wire.js';

export interface Sample {
  /** When it started (Date.now()). */
  at: number;
  ms: number;
  ok: boolean;
  error?: string;
}

export interface Probe {
  readonly name: string;
  readonly samples: Sample[];
  stop(): Promise<void>;
}

function errorCode(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { code?: unknown };
  if (typeof e?.code === 'string') return e.code;
  if (typeof e?.code === 'number') return `HTTP ${e.code}`;
  return String(e?.message ?? err).slice(0, 60);
}

function get(opts: http.RequestOptions, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get({ ...opts, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { code: `HTTP ${res.statusCode}` }))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', reject);
  });
}

/** A request on a new connection every intervalMs. */
export function newConnections(opts: { name: string; host: string; port: number; localAddress?: string; intervalMs: number; inFlight?: number; timeoutMs?: number }): Probe {
  const samples: Sample[] = [];
  let open = 0;
  const pending = new Set<Promise<void>>();
  const timer = setInterval(() => {
    if (open >= (opts.inFlight ?? 16)) return;
    open++;
    const at = Date.now();
    const p = get({ host: opts.host, port: opts.port, path: '/', agent: false, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) }, opts.timeoutMs ?? 5000).then(
      () => void samples.push({ at, ms: Date.now() - at, ok: true }),
      (err: unknown) => void samples.push({ at, ms: Date.now() - at, ok: false, error: errorCode(err) }),
    );
    const tracked = p.finally(() => {
      open--;
      pending.delete(tracked);
    });
    pending.add(tracked);
  }, opts.intervalMs);
  return {
    name: opts.name,
    samples,
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
    },
  };
}

/** Requests back to back on one keep-alive connection; a fresh connection every renewMs. */
export function keepAlive(opts: { name: string; host: string; port: number; renewMs: number; timeoutMs?: number }): Probe {
  const samples: Sample[] = [];
  let stopped = false;
  let agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let since = Date.now();
  const loop = (async () => {
    while (!stopped) {
      const at = Date.now();
      const renew = Date.now() - since >= opts.renewMs;
      try {
        await get({ host: opts.host, port: opts.port, path: '/', agent, ...(renew ? { headers: { Connection: 'close' } } : {}) }, opts.timeoutMs ?? 5000);
        samples.push({ at, ms: Date.now() - at, ok: true });
      } catch (err) {
        samples.push({ at, ms: Date.now() - at, ok: false, error: errorCode(err) });
        await new Promise((r) => setTimeout(r, 10));
      }
      if (renew) {
        agent.destroy();
        agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        since = Date.now();
      }
    }
  })();
  return {
    name: opts.name,
    samples,
    async stop() {
      stopped = true;
      await loop;
      agent.destroy();
    },
  };
}

/** An A query over UDP every intervalMs (one try each: a lost answer is a failure). */
export function dnsLookups(opts: { name: string; server: string; port: number; qname: string; intervalMs: number; timeoutMs?: number }): Probe {
  const samples: Sample[] = [];
  const pending = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const at = Date.now();
    const p = queryDns(opts.qname, TYPE.A, { server: opts.server, port: opts.port, timeoutMs: opts.timeoutMs ?? 1000, attempts: 1 }).then(
      (reply) => {
        const ok = reply.flags.rcode === RCODE.NOERROR && reply.answers.length > 0;
        samples.push({ at, ms: Date.now() - at, ok, ...(ok ? {} : { error: `rcode ${reply.flags.rcode}` }) });
      },
      (err: unknown) => void samples.push({ at, ms: Date.now() - at, ok: false, error: String((err as Error).message).includes('no answer') ? 'NO ANSWER' : errorCode(err) }),
    );
    const tracked = p.finally(() => pending.delete(tracked));
    pending.add(tracked);
  }, opts.intervalMs);
  return {
    name: opts.name,
    samples,
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
    },
  };
}

export interface WriteProbe extends Probe {
  /** Names the API server acknowledged (201). */
  readonly acked: string[];
}

/** Creates `kind` objects at `collection` (name prefix-N) one after another, every intervalMs. */
export function writes(opts: { name: string; client: ApiClient; collection: string; body: (name: string) => Record<string, unknown>; prefix: string; intervalMs: number }): WriteProbe {
  const samples: Sample[] = [];
  const acked: string[] = [];
  let stopped = false;
  let i = 0;
  const loop = (async () => {
    while (!stopped) {
      const name = `${opts.prefix}-${i++}`;
      const at = Date.now();
      try {
        await opts.client.create(opts.collection, opts.body(name));
        acked.push(name);
        samples.push({ at, ms: Date.now() - at, ok: true });
      } catch (err) {
        samples.push({ at, ms: Date.now() - at, ok: false, error: errorCode(err) });
      }
      await new Promise((r) => setTimeout(r, opts.intervalMs));
    }
  })();
  return {
    name: opts.name,
    samples,
    acked,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

export interface WindowSummary {
  total: number;
  failed: number;
  /** error -> count */
  errors: Record<string, number>;
  /** From the start of the window to the end of the last failed sample in it (0: none failed). */
  outageMs: number;
  /** The slowest sample that started in the window. */
  slowestMs: number;
}

/** The samples that started in [from, to) (Date.now() times). */
export function summarize(samples: readonly Sample[], from: number, to: number): WindowSummary {
  const inWindow = samples.filter((s) => s.at >= from && s.at < to);
  const failed = inWindow.filter((s) => !s.ok);
  const errors: Record<string, number> = {};
  for (const s of failed) errors[s.error ?? '?'] = (errors[s.error ?? '?'] ?? 0) + 1;
  const outageMs = failed.length ? Math.max(...failed.map((s) => s.at + s.ms)) - from : 0;
  return { total: inWindow.length, failed: failed.length, errors, outageMs, slowestMs: inWindow.length ? Math.max(...inWindow.map((s) => s.ms)) : 0 };
}

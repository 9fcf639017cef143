// How the CLI talks to a running supervisor: a unix socket at `<home>/supervisor.sock`, one JSON
// request line per connection, one JSON reply line back. Every successful reply carries the
// supervisor's state, so the CLI can print what happened.
import { rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { SupervisorState } from './state.js';

export type SupervisorRequest =
  | { op: 'status' }
  | { op: 'stop-process'; name: string }
  | { op: 'start-process'; name: string }
  | { op: 'shutdown' };

export type SupervisorReply = { ok: true; state: SupervisorState } | { ok: false; error: string };

export function supervisorSocket(home: string): string {
  return path.join(home, 'supervisor.sock');
}

export type RequestHandler = (request: SupervisorRequest) => Promise<SupervisorReply>;

const MAX_REQUEST_BYTES = 64 * 1024;

export function parseRequest(line: string): SupervisorRequest | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'request is not valid JSON';
  }
  if (typeof value !== 'object' || value === null) return 'request must be a JSON object';
  const r = value as Record<string, unknown>;
  switch (r.op) {
    case 'status':
    case 'shutdown':
      return { op: r.op };
    case 'stop-process':
    case 'start-process':
      if (typeof r.name !== 'string' || !r.name) return `${r.op} needs a process name`;
      return { op: r.op, name: r.name };
    default:
      return `unknown op ${JSON.stringify(r.op)}; supported: "status", "stop-process", "start-process", "shutdown"`;
  }
}

/** Listens on the socket (replacing a stale one); resolves once listening. */
export function serveControlSocket(socketPath: string, handle: RequestHandler): Promise<net.Server> {
  rmSync(socketPath, { force: true });
  const server = net.createServer((conn) => {
    let buffer = '';
    conn.setEncoding('utf8');
    conn.on('error', () => conn.destroy());
    conn.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_REQUEST_BYTES) {
        conn.end(`${JSON.stringify({ ok: false, error: 'request too large' })}\n`);
        return;
      }
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      const parsed = parseRequest(buffer.slice(0, newline));
      buffer = '';
      const reply: Promise<SupervisorReply> =
        typeof parsed === 'string' ? Promise.resolve({ ok: false, error: parsed }) : handle(parsed).catch((err: unknown) => ({ ok: false, error: String((err as Error)?.message ?? err) }));
      void reply.then((r) => {
        if (!conn.destroyed) conn.end(`${JSON.stringify(r)}\n`);
      });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** Sends one request; rejects when nobody listens (ENOENT/ECONNREFUSED) or on timeout. */
export function sendSupervisorRequest(socketPath: string, request: SupervisorRequest, timeoutMs = 10_000): Promise<SupervisorReply> {
  return new Promise((resolve, reject) => {
    const conn = net.connect(socketPath);
    let buffer = '';
    let settled = false;
    const finish = (err: Error | null, reply?: SupervisorReply): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      conn.destroy();
      if (err) reject(err);
      else resolve(reply as SupervisorReply);
    };
    const timer = setTimeout(() => finish(new Error(`the supervisor did not answer within ${timeoutMs} ms`)), timeoutMs);
    conn.setEncoding('utf8');
    conn.on('connect', () => conn.write(`${JSON.stringify(request)}\n`));
    conn.on('data', (chunk: string) => {
      buffer += chunk;
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      try {
        finish(null, JSON.parse(buffer.slice(0, newline)) as SupervisorReply);
      } catch (err) {
        finish(err as Error);
      }
    });
    conn.on('error', (err) => finish(err));
    conn.on('end', () => finish(new Error('the supervisor closed the connection without an answer')));
  });
}

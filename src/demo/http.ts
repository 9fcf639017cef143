// The scenarios' client side: one HTTP GET over a new TCP connection, optionally from a chosen
// local address (a node's IP, as `curl --interface 127.10.0.1` does), read as the JSON identity a
// pod answers with; or the socket error code when nothing answers. And an upload that is still
// sending, which a pod being deleted finishes before it stops.
import http from 'node:http';

/** What every loopkube pod answers on `GET /`. */
export interface PodAnswer {
  pod: string;
  namespace: string;
  podIP: string;
  node: string;
  container: string;
  port: number;
  /** The client address the pod saw. */
  clientIP: string;
  clientPort: number;
  /** The pod's request counter. */
  requests: number;
}

export type Attempt = { ok: true; answer: PodAnswer } | { ok: false; code: string; message: string };

export interface AskOptions {
  /** Local address to connect from. */
  from?: string;
  path?: string;
  /** The Host header (a name an ingress routes by). */
  hostHeader?: string;
  timeoutMs?: number;
}

function isPodAnswer(v: unknown): v is PodAnswer {
  return typeof v === 'object' && v !== null && typeof (v as PodAnswer).pod === 'string' && typeof (v as PodAnswer).podIP === 'string';
}

/** GET http://host:port/ over a new connection; never rejects. */
export function attempt(host: string, port: number, opts: AskOptions = {}): Promise<Attempt> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: Attempt): void => {
      if (settled) return;
      settled = true;
      resolve(a);
    };
    const fail = (err: NodeJS.ErrnoException): void => done({ ok: false, code: err.code ?? 'ERROR', message: err.message });
    const req = http.get(
      { host, port, path: opts.path ?? '/', agent: false, timeout: timeoutMs, ...(opts.from ? { localAddress: opts.from } : {}), ...(opts.hostHeader ? { headers: { host: opts.hostHeader } } : {}) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('error', fail);
        res.on('end', () => {
          try {
            const v: unknown = JSON.parse(body);
            if (isPodAnswer(v)) return done({ ok: true, answer: v });
          } catch {
            // not JSON
          }
          done({ ok: false, code: `HTTP ${res.statusCode ?? 0}`, message: `not a pod's answer: ${body.slice(0, 200)}` });
        });
      },
    );
    req.on('error', fail);
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
  });
}

/** A request whose body is still being sent (an upload in progress). */
export interface Upload {
  /** What the pod answered (it answers before reading a body it does not need). */
  answer: Attempt;
  /** Sends the end of the body and closes the connection; resolves once it is closed. Idempotent. */
  finish(): Promise<void>;
}

/**
 * POST http://host:port/upload with a chunked body of which only a first part is sent; resolves
 * once the pod has answered. Until `finish`, the pod has a request in flight: a pod that is
 * deleted meanwhile drains it, and stays Terminating (up to its grace period) until it is done.
 */
export function startUpload(host: string, port: number, opts: AskOptions = {}): Promise<Upload> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  // keep-alive: with `Connection: close` the pod would close the connection as soon as it answered
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return new Promise((resolve, reject) => {
    let finished: Promise<void> | undefined;
    const finish = (): Promise<void> =>
      (finished ??= new Promise<void>((done) => {
        const socket = req.socket;
        if (!socket || socket.destroyed) return done();
        socket.once('close', () => done());
        req.end(() => agent.destroy());
      }));
    const req = http.request(
      { host, port, method: 'POST', path: opts.path ?? '/upload', agent, timeout: timeoutMs, headers: { 'Content-Type': 'application/octet-stream' }, ...(opts.from ? { localAddress: opts.from } : {}) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          req.setTimeout(0);
          let answer: Attempt = { ok: false, code: `HTTP ${res.statusCode ?? 0}`, message: `not a pod's answer: ${body.slice(0, 200)}` };
          try {
            const v: unknown = JSON.parse(body);
            if (isPodAnswer(v)) answer = { ok: true, answer: v };
          } catch {
            // not JSON
          }
          resolve({ answer, finish });
        });
      },
    );
    req.on('error', (err) => {
      agent.destroy();
      reject(err);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.write('the first part of an upload\n');
  });
}

/** GET and return the pod's answer; throws with the socket error when nothing answers. */
export async function ask(host: string, port: number, opts: AskOptions = {}): Promise<PodAnswer> {
  const a = await attempt(host, port, opts);
  if (!a.ok) throw new Error(`GET http://${host}:${port}/${opts.from ? ` from ${opts.from}` : ''} failed: ${a.code} (${a.message})`);
  return a.answer;
}

/** Refused at once (nothing listens, or the proxy turns the connection away). */
export function isRefusal(a: Attempt): boolean {
  return !a.ok && (a.code === 'ECONNREFUSED' || a.code === 'ECONNRESET');
}

export interface Spread {
  /** Answers per pod. */
  pods: Record<string, number>;
  /** Answers per node the pods run on. */
  nodes: Record<string, number>;
  /** Answers per client address the pods saw. */
  clientIPs: Record<string, number>;
  /** Failures by code. */
  errors: Record<string, number>;
  answers: PodAnswer[];
}

const bump = (m: Record<string, number>, k: string): void => {
  m[k] = (m[k] ?? 0) + 1;
};

/** `count` connections, one after another, each a new one; counts who answered. */
export async function spread(count: number, host: string, port: number, opts: AskOptions = {}): Promise<Spread> {
  const out: Spread = { pods: {}, nodes: {}, clientIPs: {}, errors: {}, answers: [] };
  for (let i = 0; i < count; i++) {
    const a = await attempt(host, port, opts);
    if (a.ok) {
      out.answers.push(a.answer);
      bump(out.pods, a.answer.pod);
      bump(out.nodes, a.answer.node);
      bump(out.clientIPs, a.answer.clientIP);
    } else bump(out.errors, a.code);
  }
  return out;
}

export interface HttpReply {
  status: number;
  body: string;
}

/** A plain GET (e.g. a healthCheckNodePort); rejects with the socket error. */
export function getText(host: string, port: number, path = '/', timeoutMs = 3000): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
  });
}

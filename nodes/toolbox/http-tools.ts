// curl and wget of the toolbox: HTTP(S) from the pod's IP (localAddress), names through the pod's
// resolver, the common flags, and curl's/busybox wget's own error words and exit codes.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { ToolboxPod, ToolIO } from './context.js';
import { resolveHost, ResolveError } from './resolve.js';

interface HttpRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string;
  maxTimeMs?: number;
  connectTimeoutMs?: number;
  insecure: boolean;
}

type HttpOutcome =
  | { ok: true; res: IncomingMessage; body: Buffer; address: string; connectMs: number }
  | { ok: false; code: number; message: string };

async function send(r: HttpRequest, pod: ToolboxPod, io: ToolIO, verbose: (line: string) => void): Promise<HttpOutcome> {
  const host = r.url.hostname;
  const port = Number(r.url.port || (r.url.protocol === 'https:' ? 443 : 80));
  let address: string;
  try {
    address = (await resolveHost(host, pod)).addresses[0]!;
  } catch (err) {
    if (err instanceof ResolveError) return { ok: false, code: 6, message: `Could not resolve host: ${host}` };
    return { ok: false, code: 6, message: `Could not resolve host: ${host} (${(err as Error).message})` };
  }
  verbose(`*   Trying ${address}:${port}...`);
  const started = Date.now();
  const mod = r.url.protocol === 'https:' ? https : http;
  return new Promise<HttpOutcome>((resolve) => {
    let settled = false;
    const done = (o: HttpOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(maxTimer);
      io.signal.removeEventListener('abort', onAbort);
      resolve(o);
    };
    const req = mod.request({
      host: address,
      servername: host,
      port,
      localAddress: pod.podIP,
      method: r.method,
      path: `${r.url.pathname}${r.url.search}`,
      headers: { Host: r.url.host, 'User-Agent': 'curl/8.5.0', Accept: '*/*', ...r.headers },
      rejectUnauthorized: !r.insecure,
      agent: false,
    });
    let connectMs = 0;
    const connectTimer = r.connectTimeoutMs
      ? setTimeout(() => {
          req.destroy();
          done({ ok: false, code: 28, message: `Failed to connect to ${host} port ${port} after ${Date.now() - started} ms: Timeout was reached` });
        }, r.connectTimeoutMs)
      : undefined;
    const maxTimer = r.maxTimeMs
      ? setTimeout(() => {
          req.destroy();
          done({ ok: false, code: 28, message: `Operation timed out after ${Date.now() - started} milliseconds with 0 bytes received` });
        }, r.maxTimeMs)
      : undefined;
    const onAbort = (): void => {
      req.destroy();
      done({ ok: false, code: 130, message: '' });
    };
    io.signal.addEventListener('abort', onAbort);
    req.on('socket', (s) => {
      s.once(r.url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
        clearTimeout(connectTimer);
        connectMs = Date.now() - started;
        verbose(`* Connected to ${host} (${address}) port ${port}`);
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(connectTimer);
      const ms = Date.now() - started;
      if (err.code === 'ECONNREFUSED') done({ ok: false, code: 7, message: `Failed to connect to ${host} port ${port} after ${ms} ms: Couldn't connect to server` });
      else if (err.code === 'ECONNRESET') done({ ok: false, code: 56, message: 'Recv failure: Connection reset by peer' });
      else if (err.code === 'EADDRNOTAVAIL') done({ ok: false, code: 7, message: `Failed to connect to ${host} port ${port}: the pod IP ${pod.podIP} is not a local address` });
      else if (/certificate|self.signed|CERT/i.test(err.message)) done({ ok: false, code: 60, message: `SSL certificate problem: ${err.message}` });
      else done({ ok: false, code: 7, message: `Failed to connect to ${host} port ${port} after ${ms} ms: ${err.message}` });
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= 16 * 1024 * 1024) chunks.push(c);
      });
      res.on('end', () => done({ ok: true, res, body: Buffer.concat(chunks), address, connectMs }));
      res.on('error', () => done({ ok: false, code: 56, message: 'Recv failure: Connection reset by peer' }));
    });
    if (r.body !== undefined) req.write(r.body);
    req.end();
  });
}

function headerBlock(res: IncomingMessage): string {
  let s = `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}\r\n`;
  for (let i = 0; i < res.rawHeaders.length; i += 2) s += `${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`;
  return `${s}\r\n`;
}

function seconds(raw: string | undefined, flag: string): number {
  const n = Number(raw);
  if (raw === undefined || !Number.isFinite(n) || n < 0) throw new UsageError(`option ${flag}: expected a proper numerical parameter`);
  return n * 1000;
}

class UsageError extends Error {}

export async function curl(args: string[], pod: ToolboxPod, io: ToolIO): Promise<number> {
  let silent = false;
  let showErrors = false;
  let verbose = false;
  let head = false;
  let include = false;
  let output: string | undefined;
  let insecure = false;
  let fail = false;
  let method: string | undefined;
  const headers: Record<string, string> = {};
  let body: string | undefined;
  let maxTimeMs: number | undefined;
  let connectTimeoutMs: number | undefined;
  let target: string | undefined;
  try {
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const next = (): string => {
        const v = args[++i];
        if (v === undefined) throw new UsageError(`option ${a}: requires parameter`);
        return v;
      };
      if (/^-[a-zA-Z]{2,}$/.test(a) && !['-H', '-X', '-d', '-o', '-m'].includes(a)) {
        // bundled short flags: -sS, -sv, -fsSL, -sI, -so /dev/null is not supported bundled
        args.splice(i, 1, ...a.slice(1).split('').map((ch) => `-${ch}`));
        i--;
        continue;
      }
      switch (a) {
        case '-s': case '--silent': silent = true; break;
        case '-S': case '--show-error': showErrors = true; break;
        case '-v': case '--verbose': verbose = true; break;
        case '-I': case '--head': head = true; break;
        case '-i': case '--include': include = true; break;
        case '-k': case '--insecure': insecure = true; break;
        case '-f': case '--fail': fail = true; break;
        case '-L': case '--location': break;
        case '-o': case '--output': output = next(); break;
        case '-X': case '--request': method = next(); break;
        case '-H': case '--header': {
          const h = next();
          const colon = h.indexOf(':');
          if (colon > 0) headers[h.slice(0, colon).trim()] = h.slice(colon + 1).trim();
          break;
        }
        case '-d': case '--data': case '--data-raw': body = body === undefined ? next() : `${body}&${next()}`; break;
        case '-m': case '--max-time': maxTimeMs = seconds(next(), a); break;
        case '--connect-timeout': connectTimeoutMs = seconds(next(), a); break;
        default:
          if (a.startsWith('-') && a !== '-') throw new UsageError(`option ${a}: is unknown`);
          target = a;
      }
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`curl: ${err.message}\ncurl: try 'curl --help' for more information\n`);
    return 2;
  }
  if (!target) {
    io.err("curl: no URL specified\ncurl: try 'curl --help' for more information\n");
    return 2;
  }
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(target) ? target : `http://${target}`);
  } catch {
    io.err(`curl: (3) URL rejected: Malformed input to a URL function\n`);
    return 3;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    io.err(`curl: (1) Protocol "${url.protocol.replace(':', '')}" not supported\n`);
    return 1;
  }
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  const verb = method ?? (head ? 'HEAD' : body !== undefined ? 'POST' : 'GET');
  const v = (line: string): void => {
    if (verbose) io.err(`${line}\n`);
  };
  const outcome = await send({ url, method: verb, headers, ...(body !== undefined ? { body } : {}), maxTimeMs, connectTimeoutMs, insecure }, pod, io, v);
  if (!outcome.ok) {
    if (outcome.code === 130) return 130;
    if (!silent || showErrors) io.err(`curl: (${outcome.code}) ${outcome.message}\n`);
    return outcome.code;
  }
  const { res } = outcome;
  if (verbose) {
    io.err(`> ${verb} ${url.pathname}${url.search} HTTP/1.1\n> Host: ${url.host}\n> User-Agent: curl/8.5.0\n> Accept: */*\n>\n`);
    io.err(headerBlock(res).split('\r\n').filter(Boolean).map((l) => `< ${l}\n`).join('') + '<\n');
  }
  if (fail && (res.statusCode ?? 0) >= 400) {
    if (!silent || showErrors) io.err(`curl: (22) The requested URL returned error: ${res.statusCode}\n`);
    return 22;
  }
  const text = (head || include ? headerBlock(res) : '') + (head ? '' : outcome.body.toString('utf8'));
  if (output && output !== '-') {
    if (output !== '/dev/null') {
      io.err(`curl: (23) Failure writing output to destination: this toolbox has no writable files (use -o /dev/null, or no -o)\n`);
      return 23;
    }
  } else io.out(text);
  return 0;
}

/** busybox wget: -q, -O FILE ('-': stdout), -S (server response), -T SECONDS, --spider. */
export async function wget(args: string[], pod: ToolboxPod, io: ToolIO): Promise<number> {
  let quiet = false;
  let output: string | undefined;
  let serverResponse = false;
  let spider = false;
  let timeoutMs: number | undefined;
  let target: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-qO-' || a === '-qO' ) {
      quiet = true;
      output = a === '-qO-' ? '-' : args[++i];
    } else if (a === '-q') quiet = true;
    else if (a === '-O') output = args[++i];
    else if (a === '-O-') output = '-';
    else if (a === '-S') serverResponse = true;
    else if (a === '--spider') spider = true;
    else if (a === '-T') timeoutMs = Number(args[++i]) * 1000;
    else if (a.startsWith('-')) {
      io.err(`wget: unrecognized option '${a}'\n`);
      return 1;
    } else target = a;
  }
  if (!target) {
    io.err('BusyBox v1.36.1 multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-T SEC] URL...\n');
    return 1;
  }
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(target) ? target : `http://${target}`);
  } catch {
    io.err(`wget: bad address '${target}'\n`);
    return 1;
  }
  if (!quiet) io.err(`Connecting to ${url.host}\n`);
  const outcome = await send({ url, method: spider ? 'HEAD' : 'GET', headers: { 'User-Agent': 'Wget' }, maxTimeMs: timeoutMs, insecure: false }, pod, io, () => {});
  if (!outcome.ok) {
    if (outcome.code === 130) return 130;
    if (outcome.code === 6) io.err(`wget: bad address '${url.host}'\n`);
    else if (outcome.code === 7) io.err(`wget: can't connect to remote host (${url.hostname}): Connection refused\n`);
    else if (outcome.code === 28) io.err('wget: download timed out\n');
    else io.err(`wget: ${outcome.message}\n`);
    return 1;
  }
  const { res } = outcome;
  if (serverResponse) io.err(headerBlock(res).split('\r\n').filter(Boolean).map((l) => `  ${l}\n`).join(''));
  if ((res.statusCode ?? 0) >= 400) {
    io.err(`wget: server returned error: HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}\n`);
    return 1;
  }
  if (spider) {
    if (!quiet) io.err('remote file exists\n');
    return 0;
  }
  if (output === '-') io.out(outcome.body.toString('utf8'));
  else if (!quiet) io.err(`saving to '${output ?? 'index.html'}' (discarded: this toolbox has no writable files; use -O -)\n`);
  return 0;
}

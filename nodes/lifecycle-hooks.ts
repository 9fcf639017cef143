// A container's lifecycle hooks (postStart, preStop) as kubelet runs them
// (pkg/kubelet/lifecycle/handlers.go): `sleep` (KEP-3960) waits; `httpGet` asks the container
// itself (the pod IP unless the hook names a host), an ordinary request its app counts; `exec`
// runs in the container, which for the built-in app means the forms of a delay (`sleep N`,
// `/bin/sleep N`, `sh -c "sleep N"`); any other command fails as a command missing from the
// image would. `tcpSocket` is kept in the API for compatibility only and fails at run time, as
// upstream. Failures are worded as kubelet words its FailedPostStartHook / FailedPreStopHook
// events.
import http from 'node:http';
import type { Container, LifecycleHandler } from '../src/api/types.js';
import { resolveProbePort } from './probes.js';
import type { ExecStreams } from './toolbox/shell.js';
import { execCollecting } from './host-process/host-container.js';

export interface HookContext {
  /** The container's spec (named ports, its name). */
  container: Pick<Container, 'name' | 'ports'>;
  podIP: string;
  /** kubelet's format.Pod: `name_namespace(uid)`. */
  podRef: string;
  /** Hook seconds in ms (1000; tests may shrink it). */
  msPerSecond: number;
  /** Aborts a running hook (the container was killed meanwhile). */
  signal: AbortSignal;
  /** A host-process container runs an exec hook for real (its exit code; the output goes to `streams`). */
  exec?(command: string[], streams: ExecStreams): Promise<number>;
}

export type HookResult = { ok: true } | { ok: false; message: string };

/** The body kubelet reads from an httpGet hook's answer, at most (it discards the rest). */
const MAX_HOOK_BODY = 10 * 1024;

/** GNU sleep's operand: a number with an optional s/m/h/d suffix; undefined when it is not one. */
export function parseSleepOperand(arg: string): number | undefined {
  const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(arg.trim());
  if (!m) return undefined;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

const SLEEP_BINARIES = new Set(['sleep', '/bin/sleep', '/usr/bin/sleep']);
const SHELLS = new Set(['sh', '/bin/sh', 'bash', '/bin/bash', '/usr/bin/bash']);

/**
 * The seconds an exec command of the built-in app waits: `sleep N [M...]` (GNU sleep adds its
 * operands), or a shell running `sleep N` (with an optional `exec`); undefined for anything else.
 */
export function execSleepSeconds(command: readonly string[]): number | undefined {
  const [bin, ...args] = command;
  if (bin === undefined) return undefined;
  if (SLEEP_BINARIES.has(bin)) {
    if (args.length === 0) return undefined;
    let total = 0;
    for (const a of args) {
      const s = parseSleepOperand(a);
      if (s === undefined) return undefined;
      total += s;
    }
    return total;
  }
  if (SHELLS.has(bin) && args.length === 2 && args[0] === '-c') {
    const words = args[1]!.trim().replace(/;$/, '').split(/\s+/);
    if (words[0] === 'exec') words.shift();
    return words.length >= 2 && SLEEP_BINARIES.has(words[0]!) ? execSleepSeconds(words) : undefined;
  }
  return undefined;
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Go's %v of a []string: `[sh -c sleep 5]`. */
function goList(items: readonly string[]): string {
  return `[${items.join(' ')}]`;
}

/** An exec hook run for real in a host-process container, failed as kubelet words it. */
function runRealExec(command: readonly string[], ctx: HookContext, exec: NonNullable<HookContext['exec']>): Promise<HookResult> {
  const fail = (error: string, output: string): HookResult => ({
    ok: false,
    message: `Exec lifecycle hook (${goList(command)}) for Container ${JSON.stringify(ctx.container.name)} in Pod ${JSON.stringify(ctx.podRef)} failed - error: ${error}, message: ${JSON.stringify(output)}`,
  });
  return execCollecting(exec, [...command], ctx.signal).then(
    ({ code, output }) => (code === 0 ? { ok: true } : fail(`command '${command.join(' ')}' exited with ${code}: ${output}`, output)),
    (err: Error) => fail(err.message, ''),
  );
}

function runExec(command: readonly string[], ctx: HookContext): Promise<HookResult> {
  if (ctx.exec) return runRealExec(command, ctx, ctx.exec);
  const seconds = execSleepSeconds(command);
  if (seconds !== undefined) return delay(seconds * ctx.msPerSecond, ctx.signal).then(() => ({ ok: true }));
  const bin = command[0] ?? '';
  const error =
    `rpc error: code = Unknown desc = failed to exec in container: failed to start exec: OCI runtime exec failed: ` +
    `exec failed: unable to start container process: exec: ${JSON.stringify(bin)}: executable file not found in $PATH ` +
    `(the built-in app runs only "sleep N", "/bin/sleep N" and "sh -c 'sleep N'")`;
  return Promise.resolve({
    ok: false,
    message: `Exec lifecycle hook (${goList(command)}) for Container ${JSON.stringify(ctx.container.name)} in Pod ${JSON.stringify(ctx.podRef)} failed - error: ${error}, message: ""`,
  });
}

function runHttpGet(handler: NonNullable<LifecycleHandler['httpGet']>, ctx: HookContext): Promise<HookResult> {
  const path = handler.path ? (handler.path.startsWith('/') ? handler.path : `/${handler.path}`) : '/';
  const fail = (error: string): HookResult => ({
    ok: false,
    message: `HTTP lifecycle hook (${handler.path ?? ''}) for Container ${JSON.stringify(ctx.container.name)} in Pod ${JSON.stringify(ctx.podRef)} failed - error: ${error}`,
  });
  const port = resolveProbePort(handler.port, ctx.container);
  if (port === null) return Promise.resolve(fail(`unable to find port named ${JSON.stringify(String(handler.port))}`));
  const scheme = (handler.scheme ?? 'HTTP').toUpperCase();
  const host = handler.host || ctx.podIP;
  const url = `${scheme.toLowerCase()}://${host}:${port}${path}`;
  if (scheme !== 'HTTP') return Promise.resolve(fail(`Get "${url}": loopkube pods serve plain HTTP only (scheme ${scheme} is not supported)`));
  const headers: Record<string, string> = { 'User-Agent': 'kube-lifecycle/1.32', Accept: '*/*', Connection: 'close' };
  for (const h of (handler as { httpHeaders?: Array<{ name: string; value: string }> }).httpHeaders ?? []) {
    if (h.name) headers[h.name] = h.value ?? '';
  }
  return new Promise<HookResult>((resolve) => {
    let settled = false;
    const settle = (r: HookResult): void => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const req = http.request({ host, port, path, method: 'GET', headers, agent: false }, (res) => {
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_HOOK_BODY) res.destroy();
      });
      const code = res.statusCode ?? 0;
      const finish = (): void => settle(code >= 200 && code < 400 ? { ok: true } : fail(`HTTP lifecycle hook (${handler.path ?? ''}) for Container ${JSON.stringify(ctx.container.name)} in Pod ${JSON.stringify(ctx.podRef)} failed with status code ${code}`));
      res.on('end', finish);
      res.on('close', finish);
    });
    const onAbort = (): void => {
      req.destroy();
      settle({ ok: true });
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err: NodeJS.ErrnoException) => {
      const reason = err.code === 'ECONNREFUSED' ? `dial tcp ${host}:${port}: connect: connection refused` : err.message;
      settle(fail(`Get "${url}": ${reason}`));
    });
    req.end();
  });
}

/** Runs one hook to its end (or until ctx.signal aborts it). */
export function runLifecycleHook(handler: LifecycleHandler, ctx: HookContext): Promise<HookResult> {
  try {
    return runHook(handler, ctx);
  } catch (err) {
    // The API validates hooks; a malformed one that got through is a failed hook, never a crash.
    return Promise.resolve({ ok: false, message: `Cannot run handler: ${(err as Error).message}` });
  }
}

function runHook(handler: LifecycleHandler, ctx: HookContext): Promise<HookResult> {
  if (handler.sleep) return delay(Math.max(0, handler.sleep.seconds) * ctx.msPerSecond, ctx.signal).then(() => ({ ok: true }));
  if (handler.exec) return runExec(handler.exec.command ?? [], ctx);
  if (handler.httpGet) return runHttpGet(handler.httpGet, ctx);
  return Promise.resolve({ ok: false, message: `Cannot run handler: invalid handler: ${JSON.stringify(handler)}` });
}

// The control path of the built-in app: how a test (or a curious user) makes one container fail
// its readiness, fail its liveness, or crash, over plain HTTP on any of the container's ports:
//
//   POST /_loopkube/readiness?ready=false     readiness probes now fail (true: pass again)
//   POST /_loopkube/liveness?healthy=false    liveness probes now fail: kubelet restarts it
//   POST /_loopkube/crash?exitCode=1          the container exits at once (default code 1)
//   GET  /_loopkube/state                     what the flags are now
//
// The flags belong to one run of one container: a restarted container starts healthy and ready,
// as a restarted process would.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const CONTROL_PREFIX = '/_loopkube/';

/**
 * The node's probes name themselves with this header, so the app can answer a readiness probe
 * and a liveness probe on the same path differently (a real app would expose two endpoints).
 */
export const PROBE_HEADER = 'x-loopkube-probe';
export type ProbeKind = 'readiness' | 'liveness' | 'startup';

export interface AppControl {
  ready: boolean;
  healthy: boolean;
}

export function createAppControl(): AppControl {
  return { ready: true, healthy: true };
}

/** Whether a probe of this kind passes, given the flags. */
export function probePasses(control: AppControl, kind: string | string[] | undefined): boolean {
  if (kind === 'readiness') return control.ready && control.healthy;
  return control.healthy;
}

export interface ControlHooks {
  /** The container exits with this code, after the answer is sent. */
  crash(exitCode: number): void;
  /** A flag changed (the node re-evaluates the container's readiness). */
  changed(): void;
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function parseBool(v: string | null): boolean | null {
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  return null;
}

/** Handles a request under CONTROL_PREFIX. */
export function handleControlRequest(req: IncomingMessage, res: ServerResponse, control: AppControl, hooks: ControlHooks): void {
  const url = new URL(req.url ?? '/', 'http://pod');
  const action = url.pathname.slice(CONTROL_PREFIX.length);
  const method = req.method ?? 'GET';
  if (action === 'state') {
    if (method !== 'GET') return answer(res, 405, { error: 'use GET' });
    return answer(res, 200, { ...control });
  }
  if (method !== 'POST') return answer(res, 405, { error: `use POST ${url.pathname}` });
  switch (action) {
    case 'readiness': {
      const v = parseBool(url.searchParams.get('ready'));
      if (v === null) return answer(res, 400, { error: 'ready must be true or false' });
      control.ready = v;
      hooks.changed();
      return answer(res, 200, { ...control });
    }
    case 'liveness': {
      const v = parseBool(url.searchParams.get('healthy'));
      if (v === null) return answer(res, 400, { error: 'healthy must be true or false' });
      control.healthy = v;
      hooks.changed();
      return answer(res, 200, { ...control });
    }
    case 'crash': {
      const raw = url.searchParams.get('exitCode');
      const code = raw === null ? 1 : Number(raw);
      if (!Number.isInteger(code) || code < 0 || code > 255) return answer(res, 400, { error: 'exitCode must be a whole number between 0 and 255' });
      res.on('finish', () => hooks.crash(code));
      res.shouldKeepAlive = false;
      return answer(res, 200, { crashing: true, exitCode: code });
    }
    default:
      return answer(res, 404, { error: `unknown control path ${url.pathname}; known: readiness, liveness, crash, state` });
  }
}

// The control of one container's built-in app (src/client/pod-control.ts has the paths): its
// readiness and liveness flags and a crash, served by the node agent (the health server, with
// the cluster's token) and never on the pod's own ports. The flags belong to one run of one
// container: a restarted container starts healthy and ready, as a restarted process would.
import type { ServerResponse } from 'node:http';
import { POD_CONTROL_ACTIONS } from '../src/client/pod-control.js';

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

/** A running container's flags and what to call when they change. */
export interface ContainerControl {
  flags: AppControl;
  hooks: ControlHooks;
}

export function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function parseBool(v: string | null): boolean | null {
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  return null;
}

/** Applies one control action to a running container and answers it. */
export function handleControl(method: string, action: string, query: URLSearchParams, target: ContainerControl, res: ServerResponse): void {
  const control = target.flags;
  if (action === 'state') {
    if (method !== 'GET') return answer(res, 405, { error: 'use GET' });
    return answer(res, 200, { ...control });
  }
  if (!(POD_CONTROL_ACTIONS as readonly string[]).includes(action)) {
    return answer(res, 404, { error: `unknown control action ${JSON.stringify(action)}; known: ${POD_CONTROL_ACTIONS.join(', ')}` });
  }
  if (method !== 'POST') return answer(res, 405, { error: `use POST for ${action}` });
  switch (action) {
    case 'readiness': {
      const v = parseBool(query.get('ready'));
      if (v === null) return answer(res, 400, { error: 'ready must be true or false' });
      control.ready = v;
      target.hooks.changed();
      return answer(res, 200, { ...control });
    }
    case 'liveness': {
      const v = parseBool(query.get('healthy'));
      if (v === null) return answer(res, 400, { error: 'healthy must be true or false' });
      control.healthy = v;
      target.hooks.changed();
      return answer(res, 200, { ...control });
    }
    default: {
      const raw = query.get('exitCode');
      const code = raw === null ? 1 : Number(raw);
      if (!Number.isInteger(code) || code < 0 || code > 255) return answer(res, 400, { error: 'exitCode must be a whole number between 0 and 255' });
      res.on('finish', () => setImmediate(() => target.hooks.crash(code)));
      res.shouldKeepAlive = false;
      return answer(res, 200, { crashing: true, exitCode: code });
    }
  }
}

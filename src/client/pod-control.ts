// The control path of the built-in app, behind the node: how a test, a demo or a user (the CLI's
// `loopkube pod`) makes one container fail its readiness, fail its liveness, or crash. It is
// served by the pod's node agent on its kubelet port (http://<node ip>:10248), like kubelet's own
// authenticated API (exec, logs), and needs the cluster's bearer token; the pods' own ports
// carry only the app, so nothing reachable through a NodePort or LoadBalancer can change a pod.
//
//   POST /control/{namespace}/{pod}/{container}/readiness?ready=false   readiness probes fail (true: pass)
//   POST /control/{namespace}/{pod}/{container}/liveness?healthy=false  liveness probes fail: restarted
//   POST /control/{namespace}/{pod}/{container}/crash?exitCode=1        the container exits at once
//   GET  /control/{namespace}/{pod}/{container}/state                   the flags now
import http from 'node:http';
import { NODE_HEALTH_PORT } from '../cluster/processes.js';

export const POD_CONTROL_PREFIX = '/control/';
export const POD_CONTROL_ACTIONS = ['readiness', 'liveness', 'crash', 'state'] as const;
export type PodControlAction = (typeof POD_CONTROL_ACTIONS)[number];

export interface PodControlTarget {
  namespace: string;
  pod: string;
  container: string;
}

export function podControlPath(target: PodControlTarget, action: PodControlAction, query: Record<string, string> = {}): string {
  const q = new URLSearchParams(query).toString();
  const parts = [target.namespace, target.pod, target.container, action].map(encodeURIComponent).join('/');
  return `${POD_CONTROL_PREFIX}${parts}${q ? `?${q}` : ''}`;
}

/** `/control/ns/pod/container/action` -> its parts, or null when it is not one. */
export function parsePodControlPath(pathname: string): (PodControlTarget & { action: string }) | null {
  if (!pathname.startsWith(POD_CONTROL_PREFIX)) return null;
  const parts = pathname.slice(POD_CONTROL_PREFIX.length).split('/');
  if (parts.length !== 4 || parts.some((p) => p === '')) return null;
  let decoded: string[];
  try {
    decoded = parts.map(decodeURIComponent);
  } catch {
    return null;
  }
  const [namespace, pod, container, action] = decoded as [string, string, string, string];
  return { namespace, pod, container, action };
}

export interface PodControlAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** One control request to the node at `nodeIP`, with the cluster's token. */
export function sendPodControl(opts: {
  nodeIP: string;
  port?: number;
  token: string;
  target: PodControlTarget;
  action: PodControlAction;
  query?: Record<string, string>;
  timeoutMs?: number;
}): Promise<PodControlAnswer> {
  const method = opts.action === 'state' ? 'GET' : 'POST';
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: opts.nodeIP,
        port: opts.port ?? NODE_HEALTH_PORT,
        method,
        path: podControlPath(opts.target, opts.action, opts.query),
        headers: { Authorization: `Bearer ${opts.token}` },
        agent: false,
        timeout: opts.timeoutMs ?? 10_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          let body: Record<string, unknown>;
          try {
            body = JSON.parse(text) as Record<string, unknown>;
          } catch {
            body = { error: text.trim() };
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from the node at ${opts.nodeIP} within ${opts.timeoutMs ?? 10_000} ms`)));
    req.on('error', reject);
    req.end();
  });
}

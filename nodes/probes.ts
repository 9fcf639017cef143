// One probe, as kubelet's prober runs it: httpGet (a fresh connection, 2xx/3xx passes) or
// tcpSocket (the connect succeeds), against the pod IP unless the probe names a host, with the
// probe's timeout. Named ports are resolved against the container's ports. The failure text is
// worded as kubelet words it, since it ends up in `Unhealthy` events.
import http from 'node:http';
import net from 'node:net';
import type { Container, Probe } from '../src/api/types.js';
import { PROBE_HEADER, type ProbeKind } from './control.js';

export interface ProbeResult {
  ok: boolean;
  /** Why it failed (empty when it passed). */
  message: string;
}

/** The version kubelet sends as `User-Agent: kube-probe/<major.minor>`. */
const PROBE_USER_AGENT = 'kube-probe/1.32';

/** Resolves a probe's port (a number, or the name of one of the container's ports). */
export function resolveProbePort(port: number | string, container: Pick<Container, 'ports'>): number | null {
  if (typeof port === 'number') return Number.isInteger(port) && port > 0 && port < 65536 ? port : null;
  if (/^\d+$/.test(port)) {
    const n = Number(port);
    return n > 0 && n < 65536 ? n : null;
  }
  const named = (container.ports ?? []).find((p) => p.name === port);
  return named ? named.containerPort : null;
}

export function timeoutMsOf(probe: Probe): number {
  const s = probe.timeoutSeconds ?? 1;
  return Math.max(1, s) * 1000;
}

/** Runs the probe once against podIP. exec and grpc probes pass: loopkube cannot run commands in its pods. */
export function runProbe(probe: Probe, kind: ProbeKind, podIP: string, container: Pick<Container, 'ports'>): Promise<ProbeResult> {
  if (probe.httpGet) {
    const port = resolveProbePort(probe.httpGet.port, container);
    if (port === null) return Promise.resolve({ ok: false, message: `unable to find port named ${JSON.stringify(String(probe.httpGet.port))}` });
    return httpProbe(probe.httpGet.host || podIP, port, probe.httpGet.path || '/', (probe.httpGet.scheme ?? 'HTTP').toUpperCase(), probe, kind);
  }
  if (probe.tcpSocket) {
    const port = resolveProbePort(probe.tcpSocket.port, container);
    if (port === null) return Promise.resolve({ ok: false, message: `unable to find port named ${JSON.stringify(String(probe.tcpSocket.port))}` });
    return tcpProbe(probe.tcpSocket.host || podIP, port, timeoutMsOf(probe));
  }
  return Promise.resolve({ ok: true, message: '' });
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Go's net error text for a failed dial: `dial tcp 127.244.1.5:8080: connect: connection refused`. */
function dialError(host: string, port: number, err: NodeJS.ErrnoException): string {
  const target = `dial tcp ${hostPort(host, port)}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return `${target}: connect: connection refused`;
    case 'ECONNRESET':
      return `read tcp ${hostPort(host, port)}: read: connection reset by peer`;
    case 'EHOSTUNREACH':
      return `${target}: connect: no route to host`;
    case 'ENETUNREACH':
      return `${target}: connect: network is unreachable`;
    case 'EADDRNOTAVAIL':
      return `${target}: connect: cannot assign requested address`;
    default:
      return `${target}: ${err.message}`;
  }
}

function httpProbe(host: string, port: number, path: string, scheme: string, probe: Probe, kind: ProbeKind): Promise<ProbeResult> {
  const url = `${scheme.toLowerCase()}://${hostPort(host, port)}${path.startsWith('/') ? path : `/${path}`}`;
  if (scheme !== 'HTTP') {
    return Promise.resolve({ ok: false, message: `Get "${url}": loopkube pods serve plain HTTP only (scheme ${scheme} is not supported)` });
  }
  const timeoutMs = timeoutMsOf(probe);
  const headers: Record<string, string> = { 'User-Agent': PROBE_USER_AGENT, Accept: '*/*', [PROBE_HEADER]: kind, Connection: 'close' };
  for (const h of (probe.httpGet as { httpHeaders?: Array<{ name: string; value: string }> }).httpHeaders ?? []) {
    if (h.name) headers[h.name] = h.value ?? '';
  }
  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    const settle = (r: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = http.request({ host, port, path: path.startsWith('/') ? path : `/${path}`, method: 'GET', headers, agent: false }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      res.on('end', () => {
        if (code >= 200 && code < 400) settle({ ok: true, message: '' });
        else settle({ ok: false, message: `HTTP probe failed with statuscode: ${code}` });
      });
      res.on('error', () => settle({ ok: false, message: `Get "${url}": read: connection reset by peer` }));
    });
    const timer = setTimeout(() => {
      settle({ ok: false, message: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => settle({ ok: false, message: `Get "${url}": ${dialError(host, port, err)}` }));
    req.end();
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    const socket = net.connect({ host, port });
    const settle = (r: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => settle({ ok: false, message: `dial tcp ${hostPort(host, port)}: i/o timeout` }), timeoutMs);
    socket.once('connect', () => settle({ ok: true, message: '' }));
    socket.once('error', (err: NodeJS.ErrnoException) => settle({ ok: false, message: dialError(host, port, err) }));
  });
}

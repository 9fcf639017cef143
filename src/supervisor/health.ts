// Is a process healthy? One GET (or TCP connect) per probe: 200 is healthy, anything else, an
// error or no answer within the timeout is not. Used by the supervisor and by `loopkube status`.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { HealthCheck } from '../cluster/processes.js';
import { queryDns } from '../dns/client.js';
import { RCODE, TYPE } from '../dns/wire.js';

export interface ProbeOptions {
  /** The cluster CA (PEM), to verify an https endpoint. */
  caPem?: string;
  /** The cluster's bearer token, sent to https endpoints. */
  token?: string;
  timeoutMs?: number;
}

export function probeHealth(check: HealthCheck, options: ProbeOptions = {}): Promise<boolean> {
  const timeoutMs = options.timeoutMs ?? 1000;
  if (check.kind === 'tcp') return probeTcp(check.host, check.port, timeoutMs);
  if (check.kind === 'dns') return probeDns(check.host, check.port, check.name, timeoutMs);
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    if (check.kind === 'https' && options.token) headers.Authorization = `Bearer ${options.token}`;
    const onResponse = (res: http.IncomingMessage): void => {
      res.resume();
      resolve(res.statusCode === 200);
    };
    const req =
      check.kind === 'https'
        ? https.get(check.url, { ca: options.caPem, headers, agent: false }, onResponse)
        : http.get(check.url, { headers, agent: false }, onResponse);
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
  });
}

function probeTcp(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Answered, and not SERVFAIL (what the cluster DNS says until it has synced with the API). */
async function probeDns(host: string, port: number, name: string, timeoutMs: number): Promise<boolean> {
  try {
    const reply = await queryDns(name, TYPE.A, { server: host, port, timeoutMs, attempts: 1 });
    return reply.flags.rcode === RCODE.NOERROR || reply.flags.rcode === RCODE.NXDOMAIN;
  } catch {
    return false;
  }
}

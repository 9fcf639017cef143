// Requests per second at each pod port (an endpoint's ip:port) and each pod, from the pods' own
// counters: every node agent serves them on http://<node ip>:10248/metrics
// (loopkube_pod_requests_total by port and status code, with the cluster's token); this reads every node once a round and
// turns two readings into a rate. Only the pods count requests: the proxy is L4 and sees bytes.
import http from 'node:http';
import { NODE_HEALTH_PORT } from '../cluster/processes.js';
import { parseExposition, samplesNamed } from './exposition.js';
import { POD_REQUESTS_METRIC } from './node-metrics.js';
import type { PodRequestRate } from './protocol.js';

export interface NodeAddress {
  name: string;
  ip: string;
}

/** What one pod port answered since the pod started. */
export interface PortAnswers {
  /** `namespace/name` */
  pod: string;
  ip: string;
  port: number;
  requests: number;
  /** Answers with a 5xx status. */
  errors: number;
}

/** Requests/s answered at one endpoint address (a pod's ip:port). */
export interface EndpointRequestRate {
  /** `namespace/name` of the pod. */
  pod: string;
  requestsPerSec: number;
  errorsPerSec: number;
}

export interface PodRequestRates {
  /** Pods that answered requests in the last round. */
  busy: PodRequestRate[];
  /** Every pod port seen, by `ip:port`. */
  endpoints: Map<string, EndpointRequestRate>;
  requestsPerSec: number;
  errorsPerSec: number;
}

export interface PodRequestPoller {
  /** Reads every node once (concurrently, each bounded by the timeout); never rejects. */
  poll(nodes: NodeAddress[]): Promise<void>;
  /** Rates between each node's last two readings (nodes silent for a while count as idle). */
  rates(): PodRequestRates;
  close(): void;
}

interface NodeSample {
  at: number;
  counts: Map<string, PortAnswers>;
  rates: Map<string, EndpointRequestRate>;
}

/** One node's pod counters, by `ip:port`. */
export async function readPodRequests(
  ip: string,
  opts: { token: string; port?: number; timeoutMs?: number; agent?: http.Agent },
): Promise<Map<string, PortAnswers>> {
  const text = await new Promise<string>((resolve, reject) => {
    const req = http.get(
      {
        host: ip,
        port: opts.port ?? NODE_HEALTH_PORT,
        path: '/metrics',
        headers: { Authorization: `Bearer ${opts.token}` },
        timeout: opts.timeoutMs ?? 1000,
        ...(opts.agent ? { agent: opts.agent } : {}),
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`GET http://${ip}:${opts.port ?? NODE_HEALTH_PORT}/metrics: HTTP ${res.statusCode}`));
          return;
        }
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
          if (body.length > 8 * 1024 * 1024) req.destroy(new Error('metrics answer too large'));
        });
        res.on('end', () => resolve(body));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
  const out = new Map<string, PortAnswers>();
  for (const s of samplesNamed(parseExposition(text), POD_REQUESTS_METRIC)) {
    const podIP = s.labels.pod_ip ?? '';
    const port = Number(s.labels.port);
    if (!podIP || !Number.isInteger(port)) continue;
    const key = `${podIP}:${port}`;
    let a = out.get(key);
    if (!a) out.set(key, (a = { pod: `${s.labels.namespace ?? ''}/${s.labels.pod ?? ''}`, ip: podIP, port, requests: 0, errors: 0 }));
    a.requests += s.value;
    if (Number(s.labels.code) >= 500) a.errors += s.value;
  }
  return out;
}

const round2 = (v: number): number => Math.round(v * 100) / 100;

/** Per-second rate of a counter between two readings; a counter that went down restarted. */
function perSec(now: number, before: number | undefined, seconds: number): number {
  if (before === undefined || seconds <= 0) return 0;
  return round2((now >= before ? now - before : now) / seconds);
}

export function createPodRequestPoller(opts: { token: string; port?: number; timeoutMs?: number; staleMs?: number }): PodRequestPoller {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const nodes = new Map<string, NodeSample>();
  const staleMs = opts.staleMs ?? 2500;

  async function pollNode(node: NodeAddress): Promise<void> {
    let counts: Map<string, PortAnswers>;
    try {
      counts = await readPodRequests(node.ip, { token: opts.token, port: opts.port, timeoutMs: opts.timeoutMs ?? 900, agent });
    } catch {
      return; // a node that does not answer keeps its last rates until they go stale
    }
    const at = Date.now();
    const prev = nodes.get(node.name);
    const seconds = prev && at - prev.at < 10_000 ? (at - prev.at) / 1000 : 0;
    const rates = new Map<string, EndpointRequestRate>();
    for (const [key, c] of counts) {
      const before = prev?.counts.get(key);
      const samePod = before?.pod === c.pod;
      rates.set(key, {
        pod: c.pod,
        requestsPerSec: samePod ? perSec(c.requests, before.requests, seconds) : 0,
        errorsPerSec: samePod ? perSec(c.errors, before.errors, seconds) : 0,
      });
    }
    nodes.set(node.name, { at, counts, rates });
  }

  return {
    async poll(list) {
      const names = new Set(list.map((n) => n.name));
      for (const name of nodes.keys()) if (!names.has(name)) nodes.delete(name);
      await Promise.all(list.filter((n) => n.ip).map(pollNode));
    },
    rates() {
      const now = Date.now();
      const endpoints = new Map<string, EndpointRequestRate>();
      const pods = new Map<string, PodRequestRate>();
      let requestsPerSec = 0;
      let errorsPerSec = 0;
      for (const n of nodes.values()) {
        const fresh = now - n.at <= staleMs;
        for (const [key, r] of n.rates) {
          const c = n.counts.get(key)!;
          const rate = fresh ? r : { pod: r.pod, requestsPerSec: 0, errorsPerSec: 0 };
          endpoints.set(key, rate);
          let p = pods.get(c.pod);
          if (!p) pods.set(c.pod, (p = { pod: c.pod, ip: c.ip, requestsPerSec: 0, errorsPerSec: 0, requests: 0 }));
          p.requestsPerSec = round2(p.requestsPerSec + rate.requestsPerSec);
          p.errorsPerSec = round2(p.errorsPerSec + rate.errorsPerSec);
          p.requests += c.requests;
          requestsPerSec += rate.requestsPerSec;
          errorsPerSec += rate.errorsPerSec;
        }
      }
      return {
        busy: [...pods.values()].filter((p) => p.requestsPerSec > 0 || p.errorsPerSec > 0),
        endpoints,
        requestsPerSec: round2(requestsPerSec),
        errorsPerSec: round2(errorsPerSec),
      };
    },
    close() {
      agent.destroy();
    },
  };
}

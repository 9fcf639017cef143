// Requests per second of each pod, from the pods' own counters: every node agent serves them on
// http://<node ip>:10248/metrics (loopkube_pod_requests_total, with the cluster's token); this
// reads every node once a round and turns two readings into a rate.
import http from 'node:http';
import { NODE_HEALTH_PORT } from '../cluster/processes.js';
import { parseExposition, samplesNamed } from './exposition.js';
import { POD_REQUESTS_METRIC } from './node-metrics.js';
import type { PodRequestRate } from './protocol.js';

export interface NodeAddress {
  name: string;
  ip: string;
}

export interface PodRequestPoller {
  /** Reads every node once (concurrently, each bounded by the timeout); never rejects. */
  poll(nodes: NodeAddress[]): Promise<void>;
  /** The pods that answered requests in the last round, and every pod's count. */
  rates(): { busy: PodRequestRate[]; all: PodRequestRate[]; requestsPerSec: number };
  close(): void;
}

interface NodeSample {
  at: number;
  counts: Map<string, { ip: string; requests: number }>;
  rates: Map<string, PodRequestRate>;
}

/** One node's pod counters: `namespace/name` -> requests and IP. */
export async function readPodRequests(
  ip: string,
  opts: { token: string; port?: number; timeoutMs?: number; agent?: http.Agent },
): Promise<Map<string, { ip: string; requests: number }>> {
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
  const out = new Map<string, { ip: string; requests: number }>();
  for (const s of samplesNamed(parseExposition(text), POD_REQUESTS_METRIC)) {
    out.set(`${s.labels.namespace ?? ''}/${s.labels.pod ?? ''}`, { ip: s.labels.pod_ip ?? '', requests: s.value });
  }
  return out;
}

export function createPodRequestPoller(opts: { token: string; port?: number; timeoutMs?: number; staleMs?: number }): PodRequestPoller {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const nodes = new Map<string, NodeSample>();
  const staleMs = opts.staleMs ?? 3500;

  async function pollNode(node: NodeAddress): Promise<void> {
    let counts: Map<string, { ip: string; requests: number }>;
    try {
      counts = await readPodRequests(node.ip, { token: opts.token, port: opts.port, timeoutMs: opts.timeoutMs ?? 900, agent });
    } catch {
      return; // a node that does not answer keeps its last rates until they go stale
    }
    const at = Date.now();
    const prev = nodes.get(node.name);
    const seconds = prev ? (at - prev.at) / 1000 : 0;
    const rates = new Map<string, PodRequestRate>();
    for (const [pod, c] of counts) {
      const before = prev?.counts.get(pod);
      let perSec = 0;
      if (before && seconds > 0 && seconds < 10) {
        const delta = c.requests >= before.requests ? c.requests - before.requests : c.requests;
        perSec = Math.round((delta / seconds) * 100) / 100;
      }
      rates.set(pod, { pod, ip: c.ip, requestsPerSec: perSec, requests: c.requests });
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
      const all: PodRequestRate[] = [];
      let requestsPerSec = 0;
      for (const n of nodes.values()) {
        if (now - n.at > staleMs) continue;
        for (const r of n.rates.values()) {
          all.push(r);
          requestsPerSec += r.requestsPerSec;
        }
      }
      return { busy: all.filter((r) => r.requestsPerSec > 0), all, requestsPerSec: Math.round(requestsPerSec * 100) / 100 };
    },
    close() {
      agent.destroy();
    },
  };
}

// Turning the proxies' cumulative counters into rates: each push is compared with the one
// before it from the same proxy (a counter that went down means the proxy restarted: it counts
// from zero again). Several proxies are summed; one silent for a few seconds counts as gone.
import type { EndpointCountersWire, EndpointRate, FlowCountersWire, FrontendCountersWire, FrontendRate, ListenerFailureWire, ProxyStatsMessage } from './protocol.js';

/** A proxy that has not pushed for this long no longer counts. */
export const SOURCE_STALE_MS = 3500;

interface Previous {
  conn: number;
  bytes: number;
  failures: number;
  refused: number;
}

/** A flow's rates over the last interval (before the hub names its client and adds requests). */
export interface FlowSample {
  service: string;
  port: string;
  frontend: string;
  client: string;
  endpoint: string;
  connPerSec: number;
  active: number;
  bytesPerSec: number;
}

export interface TrafficSource {
  /** When the last push was received (hub clock), epoch ms. */
  receivedAt: number;
  /** `at` of the last push (proxy clock). */
  at: number;
  endpoints: Map<string, EndpointRate>;
  frontends: Map<string, FrontendRate>;
  flows: Map<string, FlowSample>;
  listenerFailures: ListenerFailureWire[];
  previous: Map<string, Previous>;
}

export function createTrafficSource(): TrafficSource {
  return { receivedAt: 0, at: 0, endpoints: new Map(), frontends: new Map(), flows: new Map(), listenerFailures: [], previous: new Map() };
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Per-second rate of a cumulative counter; a counter that went down restarted from 0. */
function rate(now: number, before: number | undefined, seconds: number): number {
  if (before === undefined || seconds <= 0) return 0;
  const delta = now >= before ? now - before : now;
  return delta / seconds;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

export function endpointKey(e: { service: string; port: string; endpoint: string }): string {
  return `${e.service}|${e.port}|${e.endpoint}`;
}

export function frontendKey(f: { service: string; port: string; kind: string; address: string }): string {
  return `${f.service}|${f.port}|${f.kind}|${f.address}`;
}

/**
 * Checks a message from a proxy; returns it typed, or a reason it is not one. Rows that are not
 * objects are dropped rather than failing the whole message.
 */
export function readProxyStats(raw: unknown): ProxyStatsMessage | string {
  if (typeof raw !== 'object' || raw === null) return 'not a JSON object';
  const m = raw as Record<string, unknown>;
  if (m.kind !== 'proxy-stats') return `unknown kind ${JSON.stringify(m.kind)}`;
  if (!Array.isArray(m.frontends) || !Array.isArray(m.endpoints)) return 'frontends and endpoints must be arrays';
  const isRow = (r: unknown): r is Record<string, unknown> => typeof r === 'object' && r !== null;
  const failures = Array.isArray(m.listenerFailures) ? (m.listenerFailures as unknown[]).filter(isRow) : [];
  return {
    kind: 'proxy-stats',
    at: num(m.at),
    frontends: (m.frontends as unknown[]).filter(isRow) as unknown as FrontendCountersWire[],
    endpoints: (m.endpoints as unknown[]).filter(isRow) as unknown as EndpointCountersWire[],
    listenerFailures: failures.map((f) => ({
      namespace: str(f.namespace),
      service: str(f.service),
      port: str(f.port),
      kind: str(f.kind),
      address: str(f.address),
      node: typeof f.node === 'string' ? f.node : null,
      code: str(f.code),
      syscall: str(f.syscall),
      message: str(f.message).slice(0, 2000),
    })),
  };
}

/** Folds one push into its source's rates. */
export function applyProxyStats(src: TrafficSource, msg: ProxyStatsMessage, receivedAt: number): void {
  const at = msg.at > 0 ? msg.at : receivedAt;
  // A gap of more than a few seconds (a reconnect) gives no meaningful rate: start over.
  const seconds = src.at > 0 && at > src.at && at - src.at < 10_000 ? (at - src.at) / 1000 : 0;
  const previous = new Map<string, Previous>();
  const endpoints = new Map<string, EndpointRate>();
  const frontends = new Map<string, FrontendRate>();
  const flows = new Map<string, FlowSample>();

  for (const e of msg.endpoints) {
    const service = `${str(e.namespace)}/${str(e.service)}`;
    const row = { service, port: str(e.port), endpoint: str(e.endpoint) };
    const key = endpointKey(row);
    const cur: Previous = { conn: num(e.connectionsTotal), bytes: num(e.bytesIn) + num(e.bytesOut), failures: num(e.connectFailures), refused: 0 };
    const before = src.previous.get(`e|${key}`);
    previous.set(`e|${key}`, cur);
    endpoints.set(key, {
      ...row,
      node: str(e.node),
      connPerSec: round(rate(cur.conn, before?.conn, seconds)),
      active: num(e.connectionsActive),
      bytesPerSec: Math.round(rate(cur.bytes, before?.bytes, seconds)),
      connections: cur.conn,
      failuresPerSec: round(rate(cur.failures, before?.failures, seconds)),
      requestsPerSec: 0,
      errorsPerSec: 0,
    });
  }
  for (const f of msg.frontends) {
    const service = `${str(f.namespace)}/${str(f.service)}`;
    const row = { service, port: str(f.port), kind: str(f.kind), address: str(f.address) };
    const key = frontendKey(row);
    const cur: Previous = { conn: num(f.connectionsTotal), bytes: num(f.bytesIn) + num(f.bytesOut), failures: 0, refused: num(f.refused) };
    const before = src.previous.get(`f|${key}`);
    previous.set(`f|${key}`, cur);
    frontends.set(key, {
      ...row,
      node: str(f.node),
      connPerSec: round(rate(cur.conn, before?.conn, seconds)),
      active: num(f.connectionsActive),
      bytesPerSec: Math.round(rate(cur.bytes, before?.bytes, seconds)),
      refusedPerSec: round(rate(cur.refused, before?.refused, seconds)),
      requestsPerSec: 0,
      errorsPerSec: 0,
    });
    if (!Array.isArray(f.flows)) continue;
    for (const raw of f.flows as unknown[]) {
      if (typeof raw !== 'object' || raw === null) continue;
      const fl = raw as Partial<FlowCountersWire>;
      const flow = { service, port: row.port, frontend: key, client: str(fl.client), endpoint: str(fl.endpoint) };
      const flowKey = `${key}|${flow.client}|${flow.endpoint}`;
      const now: Previous = { conn: num(fl.connectionsTotal), bytes: num(fl.bytes), failures: 0, refused: 0 };
      const was = src.previous.get(`l|${flowKey}`);
      previous.set(`l|${flowKey}`, now);
      flows.set(flowKey, {
        ...flow,
        connPerSec: round(rate(now.conn, was?.conn, seconds)),
        active: num(fl.connectionsActive),
        bytesPerSec: Math.round(rate(now.bytes, was?.bytes, seconds)),
      });
    }
  }
  src.previous = previous;
  src.endpoints = endpoints;
  src.frontends = frontends;
  src.flows = flows;
  src.listenerFailures = msg.listenerFailures ?? [];
  src.at = at;
  src.receivedAt = receivedAt;
}

function busy(r: { connPerSec: number; active: number; bytesPerSec: number }): boolean {
  return r.connPerSec > 0 || r.active > 0 || r.bytesPerSec > 0;
}

/**
 * Every live source's rates summed per endpoint and frontend. `all` keeps idle rows too (for
 * totals of connections); the views sent to viewers keep only busy ones.
 */
export interface MergedTraffic {
  endpoints: EndpointRate[];
  frontends: FrontendRate[];
  flows: FlowSample[];
  listenerFailures: ListenerFailureWire[];
  live: number;
  connPerSec: number;
  active: number;
  bytesPerSec: number;
}

export function mergeTraffic(sources: Iterable<TrafficSource>, now: number): MergedTraffic {
  const endpoints = new Map<string, EndpointRate>();
  const frontends = new Map<string, FrontendRate>();
  const flows = new Map<string, FlowSample>();
  const listenerFailures = new Map<string, ListenerFailureWire>();
  let live = 0;
  for (const src of sources) {
    if (now - src.receivedAt > SOURCE_STALE_MS) continue;
    live++;
    for (const f of src.listenerFailures) listenerFailures.set(`${f.address}|${f.namespace}/${f.service}`, f);
    for (const [k, r] of src.flows) {
      const m = flows.get(k);
      if (!m) flows.set(k, { ...r });
      else {
        m.connPerSec = round(m.connPerSec + r.connPerSec);
        m.active += r.active;
        m.bytesPerSec += r.bytesPerSec;
      }
    }
    for (const [k, r] of src.endpoints) {
      const m = endpoints.get(k);
      if (!m) endpoints.set(k, { ...r });
      else {
        m.connPerSec = round(m.connPerSec + r.connPerSec);
        m.active += r.active;
        m.bytesPerSec += r.bytesPerSec;
        m.connections += r.connections;
        m.failuresPerSec = round(m.failuresPerSec + r.failuresPerSec);
      }
    }
    for (const [k, r] of src.frontends) {
      const m = frontends.get(k);
      if (!m) frontends.set(k, { ...r });
      else {
        m.connPerSec = round(m.connPerSec + r.connPerSec);
        m.active += r.active;
        m.bytesPerSec += r.bytesPerSec;
        m.refusedPerSec = round(m.refusedPerSec + r.refusedPerSec);
      }
    }
  }
  // Totals over endpoints: each forwarded connection reached exactly one endpoint (a frontend
  // row may see the same connection twice: a load balancer hands it to a node's NodePort).
  let connPerSec = 0;
  let active = 0;
  let bytesPerSec = 0;
  for (const e of endpoints.values()) {
    connPerSec += e.connPerSec;
    active += e.active;
    bytesPerSec += e.bytesPerSec;
  }
  return {
    endpoints: [...endpoints.values()].filter(busy),
    frontends: [...frontends.values()].filter((f) => busy(f) || f.refusedPerSec > 0),
    flows: [...flows.values()].filter(busy),
    listenerFailures: [...listenerFailures.values()],
    live,
    connPerSec: round(connPerSec),
    active,
    bytesPerSec,
  };
}

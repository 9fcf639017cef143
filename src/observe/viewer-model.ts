// What a viewer of the traffic hub knows, kept up to date from its messages (the dashboard's
// page keeps the same model in its own script), and the client that connects a Node viewer.
import WebSocket from 'ws';
import type { AddressRequestRate, Delta, EndpointRate, EndpointsView, EventView, NodeView, PodRequestRate, PodView, RatePoint, ServiceView, TrafficView, ViewerMessage } from './protocol.js';
import { VIEWER_PATH } from './protocol.js';
import { endpointKey } from './traffic-rates.js';

export interface ViewerModel {
  cluster: string;
  /** epoch ms of the last message */
  at: number;
  nodes: Map<string, NodeView>;
  pods: Map<string, PodView>;
  services: Map<string, ServiceView>;
  endpoints: Map<string, EndpointsView>;
  traffic: TrafficView;
  /** Busy endpoints by endpointKey(). */
  endpointRates: Map<string, EndpointRate>;
  /** Busy pods by `namespace/name`. */
  podRates: Map<string, PodRequestRate>;
  /** Busy pod addresses by `ip:port`. */
  addressRates: Map<string, AddressRequestRate>;
  history: RatePoint[];
  events: EventView[];
}

export function emptyTrafficView(intervalMs = 500): TrafficView {
  return {
    proxies: 0,
    endpoints: [],
    frontends: [],
    flows: [],
    pods: [],
    addresses: [],
    listenerFailures: [],
    totals: { connPerSec: 0, active: 0, bytesPerSec: 0, requestsPerSec: 0, errorsPerSec: 0 },
    intervalMs,
  };
}

export function emptyViewerModel(): ViewerModel {
  return {
    cluster: '',
    at: 0,
    nodes: new Map(),
    pods: new Map(),
    services: new Map(),
    endpoints: new Map(),
    traffic: emptyTrafficView(),
    endpointRates: new Map(),
    podRates: new Map(),
    addressRates: new Map(),
    history: [],
    events: [],
  };
}

function applyDelta<T>(map: Map<string, T>, delta: Delta<T> | undefined, keyOf: (t: T) => string): void {
  if (!delta) return;
  for (const k of delta.del) map.delete(k);
  for (const v of delta.set) map.set(keyOf(v), v);
}

function setTraffic(m: ViewerModel, t: TrafficView): void {
  m.traffic = t;
  m.endpointRates = new Map(t.endpoints.map((e) => [endpointKey(e), e]));
  m.podRates = new Map(t.pods.map((p) => [p.pod, p]));
  m.addressRates = new Map(t.addresses.map((a) => [a.endpoint, a]));
}

/**
 * An endpoint's traffic as the views show it: the proxy's row for it, with requests/s from the
 * pod at that address when no proxy row carried any (traffic that reached the pod directly).
 */
export function endpointTraffic(m: ViewerModel, service: string, port: string, endpoint: string): EndpointTrafficView {
  const r = m.endpointRates.get(endpointKey({ service, port, endpoint }));
  const a = m.addressRates.get(endpoint);
  return {
    connPerSec: r?.connPerSec ?? 0,
    active: r?.active ?? 0,
    bytesPerSec: r?.bytesPerSec ?? 0,
    requestsPerSec: r && r.requestsPerSec > 0 ? r.requestsPerSec : (a?.requestsPerSec ?? 0),
    errorsPerSec: r && r.requestsPerSec > 0 ? r.errorsPerSec : (a?.errorsPerSec ?? 0),
  };
}

export interface EndpointTrafficView {
  connPerSec: number;
  active: number;
  bytesPerSec: number;
  requestsPerSec: number;
  errorsPerSec: number;
}

const MAX_HISTORY = 300;
const MAX_EVENTS = 200;

export function applyViewerMessage(m: ViewerModel, msg: ViewerMessage): void {
  m.at = msg.at;
  if (msg.kind === 'full') {
    m.cluster = msg.cluster;
    m.nodes = new Map(msg.state.nodes.map((n) => [n.name, n]));
    m.pods = new Map(msg.state.pods.map((p) => [p.key, p]));
    m.services = new Map(msg.state.services.map((s) => [s.key, s]));
    m.endpoints = new Map(msg.state.endpoints.map((e) => [e.key, e]));
    m.history = msg.history.slice(-MAX_HISTORY);
    m.events = msg.events.slice(-MAX_EVENTS);
    setTraffic(m, msg.traffic);
    return;
  }
  applyDelta(m.nodes, msg.changes.nodes, (n) => n.name);
  applyDelta(m.pods, msg.changes.pods, (p) => p.key);
  applyDelta(m.services, msg.changes.services, (s) => s.key);
  applyDelta(m.endpoints, msg.changes.endpoints, (e) => e.key);
  setTraffic(m, msg.traffic);
  m.history.push(msg.point);
  if (m.history.length > MAX_HISTORY) m.history.splice(0, m.history.length - MAX_HISTORY);
  if (msg.events.length) {
    const keys = new Set(msg.events.map((e) => e.key));
    m.events = [...m.events.filter((e) => !keys.has(e.key)), ...msg.events].slice(-MAX_EVENTS);
  }
}

export interface ViewerConnection {
  model: ViewerModel;
  close(): void;
}

export function viewerUrl(port: number, token: string, host = '127.0.0.1'): string {
  return `ws://${host}:${port}${VIEWER_PATH}?token=${encodeURIComponent(token)}`;
}

/**
 * Connects to the hub as a viewer; `onUpdate` runs after each message is applied. Resolves once
 * the first (full) message is in; rejects when the hub cannot be reached or refuses the token.
 */
export function connectViewer(url: string, onUpdate: (m: ViewerModel, msg: ViewerMessage) => void, onClose?: (reason: string) => void): Promise<ViewerConnection> {
  const model = emptyViewerModel();
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { handshakeTimeout: 5000, perMessageDeflate: false });
    let first = true;
    ws.on('unexpected-response', (_req, res) => {
      ws.terminate();
      reject(new Error(`the hub answered HTTP ${res.statusCode}${res.statusCode === 401 ? ' (wrong dashboard token)' : ''}`));
    });
    ws.on('error', (err) => {
      if (first) reject(err);
    });
    ws.on('close', (code) => {
      if (first) reject(new Error(`the hub closed the connection (${code})`));
      else onClose?.(`closed (${code})`);
    });
    ws.on('message', (data) => {
      let msg: ViewerMessage;
      try {
        msg = JSON.parse(data.toString()) as ViewerMessage;
      } catch {
        return;
      }
      applyViewerMessage(model, msg);
      onUpdate(model, msg);
      if (first) {
        first = false;
        resolve({
          model,
          close: () => {
            ws.removeAllListeners('close');
            ws.on('error', () => undefined);
            ws.close();
          },
        });
      }
    });
  });
}

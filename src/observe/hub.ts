// The traffic hub: the control plane's live view of the cluster, on http://127.0.0.1:<dashboard.port>.
//
//   GET  /?token=T           the dashboard (one static page)
//   GET  /api/state?token=T  one FullMessage as JSON (what a viewer gets first)
//   GET  /metrics            the control plane's Prometheus metrics (Bearer <cluster token>, as the API server's)
//   GET  /healthz            ok
//   GET  /map?token=T        the live service map (cytoscape.js, laid out by ELK)
//   GET  /vendor/NAME?token=T  the map's libraries, from node_modules
//   WS   /ws/proxy           proxies push ProxyStatsMessage every half second (Bearer <cluster token>)
//   WS   /ws/view?token=T    viewers (dashboard, map, `loopkube top`): a FullMessage, then a
//                            TickMessage every tick (half a second)
//
// T is the dashboard token (<home>/pki/dashboard-token). Cluster objects come from the control
// plane's shared informers; each tick sends only what changed, and the traffic rows that are busy.
// A viewer that cannot keep up (its socket buffer fills) is skipped and gets a full state again
// once it has drained, so a slow browser never holds the control plane's memory.
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { objectKey } from '../api/paths.js';
import type { EndpointSlice, Event, KubeObject, Node, Pod, Service } from '../api/types.js';
import type { ClusterConfig } from '../cluster/config.js';
import type { InformerFactory } from '../client/informer-factory.js';
import type { Informer } from '../client/informer.js';
import type { Logger } from '../log.js';
import { endpointsView, eventView, nodeView, podView, serviceView } from './cluster-view.js';
import { DASHBOARD_HTML } from './dashboard-page.js';
import { hasBearer, writeUnauthorized } from '../pki/bearer.js';
import { MAP_VENDOR_FILES, mapHtml } from './map-page.js';
import { ensureDashboardToken, tokenEquals } from './dashboard-token.js';
import { createMetricsRegistry, EXPOSITION_CONTENT_TYPE, type MetricsRegistry } from './metrics.js';
import { createPodRequestPoller, type PodRequestPoller } from './pod-requests.js';
import {
  PROXY_PATH,
  VIEWER_PATH,
  type ClusterState,
  type Delta,
  type EndpointsView,
  type EventView,
  type FullMessage,
  type RatePoint,
  type StateChanges,
  type TickMessage,
  type TrafficView,
} from './protocol.js';
import { joinTraffic } from './traffic-join.js';
import { emptyTrafficView } from './viewer-model.js';
import { applyProxyStats, createTrafficSource, mergeTraffic, readProxyStats, type TrafficSource } from './traffic-rates.js';
import { ENDPOINT_SLICES } from '../kinds/endpointslice/resource.js';
import { EVENTS } from '../kinds/event/resource.js';
import { NODES } from '../kinds/node/resource.js';
import { PODS } from '../kinds/pod/resource.js';
import { SERVICES } from '../kinds/service/resource.js';

export interface TrafficHubOptions {
  config: Pick<ClusterConfig, 'name' | 'home' | 'dashboard'>;
  /** The control plane's shared informers (nodes, pods, services, endpoints, events). */
  informers: InformerFactory;
  /** The cluster's API token: what proxies present. */
  clusterToken: string;
  /** Default: <home>/pki/dashboard-token, made if missing. */
  dashboardToken?: string;
  /** Where the hub's own series go and what /metrics serves (default: a registry of its own). */
  metrics?: { registry: MetricsRegistry; render(): string };
  logger: Logger;
  host?: string;
  /** Default config.dashboard.port, where 0 means: no hub. Given explicitly, 0 = any free port. */
  port?: number;
  tickMs?: number;
  /** Read pods' request counters from the nodes each tick (default true). */
  pollNodes?: boolean;
  /** Port of the nodes' health servers (default 10248). */
  nodeHealthPort?: number;
}

export interface TrafficHub {
  /** 0 when the hub is not running (no dashboard port, or it could not bind). */
  readonly port: number;
  close(): Promise<void>;
}

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** Ticks of totals kept for the rate chart (5 minutes at the default tick). */
const HISTORY_POINTS = 600;
/** How often viewers get a tick: a rate over this interval falls to 0 within a second. */
export const HUB_TICK_MS = 500;
/** How long a tick waits for the nodes' pod counters before it goes with what it has. */
const POLL_WAIT_MS = 300;
/** Events kept for a new viewer, and sent at most per tick. */
const EVENTS_KEPT = 200;
const EVENTS_PER_TICK = 100;
/** A viewer whose socket holds more than this is skipped until it drains. */
const VIEWER_BUFFER_LIMIT = 1 << 20;
const PROXY_MAX_PAYLOAD = 64 << 20;

interface Viewer {
  ws: WebSocket;
  needsFull: boolean;
  alive: boolean;
}

type Kind = 'nodes' | 'pods' | 'services' | 'endpoints';


function disabledHub(): TrafficHub {
  return { port: 0, close: async () => {} };
}

function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
}

const UNAUTHORIZED_PAGE = `<!doctype html><meta charset="utf-8"><title>loopkube dashboard</title>
<body style="font-family:system-ui,sans-serif;margin:3em;color:#333"><h1>401 Unauthorized</h1>
<p>This dashboard needs its token in the URL. Open the address that <code>loopkube dashboard</code> prints.</p></body>\n`;

const PAGE_CSP = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self' ws: ; img-src 'self' data: blob:";

/** The map's libraries, read from node_modules once, on first use. */
const vendorCache = new Map<string, Buffer>();
function vendorFile(name: string): Buffer | undefined {
  const rel = Object.hasOwn(MAP_VENDOR_FILES, name) ? MAP_VENDOR_FILES[name] : undefined;
  if (!rel) return undefined;
  let body = vendorCache.get(name);
  if (!body) {
    body = readFileSync(createRequire(import.meta.url).resolve(rel));
    vendorCache.set(name, body);
  }
  return body;
}

export async function startTrafficHub(opts: TrafficHubOptions): Promise<TrafficHub> {
  const { logger } = opts;
  const port = opts.port ?? opts.config.dashboard.port;
  if (opts.port === undefined && port === 0) {
    logger.info('no dashboard port in cluster.json: the dashboard and traffic hub are off');
    return disabledHub();
  }
  const host = opts.host ?? '127.0.0.1';
  const dashboardToken = opts.dashboardToken ?? ensureDashboardToken(opts.config.home);
  const tickMs = opts.tickMs ?? HUB_TICK_MS;

  // ---- cluster state from the shared informers -------------------------------------------
  const informers = {
    nodes: opts.informers.forResource<Node>(NODES),
    pods: opts.informers.forResource<Pod>(PODS),
    services: opts.informers.forResource<Service>(SERVICES),
  };
  const slices: Informer<EndpointSlice> = opts.informers.forResource<EndpointSlice>(ENDPOINT_SLICES);
  const events: Informer<Event> = opts.informers.forResource<Event>(EVENTS);
  const dirty: Record<Kind, Set<string>> = { nodes: new Set(), pods: new Set(), services: new Set(), endpoints: new Set() };
  for (const kind of Object.keys(informers) as Array<Exclude<Kind, 'endpoints'>>) {
    const mark = (o: KubeObject): void => void dirty[kind].add(objectKey(o.metadata));
    (informers[kind] as Informer<KubeObject>).addHandlers({ add: mark, update: (_o, n) => mark(n), delete: mark });
  }
  // A Service's endpoints are its slices together: any slice's change re-reads them all.
  const serviceOf = (s: EndpointSlice): string | undefined => {
    const name = s.metadata.labels?.[SERVICE_NAME_LABEL];
    return name ? `${s.metadata.namespace ?? ''}/${name}` : undefined;
  };
  const markSlice = (s: EndpointSlice): void => {
    const key = serviceOf(s);
    if (key) dirty.endpoints.add(key);
  };
  slices.addHandlers({ add: markSlice, update: (o, n) => (markSlice(o), markSlice(n)), delete: markSlice });
  function slicesByService(): Map<string, EndpointSlice[]> {
    const out = new Map<string, EndpointSlice[]>();
    for (const s of slices.list()) {
      const key = serviceOf(s);
      if (!key) continue;
      const list = out.get(key);
      if (list) list.push(s);
      else out.set(key, [s]);
    }
    return out;
  }
  const recentEvents = new Map<string, EventView>();
  let pendingEvents = new Map<string, EventView>();
  const onEvent = (e: Event): void => {
    const v = eventView(e);
    recentEvents.delete(v.key);
    recentEvents.set(v.key, v);
    if (recentEvents.size > EVENTS_KEPT) recentEvents.delete(recentEvents.keys().next().value!);
    pendingEvents.delete(v.key);
    pendingEvents.set(v.key, v);
    if (pendingEvents.size > EVENTS_PER_TICK) pendingEvents.delete(pendingEvents.keys().next().value!);
  };
  events.addHandlers({ add: onEvent, update: (_o, n) => onEvent(n) });

  const byTime = (a: EventView, b: EventView): number => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0);
  const sortedBy = <T>(items: T[], key: (t: T) => string): T[] => items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

  function clusterState(): ClusterState {
    return {
      nodes: sortedBy(informers.nodes.list().map(nodeView), (n) => n.name),
      pods: sortedBy(informers.pods.list().map(podView), (p) => p.key),
      services: sortedBy(informers.services.list().map(serviceView), (s) => s.key),
      endpoints: sortedBy(
        [...slicesByService()].map(([key, list]) => endpointsView(key, list)),
        (e) => e.key,
      ),
    };
  }

  function drainChanges(): StateChanges {
    const changes: StateChanges = {};
    const take = <T extends KubeObject, V>(kind: Kind, inf: Informer<T>, view: (o: T) => V): Delta<V> | undefined => {
      if (dirty[kind].size === 0) return undefined;
      const d: Delta<V> = { set: [], del: [] };
      for (const key of dirty[kind]) {
        const o = inf.get(key);
        if (o) d.set.push(view(o));
        else d.del.push(key);
      }
      dirty[kind].clear();
      return d;
    };
    const nodes = take('nodes', informers.nodes, nodeView);
    const pods = take('pods', informers.pods, podView);
    const services = take('services', informers.services, serviceView);
    let endpoints: Delta<EndpointsView> | undefined;
    if (dirty.endpoints.size > 0) {
      const byService = slicesByService();
      endpoints = { set: [], del: [] };
      for (const key of dirty.endpoints) {
        const list = byService.get(key);
        if (list) endpoints.set.push(endpointsView(key, list));
        else endpoints.del.push(key);
      }
      dirty.endpoints.clear();
    }
    if (nodes) changes.nodes = nodes;
    if (pods) changes.pods = pods;
    if (services) changes.services = services;
    if (endpoints) changes.endpoints = endpoints;
    return changes;
  }

  // ---- traffic ----------------------------------------------------------------------------
  const sources = new Map<WebSocket, TrafficSource>();
  const poller: PodRequestPoller | undefined = opts.pollNodes === false ? undefined : createPodRequestPoller({ token: opts.clusterToken, port: opts.nodeHealthPort });
  let polling = false;
  let traffic: TrafficView = emptyTrafficView(tickMs);
  const history: RatePoint[] = [];
  let pushes = 0;
  let badPushes = 0;

  function computeTraffic(now: number): TrafficView {
    const merged = mergeTraffic(sources.values(), now);
    const pods = poller?.rates() ?? { busy: [], endpoints: new Map(), requestsPerSec: 0, errorsPerSec: 0 };
    const nodeIPs = new Map<string, string>();
    for (const n of informers.nodes.list()) {
      const v = nodeView(n);
      if (v.ip) nodeIPs.set(v.ip, v.name);
    }
    const podIPs = new Map<string, string>();
    for (const p of informers.pods.list()) if (p.status?.podIP) podIPs.set(p.status.podIP, objectKey(p.metadata));
    const joined = joinTraffic(merged, pods, { nodes: nodeIPs, pods: podIPs });
    return { proxies: merged.live, ...joined, pods: pods.busy, intervalMs: tickMs };
  }

  /** Reads the nodes' pod counters; resolves when done or after POLL_WAIT_MS, whichever is first. */
  function pollNodes(): Promise<void> {
    if (!poller || polling) return Promise.resolve();
    const nodes = informers.nodes
      .list()
      .map(nodeView)
      .filter((n) => n.ip && n.ready === 'True');
    if (nodes.length === 0) return Promise.resolve();
    polling = true;
    const done = poller.poll(nodes).finally(() => (polling = false));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, POLL_WAIT_MS)));
    return Promise.race([done, late]).finally(() => clearTimeout(timer));
  }

  // ---- viewers ----------------------------------------------------------------------------
  const viewers = new Set<Viewer>();

  function fullMessage(now: number): FullMessage {
    return {
      kind: 'full',
      at: now,
      cluster: opts.config.name,
      state: clusterState(),
      traffic,
      history,
      events: [...recentEvents.values()].sort(byTime),
    };
  }

  function send(v: Viewer, text: string): void {
    v.ws.send(text, (err) => {
      if (err) v.ws.terminate();
    });
  }

  let ticking = false;
  let closed = false;
  /** The pods' counters are read first, so the rates of this tick cover the interval just ended. */
  async function tick(): Promise<void> {
    if (ticking) return;
    ticking = true;
    try {
      await pollNodes();
      if (!closed) sendTick();
    } finally {
      ticking = false;
    }
  }

  function sendTick(): void {
    const now = Date.now();
    traffic = computeTraffic(now);
    const point: RatePoint = { at: now, ...traffic.totals };
    history.push(point);
    if (history.length > HISTORY_POINTS) history.splice(0, history.length - HISTORY_POINTS);
    const changes = drainChanges();
    const newEvents = [...pendingEvents.values()].sort(byTime);
    pendingEvents = new Map();
    if (viewers.size === 0) return;
    let tickText: string | undefined;
    let fullText: string | undefined;
    for (const v of viewers) {
      if (v.ws.readyState !== v.ws.OPEN) continue;
      if (v.ws.bufferedAmount > VIEWER_BUFFER_LIMIT) {
        v.needsFull = true; // it misses this tick's changes: it gets everything once drained
        continue;
      }
      if (v.needsFull) {
        fullText ??= JSON.stringify(fullMessage(now));
        v.needsFull = false;
        send(v, fullText);
      } else {
        tickText ??= JSON.stringify({ kind: 'tick', at: now, changes, traffic, point, events: newEvents } satisfies TickMessage);
        send(v, tickText);
      }
    }
  }

  // ---- HTTP and websockets ----------------------------------------------------------------
  const ownRegistry = opts.metrics ? undefined : createMetricsRegistry();
  const registry = opts.metrics?.registry ?? ownRegistry!;
  registry.collector({ name: 'loopkube_dashboard_viewers', help: 'Viewers (dashboards, loopkube top) connected to the traffic hub.', type: 'gauge', collect: () => [{ labels: {}, value: viewers.size }] });
  registry.collector({ name: 'loopkube_traffic_hub_proxies', help: 'Proxies connected to the traffic hub.', type: 'gauge', collect: () => [{ labels: {}, value: sources.size }] });
  registry.collector({
    name: 'loopkube_traffic_hub_pushes_total',
    help: 'Stats messages received from proxies, by result (accepted, rejected).',
    type: 'counter',
    collect: () => [
      { labels: { result: 'accepted' }, value: pushes },
      { labels: { result: 'rejected' }, value: badPushes },
    ],
  });
  const renderMetrics = (): string => (opts.metrics ? opts.metrics.render() : ownRegistry!.render());

  const proxyWss = new WebSocketServer({ noServer: true, maxPayload: PROXY_MAX_PAYLOAD, perMessageDeflate: false });
  const viewerWss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });

  proxyWss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const src = createTrafficSource();
    sources.set(ws, src);
    logger.info({ from: req.socket.remoteAddress }, 'a proxy connected to the traffic hub');
    ws.on('message', (data, isBinary) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString());
      } catch {
        parsed = undefined;
      }
      const msg = readProxyStats(parsed);
      if (typeof msg === 'string') {
        if (badPushes++ % 100 === 0) logger.warn({ reason: msg }, 'ignoring a message from a proxy that is not proxy-stats');
        return;
      }
      pushes++;
      applyProxyStats(src, msg, Date.now());
    });
    ws.on('close', () => {
      sources.delete(ws);
      logger.info('a proxy left the traffic hub');
    });
    ws.on('error', () => ws.terminate());
  });

  viewerWss.on('connection', (ws: WebSocket) => {
    const v: Viewer = { ws, needsFull: false, alive: true };
    viewers.add(v);
    ws.on('pong', () => (v.alive = true));
    ws.on('message', () => undefined); // viewers only listen
    ws.on('close', () => viewers.delete(v));
    ws.on('error', () => ws.terminate());
    send(v, JSON.stringify(fullMessage(Date.now())));
  });

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://hub');
    req.resume();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    switch (url.pathname) {
      case '/healthz':
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
        return;
      case '/metrics':
        if (!hasBearer(req.headers, opts.clusterToken)) {
          writeUnauthorized(res);
          return;
        }
        res.writeHead(200, { 'Content-Type': EXPOSITION_CONTENT_TYPE }).end(renderMetrics());
        return;
      case '/':
      case '/index.html':
        if (!tokenEquals(url.searchParams.get('token'), dashboardToken)) {
          res.writeHead(401, { 'Content-Type': 'text/html; charset=utf-8' }).end(UNAUTHORIZED_PAGE);
          return;
        }
        res
          .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'Content-Security-Policy': PAGE_CSP })
          .end(DASHBOARD_HTML);
        return;
      case '/map':
        if (!tokenEquals(url.searchParams.get('token'), dashboardToken)) {
          res.writeHead(401, { 'Content-Type': 'text/html; charset=utf-8' }).end(UNAUTHORIZED_PAGE);
          return;
        }
        res
          .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'Content-Security-Policy': PAGE_CSP })
          .end(mapHtml(dashboardToken));
        return;
      case '/api/state':
        if (!tokenEquals(url.searchParams.get('token'), dashboardToken)) {
          res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"error":"a valid token= is needed"}\n');
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(fullMessage(Date.now())));
        return;
      default: {
        if (url.pathname.startsWith('/vendor/')) {
          if (!tokenEquals(url.searchParams.get('token'), dashboardToken)) {
            res.writeHead(401, { 'Content-Type': 'text/plain' }).end('a valid token= is needed\n');
            return;
          }
          let body: Buffer | undefined;
          try {
            body = vendorFile(url.pathname.slice('/vendor/'.length));
          } catch (err) {
            logger.error({ err: (err as Error).message }, 'cannot read a library of the service map from node_modules');
            res.writeHead(500, { 'Content-Type': 'text/plain' }).end('the service map library is missing from node_modules; run npm install\n');
            return;
          }
          if (body) {
            res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'private, max-age=3600', 'Referrer-Policy': 'no-referrer' }).end(body);
            return;
          }
        }
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: try /, /map, /metrics or /healthz\n');
      }
    }
  }

  const server = http.createServer(handle);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://hub');
    if (url.pathname === PROXY_PATH) {
      if (!tokenEquals(bearer(req), opts.clusterToken)) return refuseUpgrade(socket, 401, 'the cluster token is needed (Authorization: Bearer)\n');
      proxyWss.handleUpgrade(req, socket, head, (ws) => proxyWss.emit('connection', ws, req));
      return;
    }
    if (url.pathname === VIEWER_PATH) {
      if (!tokenEquals(url.searchParams.get('token'), dashboardToken)) return refuseUpgrade(socket, 401, 'the dashboard token is needed (?token=)\n');
      viewerWss.handleUpgrade(req, socket, head, (ws) => viewerWss.emit('connection', ws, req));
      return;
    }
    refuseUpgrade(socket, 404, 'not found\n');
  });
  server.keepAliveTimeout = 5000;

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    logger.error({ err: e.message, address: `${host}:${port}` }, 'cannot serve the dashboard and traffic hub; the control plane runs without them');
    poller?.close();
    return disabledHub();
  }
  server.on('error', (err) => logger.error({ err }, 'dashboard server error'));

  const ticker = setInterval(() => void tick(), tickMs);
  ticker.unref();
  // Viewers whose connection died without a close frame are dropped within a minute.
  const heartbeat = setInterval(() => {
    for (const v of viewers) {
      if (!v.alive) {
        v.ws.terminate();
        continue;
      }
      v.alive = false;
      v.ws.ping();
    }
  }, 30_000);
  heartbeat.unref();

  const bound = (server.address() as AddressInfo).port;
  logger.info({ address: `http://${host}:${bound}/` }, 'dashboard and traffic hub listening');

  let closing: Promise<void> | undefined;
  return {
    port: bound,
    close() {
      closing ??= new Promise<void>((resolve) => {
        closed = true;
        clearInterval(ticker);
        clearInterval(heartbeat);
        poller?.close();
        for (const ws of sources.keys()) ws.terminate();
        for (const v of viewers) v.ws.terminate();
        proxyWss.close();
        viewerWss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

// Pushes the proxy's traffic counters (and the listeners it cannot open) to the control plane's
// traffic hub every half second (what the views' rates are over), over a
// websocket (ws://127.0.0.1:<dashboard.port>/ws/proxy, the cluster token as a bearer token).
// It never holds up the data plane: while the hub is away the counters are simply not sent
// (they are cumulative, so nothing is lost but the rates of that moment), the connection is
// retried with back-off, and a send is skipped while the socket still holds the last ones.
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { clusterPaths, readClusterConfig } from '../src/cluster/config.js';
import type { Logger } from '../src/log.js';
import { PROXY_PATH, type ListenerFailureWire, type ProxyStatsMessage } from '../src/observe/protocol.js';
import type { TrafficSnapshot } from './stats.js';

export interface TrafficPushOptions {
  /** The cluster's home folder: cluster.json (dashboard.port) and pki/token are read from it. */
  home: string;
  intervalMs?: number;
  snapshot: () => TrafficSnapshot;
  /** Listeners that could not be opened, sent with every push (the views name them). */
  listenerFailures?: () => ListenerFailureWire[];
  logger: Logger;
  /** The hub's URL and token, instead of the ones in home (tests). */
  target?: { url: string; token: string };
}

export interface TrafficPush {
  /** True while connected to the hub. */
  connected(): boolean;
  stop(): void;
}

/** How often the counters are pushed: short enough that a rate falls to 0 within a second. */
export const PUSH_INTERVAL_MS = 500;
const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5000;
/** Bytes still queued on the socket above which a push is dropped. */
const MAX_BUFFERED = 1 << 20;

function hubTarget(home: string): { url: string; token: string } | string {
  const config = readClusterConfig(home);
  if (!config.dashboard?.port) return 'cluster.json has no dashboard port';
  const token = readFileSync(clusterPaths(home).token, 'utf8').trim();
  return { url: `ws://127.0.0.1:${config.dashboard.port}${PROXY_PATH}`, token };
}

export function startTrafficPush(opts: TrafficPushOptions): TrafficPush {
  const { logger } = opts;
  const intervalMs = opts.intervalMs ?? PUSH_INTERVAL_MS;
  let ws: WebSocket | undefined;
  let stopped = false;
  let backoffMs = MIN_BACKOFF_MS;
  let retryTimer: NodeJS.Timeout | undefined;
  let down = false;
  let everConnected = false;

  const reconnectLater = (reason: string): void => {
    ws = undefined;
    if (stopped) return;
    if (!down) {
      down = true;
      // before the first connection this is the start-up race with the control plane: info
      if (everConnected) logger.warn({ reason, retryInMs: backoffMs }, 'lost the traffic hub; retrying');
      else logger.info({ reason, retryInMs: backoffMs }, 'waiting for the traffic hub; retrying');
    }
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, backoffMs);
    retryTimer.unref();
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
  };

  function connect(): void {
    if (stopped) return;
    let target: { url: string; token: string } | string;
    try {
      target = opts.target ?? hubTarget(opts.home);
    } catch (err) {
      target = (err as Error).message;
    }
    if (typeof target === 'string') {
      reconnectLater(target);
      return;
    }
    const socket = new WebSocket(target.url, {
      headers: { Authorization: `Bearer ${target.token}` },
      handshakeTimeout: 3000,
      perMessageDeflate: false,
    });
    ws = socket;
    let failed = false;
    const fail = (reason: string): void => {
      if (failed) return;
      failed = true;
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
      if (ws === socket) reconnectLater(reason);
    };
    socket.on('open', () => {
      backoffMs = MIN_BACKOFF_MS;
      if (down && everConnected) logger.info({ url: target.url }, 'traffic hub reachable again');
      else logger.info({ url: target.url }, 'pushing traffic stats to the hub');
      down = false;
      everConnected = true;
      push(); // at once, so the hub has a first reading to rate the next one against
    });
    socket.on('unexpected-response', (_req, res) => fail(`the hub answered HTTP ${res.statusCode}`));
    socket.on('error', (err) => fail(err.message));
    socket.on('close', (code) => fail(`closed (${code})`));
    socket.on('message', () => undefined);
  }

  function push(): void {
    const socket = ws;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED) return; // the hub is slow: drop this one
    let msg: ProxyStatsMessage;
    try {
      const snap = opts.snapshot();
      msg = { kind: 'proxy-stats', at: Date.parse(snap.time) || Date.now(), frontends: snap.frontends, endpoints: snap.endpoints, listenerFailures: opts.listenerFailures?.() ?? [] };
    } catch (err) {
      logger.error({ err }, 'reading the traffic counters failed');
      return;
    }
    socket.send(JSON.stringify(msg), (err) => {
      if (err) logger.debug({ err: err.message }, 'a traffic push was not sent');
    });
  }

  const ticker = setInterval(push, intervalMs);
  ticker.unref();
  connect();

  return {
    connected: () => ws?.readyState === WebSocket.OPEN,
    stop() {
      stopped = true;
      clearInterval(ticker);
      clearTimeout(retryTimer);
      if (ws) {
        ws.removeAllListeners();
        ws.on('error', () => undefined);
        ws.terminate();
        ws = undefined;
      }
    },
  };
}

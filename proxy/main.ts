// Entry point of the service proxy process: `node dist/proxy/main.js --home DIR`.
// One process serves every node's share of kube-proxy: ClusterIPs, every node's NodePorts, and
// the load-balancer IPs. It keeps serving with what it last knew while the API server is away.
// Started by the supervisor, it gets back the listening sockets the previous proxy opened
// (held-listeners.ts), so connections that arrived while it was down are served, not refused.
import { parseArgs } from 'node:util';
import { clusterPaths, readClusterConfig } from '../src/cluster/config.js';
import { followSupervisor } from '../src/cluster/parent-watch.js';
import { createApiClient } from '../src/client/client.js';
import { clientConfigFromHome } from '../src/client/config.js';
import { createEventRecorder } from '../src/controllers/events.js';
import { createLogger } from '../src/log.js';
import { createProxyEvents, listenerFailures } from './events.js';
import { waitForActivation } from '../src/supervisor/standby.js';
import { dropUnclaimedListeners, receiveHeldListeners } from './held-listeners.js';
import { startMetricsServer, type MetricsServer } from './metrics.js';
import { installProfilerSignal } from './profiler.js';
import { startProxier } from './proxier.js';
import { startTrafficPush, type TrafficPush } from './traffic-push.js';
import { uvTcpAvailable } from './uv.js';

const { values } = parseArgs({ options: { home: { type: 'string' }, standby: { type: 'boolean' } } });
if (!values.home) {
  console.error('usage: proxy/main.js --home DIR [--standby]');
  process.exit(2);
}
const home = values.home;
const standby = values.standby === true;
const config = readClusterConfig(home);
const logger = createLogger('proxy', { cluster: config.name, ...(standby ? { startedAs: 'standby' } : {}) });
const follower = followSupervisor({ log: (msg, fields) => logger.info(fields ?? {}, msg) });

process.on('uncaughtException', (err) => {
  logger.fatal({ err }, 'uncaught exception');
  process.exit(1);
});

if (!uvTcpAvailable()) {
  logger.fatal(
    { node: process.version },
    "this Node does not expose libuv's TCP bindings (tcp_wrap/stream_wrap) the proxy's data plane uses; run loopkube with Node 20 or 22",
  );
  process.exit(1);
}

const client = createApiClient(clientConfigFromHome(home));
const events = createProxyEvents(createEventRecorder(client, 'kube-proxy', logger));
// A standby (--standby) boots, lists and watches like the proxy, and opens nothing until the
// supervisor promotes it, handing it the listening sockets the proxy that died held.
const activated = standby
  ? waitForActivation().then((promoted) => {
      if (promoted) return;
      logger.info('the supervisor went away before promoting this standby; exiting');
      process.exit(0);
    })
  : Promise.resolve();
// Listing from the API and taking back held sockets go together; the first sync needs both.
const held = receiveHeldListeners(standby ? 0 : 2000);
const proxier = startProxier({ client, config, logger, events, beforeFirstSync: Promise.all([held, activated]) });
if (standby) {
  void proxier.informersSynced().then(() => {
    logger.info({ sinceStartMs: Math.round(process.uptime() * 1000) }, 'standby ready');
  });
}
void activated.then(() => standby && logger.info('promoted: taking over'));
void proxier.synced().then(() => {
  const dropped = dropUnclaimedListeners();
  logger.info(
    { sinceStartMs: Math.round(process.uptime() * 1000), ...(dropped.length ? { droppedHeldListeners: dropped.length } : {}) },
    'serving',
  );
});
void held.then((n) => n > 0 && logger.info({ listeners: n }, 'took back the listening sockets the supervisor held'));

let stopping = false;
let metrics: MetricsServer | null = null;
let push: TrafficPush | null = null;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  follower.stop();
  logger.info({ signal }, 'stopping');
  const force = setTimeout(() => process.exit(0), 3000);
  force.unref();
  push?.stop();
  void Promise.all([proxier.stop(), metrics?.close()]).finally(() => {
    client.close();
    process.exit(0);
  });
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

await activated;
installProfilerSignal(clusterPaths(home).logsDir, logger);
// Stats to the control plane's traffic hub (dashboard, service map, `loopkube top`).
push = startTrafficPush({ home, snapshot: () => proxier.traffic(), listenerFailures: () => listenerFailures(proxier.listeners()), logger });
try {
  metrics = await startMetricsServer('127.0.0.1', config.proxy.metricsPort, proxier, client.config.token);
  logger.info({ metrics: `127.0.0.1:${metrics.port}`, mode: config.proxy.mode }, 'proxy started');
} catch (err) {
  logger.fatal({ err, port: config.proxy.metricsPort }, 'cannot serve metrics and health on 127.0.0.1; is another proxy running?');
  process.exit(1);
}

// Entry point of the service proxy process: `node dist/proxy/main.js --home DIR [--data-plane NAME] [--standby]`
// (--data-plane overrides the cluster's proxy.dataPlane: the benchmark runs each plane in turn).
// One process serves every node's share of kube-proxy: ClusterIPs, every node's NodePorts, and
// the load-balancer IPs. It keeps serving with what it last knew while the API server is away.
// Started by the supervisor, a userspace plane (splice, socket) gets back the listening sockets
// the previous proxy opened (data-plane/held-listeners.ts), so connections that arrived while it
// was down are served, not refused; the nftables plane listens on nothing and asks for nothing.
import { parseArgs } from 'node:util';
import { clusterPaths, readClusterConfig } from '../src/cluster/config.js';
import { propagationOf } from '../src/cluster/propagation.js';
import { followSupervisor } from '../src/cluster/parent-watch.js';
import { createApiClient } from '../src/client/client.js';
import { clientConfigFromHome } from '../src/client/config.js';
import { createEventRecorder } from '../src/controllers/events.js';
import { createLogger } from '../src/log.js';
import { waitForActivation } from '../src/supervisor/standby.js';
import { createProxyEvents, listenerFailures } from './events.js';
import { dropUnclaimedListeners, receiveHeldListeners } from './data-plane/held-listeners.js';
import { startMetricsServer, type MetricsServer } from './metrics.js';
import { installProfilerSignal } from './profiler.js';
import { startProxier } from './proxier.js';
import { startTrafficPush, type TrafficPush } from './traffic-push.js';
import { DATA_PLANES, DEFAULT_DATA_PLANE, listensOnSockets, type DataPlaneName } from './data-plane/index.js';

const { values } = parseArgs({ options: { home: { type: 'string' }, 'data-plane': { type: 'string' }, standby: { type: 'boolean' } } });
const dataPlane = values['data-plane'] as DataPlaneName | undefined;
if (!values.home || (dataPlane !== undefined && !DATA_PLANES.includes(dataPlane))) {
  console.error(`usage: proxy/main.js --home DIR [--data-plane ${DATA_PLANES.join('|')}] [--standby]`);
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
// (The splice plane falling back to the socket plane still listens on sockets.)
const held = listensOnSockets(dataPlane ?? config.proxy.dataPlane ?? DEFAULT_DATA_PLANE) ? receiveHeldListeners(standby ? 0 : 2000) : Promise.resolve(0);
const proxier = startProxier({ client, config, logger, events, beforeFirstSync: Promise.all([held, activated]), ...(dataPlane ? { dataPlane } : {}) });
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
push = startTrafficPush({ home, snapshot: () => proxier.traffic(), listenerFailures: () => listenerFailures(proxier.dataPlane()), logger });
try {
  metrics = await startMetricsServer('127.0.0.1', config.proxy.metricsPort, proxier, client.config.token);
  logger.info(
    { metrics: `127.0.0.1:${metrics.port}`, mode: config.proxy.mode, dataPlane: proxier.dataPlane().name, node: process.version, propagation: propagationOf(config) },
    'proxy started',
  );
} catch (err) {
  logger.fatal({ err, port: config.proxy.metricsPort }, 'cannot serve metrics and health on 127.0.0.1; is another proxy running?');
  process.exit(1);
}

// Entry point of the service proxy process: `node dist/proxy/main.js --home DIR`.
// One process serves every node's share of kube-proxy: ClusterIPs, every node's NodePorts, and
// the load-balancer IPs. It keeps serving with what it last knew while the API server is away.
import { parseArgs } from 'node:util';
import { clusterPaths, readClusterConfig } from '../src/cluster/config.js';
import { exitWhenParentDies } from '../src/cluster/parent-watch.js';
import { createApiClient } from '../src/client/client.js';
import { clientConfigFromHome } from '../src/client/config.js';
import { createEventRecorder } from '../src/controllers/events.js';
import { createLogger } from '../src/log.js';
import { createProxyEvents, listenerFailures } from './events.js';
import { startMetricsServer } from './metrics.js';
import { installProfilerSignal } from './profiler.js';
import { startProxier } from './proxier.js';
import { startTrafficPush } from './traffic-push.js';
import { uvTcpAvailable } from './uv.js';

const { values } = parseArgs({ options: { home: { type: 'string' } } });
if (!values.home) {
  console.error('usage: proxy/main.js --home DIR');
  process.exit(2);
}
exitWhenParentDies();
const config = readClusterConfig(values.home);
const logger = createLogger('proxy', { cluster: config.name });

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

const client = createApiClient(clientConfigFromHome(values.home));
const events = createProxyEvents(createEventRecorder(client, 'kube-proxy', logger));
const proxier = startProxier({ client, config, logger, events });
installProfilerSignal(clusterPaths(values.home).logsDir, logger);
// Stats to the control plane's traffic hub (dashboard, service map, `loopkube top`).
const push = startTrafficPush({ home: values.home, snapshot: () => proxier.traffic(), listenerFailures: () => listenerFailures(proxier.listeners()), logger });

try {
  const metrics = await startMetricsServer('127.0.0.1', config.proxy.metricsPort, proxier);
  logger.info({ metrics: `127.0.0.1:${metrics.port}`, mode: config.proxy.mode }, 'proxy started');
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const force = setTimeout(() => process.exit(0), 3000);
    force.unref();
    push.stop();
    void Promise.all([proxier.stop(), metrics.close()]).finally(() => {
      client.close();
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
} catch (err) {
  logger.fatal({ err, port: config.proxy.metricsPort }, 'cannot serve metrics and health on 127.0.0.1; is another proxy running?');
  process.exit(1);
}

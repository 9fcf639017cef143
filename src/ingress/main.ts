// Entry point of the ingress controller process: `node dist/src/ingress/main.js --home DIR`.
// A workload of its own, as ingress-nginx is: it talks to the API server only, and keeps routing
// with what it last knew while the control plane is away.
import http from 'node:http';
import { parseArgs } from 'node:util';
import { readClusterConfig } from '../cluster/config.js';
import { followSupervisor } from '../cluster/parent-watch.js';
import { createApiClient } from '../client/client.js';
import { clientConfigFromHome } from '../client/config.js';
import { createEventRecorder } from '../controllers/events.js';
import { createLogger } from '../log.js';
import { bearerMatches } from '../pki/kubelet-token.js';
import { INGRESS_METRICS_PORT, ingressAddress } from './address.js';
import { startIngressController } from './controller.js';

const { values } = parseArgs({ options: { home: { type: 'string' } } });
if (!values.home) {
  console.error('usage: dist/src/ingress/main.js --home DIR');
  process.exit(2);
}
const config = readClusterConfig(values.home);
const logger = createLogger('ingress', { cluster: config.name });
// outlives a SIGKILLed supervisor: the next one adopts it (src/supervisor/supervisor.ts)
const follower = followSupervisor({ log: (msg, fields) => logger.info(fields ?? {}, msg) });
process.on('uncaughtException', (err) => {
  logger.fatal({ err }, 'uncaught exception');
  process.exit(1);
});

const address = ingressAddress(config.loadBalancerPool);
if (!address) {
  logger.fatal({ pool: config.loadBalancerPool }, 'the LoadBalancer pool has no address to spare for the ingress controller');
  process.exit(1);
}
const clientConfig = clientConfigFromHome(values.home);
const client = createApiClient(clientConfig);
const events = createEventRecorder(client, 'loopkube-ingress-controller', logger);
let ready = false;
const health = http.createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' });
    res.end(ready ? 'ok\n' : 'starting\n');
  } else if (req.url === '/metrics' && !bearerMatches(req.headers.authorization, clientConfig.token)) {
    // the routes, Services and pod addresses it names reveal the cluster: the cluster's token only
    res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' });
    res.end('Unauthorized\n');
  } else if (req.url === '/metrics' && controller) {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(controller.metrics.prometheus());
  } else {
    res.writeHead(404);
    res.end();
  }
});
let controller: Awaited<ReturnType<typeof startIngressController>> | undefined;
health.listen(INGRESS_METRICS_PORT, address);
try {
  controller = await startIngressController({ client, address, logger, events });
  ready = true;
} catch (err) {
  logger.fatal({ err, address }, 'cannot start the ingress controller');
  process.exit(1);
}
let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  follower.stop();
  logger.info({ signal }, 'stopping');
  setTimeout(() => process.exit(0), 3000).unref();
  void Promise.all([controller?.stop(), new Promise<void>((r) => health.close(() => r()))]).finally(() => {
    client.close();
    process.exit(0);
  });
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

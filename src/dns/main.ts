// Entry point of the cluster DNS process: `node dist/src/dns/main.js --home DIR`. A workload of
// its own, as CoreDNS is: its own informers and cache, so it keeps answering while the control
// plane restarts, and a restart of its own costs the control plane nothing.
import { parseArgs } from 'node:util';
import { readClusterConfig } from '../cluster/config.js';
import { followSupervisor } from '../cluster/parent-watch.js';
import { createApiClient } from '../client/client.js';
import { clientConfigFromHome } from '../client/config.js';
import { createInformerFactory } from '../client/informer-factory.js';
import { createLogger } from '../log.js';
import { waitForActivation } from '../supervisor/standby.js';
import { startClusterDNS } from './cluster-dns.js';

const { values } = parseArgs({ options: { home: { type: 'string' }, standby: { type: 'boolean' } } });
if (!values.home) {
  console.error('usage: dns/main.js --home DIR [--standby]');
  process.exit(2);
}
const standby = values.standby === true;
const config = readClusterConfig(values.home);
const logger = createLogger('dns', { cluster: config.name, ...(standby ? { startedAs: 'standby' } : {}) });
const follower = followSupervisor({ log: (msg, fields) => logger.info(fields ?? {}, msg) });

process.on('uncaughtException', (err) => {
  logger.fatal({ err }, 'uncaught exception');
  process.exit(1);
});

const client = createApiClient(clientConfigFromHome(values.home));
const informers = createInformerFactory(client, logger);
// A standby (--standby) lists and watches like the DNS, and binds nothing until the supervisor
// promotes it (the DNS that died freed its address at once): a restart costs milliseconds.
const activated = standby
  ? waitForActivation().then((promoted) => {
      if (promoted) return logger.info('promoted: taking over');
      logger.info('the supervisor went away before promoting this standby; exiting');
      process.exit(0);
    })
  : Promise.resolve();
const dns = startClusterDNS({ client, config, informers, logger, serveAfter: activated });
if (standby) {
  void informers.synced().then(() => {
    logger.info({ sinceStartMs: Math.round(process.uptime() * 1000) }, 'standby ready');
  });
}
logger.info({ address: `${config.dns.ip}:${config.dns.port}` }, 'cluster DNS started');

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  follower.stop();
  logger.info({ signal }, 'stopping');
  const force = setTimeout(() => process.exit(0), 3000);
  force.unref();
  void dns.stop().finally(() => {
    informers.stop();
    client.close();
    process.exit(0);
  });
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));


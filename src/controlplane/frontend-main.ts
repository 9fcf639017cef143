// Entry point of the API front end of a cluster with several control planes:
// `node dist/src/controlplane/frontend-main.js --home DIR` (see api-frontend.ts).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { apiServerEndpoints, clusterPaths, readClusterConfig } from '../cluster/config.js';
import { followSupervisor } from '../cluster/parent-watch.js';
import { createLogger } from '../log.js';
import { startApiFrontend } from './api-frontend.js';

const { values } = parseArgs({ options: { home: { type: 'string' } } });
if (!values.home) {
  console.error('usage: controlplane/frontend-main.js --home DIR');
  process.exit(2);
}
const config = readClusterConfig(values.home);
const paths = clusterPaths(values.home);
const logger = createLogger('api-frontend', { cluster: config.name });

// it outlives the supervisor, as every process of the cluster does (a new one adopts it)
const follower = followSupervisor({ log: (msg, fields) => logger.info(fields ?? {}, msg) });
process.on('uncaughtException', (err) => {
  logger.fatal({ err }, 'uncaught exception');
  process.exit(1);
});

try {
  const frontend = await startApiFrontend({
    host: config.apiServer.host,
    port: config.apiServer.port,
    backends: apiServerEndpoints(config),
    probe: { caPem: readFileSync(paths.caCert, 'utf8'), token: readFileSync(paths.token, 'utf8').trim() },
    logger,
  });
  const stop = (signal: string): void => {
    follower.stop();
    logger.info({ signal }, 'stopping');
    void frontend.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
} catch (err) {
  logger.fatal({ err }, 'API front end failed to start');
  process.exit(1);
}

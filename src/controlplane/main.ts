// Entry point of the control-plane process: `node dist/src/controlplane/main.js --home DIR
// [--name control-plane-N]` (the name picks one of several control planes in cluster.json).
import { parseArgs } from 'node:util';
import { readClusterConfig } from '../cluster/config.js';
import { followSupervisor } from '../cluster/parent-watch.js';
import { createLogger } from '../log.js';
import { startControlPlane } from './control-plane.js';

const { values } = parseArgs({ options: { home: { type: 'string' }, name: { type: 'string' } } });
if (!values.home) {
  console.error('usage: controlplane/main.js --home DIR');
  process.exit(2);
}
const config = readClusterConfig(values.home);
const logger = createLogger('control-plane', { cluster: config.name, ...(values.name ? { controlPlane: values.name } : {}) });

const follower = followSupervisor({ log: (msg, fields) => logger.info(fields ?? {}, msg) });

process.on('uncaughtException', (err) => {
  logger.fatal({ err }, 'uncaught exception');
  process.exit(1);
});

try {
  const cp = await startControlPlane(config, logger, values.name ? { name: values.name } : {});
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    follower.stop();
    logger.info({ signal }, 'stopping');
    const force = setTimeout(() => process.exit(0), 5000);
    force.unref();
    void cp.stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
} catch (err) {
  logger.fatal({ err }, 'control plane failed to start');
  process.exit(1);
}

// The supervisor's process: `node dist/src/supervisor/main.js --home HOME [--specs FILE]`.
// Spawned detached by `loopkube up`, its stdout/stderr appended to `<home>/logs/supervisor.log`.
// It runs the processes of clusterProcesses(cluster.json), or those listed in a JSON file given
// with --specs (tests use it to supervise stand-in processes).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { clusterPaths, readClusterConfig } from '../cluster/config.js';
import { clusterProcesses, type ProcessSpec } from '../cluster/processes.js';
import { createLogger } from '../log.js';
import { startSupervisor } from './supervisor.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { home: { type: 'string' }, specs: { type: 'string' } },
    strict: true,
  });
  if (!values.home) {
    process.stderr.write('usage: supervisor --home HOME [--specs FILE]\n');
    process.exit(2);
  }
  const home = path.resolve(values.home);
  const paths = clusterPaths(home);
  const config = existsSync(paths.config) ? readClusterConfig(home) : null;
  const cluster = config?.name ?? path.basename(home);
  const logger = createLogger('supervisor', { cluster });

  let specs: ProcessSpec[];
  if (values.specs) specs = JSON.parse(readFileSync(values.specs, 'utf8')) as ProcessSpec[];
  else if (config) specs = clusterProcesses(config);
  else {
    logger.fatal({ file: paths.config }, 'no cluster.json and no --specs: nothing to supervise');
    process.exit(1);
  }

  const readIf = (file: string): string | undefined => (existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined);
  const caPem = readIf(paths.caCert);
  const token = readIf(paths.token);

  const supervisor = await startSupervisor({
    cluster,
    home,
    specs,
    logger,
    probe: { ...(caPem ? { caPem } : {}), ...(token ? { token } : {}) },
  });

  // Children never outlive the supervisor: on any exit path they are killed.
  process.on('exit', () => supervisor.killAllNow());
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => void supervisor.shutdown(sig));
  }
  process.on('SIGHUP', () => {});
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'supervisor crashed');
    void supervisor.shutdown('crash').finally(() => process.exit(1));
  });

  await supervisor.done;
  logger.flush?.();
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`supervisor: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});

// The supervisor's process: `node dist/src/supervisor/main.js --home HOME [--specs FILE] [--adopt]`.
// Spawned detached by `loopkube up` (or, --adopt, by one of the cluster's processes whose
// supervisor died), its stdout/stderr appended to `<home>/logs/supervisor.log`. It runs the
// processes of clusterProcesses(cluster.json), or those listed in a JSON file given with
// --specs (tests use it to supervise stand-in processes), adopting any that already run.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { clusterPaths, readClusterConfig } from '../cluster/config.js';
import { stoppingMarker } from '../cluster/parent-watch.js';
import { ownerOnlyUmask, tightenPermissions } from '../cluster/private-files.js';
import { clusterProcesses, type ProcessSpec } from '../cluster/processes.js';
import { createLogger } from '../log.js';
import { acquireSupervisorLock } from './lock.js';
import { writePidFile } from './pid-files.js';
import { startSupervisor } from './supervisor.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { home: { type: 'string' }, specs: { type: 'string' }, adopt: { type: 'boolean' } },
    strict: true,
  });
  if (!values.home) {
    process.stderr.write('usage: supervisor --home HOME [--specs FILE] [--adopt]\n');
    process.exit(2);
  }
  // Everything the cluster writes (store, logs, pid files, redis) is for its owner only.
  ownerOnlyUmask();
  const home = path.resolve(values.home);
  const paths = clusterPaths(home);
  const config = existsSync(paths.config) ? readClusterConfig(home) : null;
  const cluster = config?.name ?? path.basename(home);
  const logger = createLogger('supervisor', { cluster });

  if (values.adopt && existsSync(stoppingMarker(home))) {
    logger.info('the cluster is being stopped (loopkube down): not adopting it');
    return;
  }
  const lock = await acquireSupervisorLock(home);
  if (!lock) {
    logger.info('another supervisor runs this cluster; exiting');
    return;
  }
  mkdirSync(paths.pidsDir, { recursive: true, mode: 0o700 });
  writePidFile(paths.supervisorPid, process.pid);
  const loosened = tightenPermissions(home);
  if (loosened.length) logger.warn({ paths: loosened.slice(0, 20), count: loosened.length }, 'files of the cluster were readable by other users; made them the owner\'s only');

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
  // How a child starts this supervisor again should it die: the same command line.
  const argv = [process.execPath, fileURLToPath(import.meta.url), '--home', home, ...(values.specs ? ['--specs', path.resolve(values.specs)] : [])];

  const supervisor = await startSupervisor({
    cluster,
    home,
    specs,
    logger,
    argv,
    lock,
    probe: { ...(caPem ? { caPem } : {}), ...(token ? { token } : {}) },
  });

  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => void supervisor.shutdown(sig));
  }
  process.on('SIGHUP', () => {});
  // A crash of the supervisor leaves the cluster running: its processes start a new one,
  // which adopts them. Stopping them here would take the data plane down with it.
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'supervisor crashed; the cluster keeps running and its processes start a new supervisor');
    logger.flush?.();
    process.exit(1);
  });

  await supervisor.done;
  await lock.release();
  logger.flush?.();
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`supervisor: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});

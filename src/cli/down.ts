// `loopkube down`: stop every process of a cluster and wait until they are gone; `--purge`
// also forgets the cluster (its folder: store, credentials, logs).
import { existsSync, rmSync } from 'node:fs';
import { redactStoreUrl } from '../cluster/managed-redis.js';
import { parseFlags } from './args.js';
import { locateCluster, readExistingCluster, runningSupervisorPid } from './cluster-home.js';
import { stopCluster } from './stop-cluster.js';
import { formatTable } from './table.js';

export const DOWN_HELP = `Stop every process of a cluster and wait until they are gone.

Usage:
  loopkube down [--name NAME] [--purge]

Options:
  --name NAME   cluster name (default: default)
  --purge       also remove the cluster's folder: its objects, credentials, kubeconfig and logs
  -h, --help    show this help
`;

export async function down(argv: string[]): Promise<number> {
  const { values } = parseFlags('down', argv, { name: { type: 'string' }, purge: { type: 'boolean' } } as const);
  if (values.help) {
    process.stdout.write(DOWN_HELP);
    return 0;
  }
  const loc = locateCluster(values.name ?? 'default');
  if (!existsSync(loc.home)) {
    process.stdout.write(`cluster "${loc.name}" is not running (and has no folder at ${loc.home})\n`);
    return 0;
  }
  const external = readExistingCluster(loc)?.config;
  const supervisorPid = runningSupervisorPid(loc);
  const { stopped, killed } = await stopCluster(loc, supervisorPid);
  if (supervisorPid === null && !killed.length) {
    process.stdout.write(`cluster "${loc.name}" is not running\n`);
  } else {
    process.stdout.write(`Stopped cluster "${loc.name}".\n`);
    if (stopped.length) {
      process.stdout.write(`${formatTable(['NAME', 'COMPONENT', 'PID'], stopped.map((p) => [p.name, p.component, p.pid]))}\n`);
    }
    if (killed.length) process.stdout.write(`Killed processes that did not stop by themselves: ${killed.join(', ')}\n`);
  }
  if (values.purge) {
    rmSync(loc.home, { recursive: true, force: true });
    process.stdout.write(`Removed ${loc.home}\n`);
    if (external && !external.managedRedis && external.store !== 'embedded') {
      process.stdout.write(`Note: the cluster's objects in ${redactStoreUrl(external.store)} were left in place.\n`);
    }
  }
  return 0;
}

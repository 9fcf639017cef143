// `loopkube down`: stop every process of a cluster and wait until they are gone; `--purge`
// also forgets the cluster (its folder: store, credentials, logs).
import { existsSync, rmSync } from 'node:fs';
import { redactStoreUrl } from '../cluster/managed-redis.js';
import { parseFlags } from './args.js';
import { describeKnownClusters, forgetCluster, readExistingCluster, runningSupervisorPid, selectCluster } from './cluster-home.js';
import { stopCluster } from './stop-cluster.js';
import { formatTable } from './table.js';
import { unmergeUserKubeconfig } from './user-kubeconfig.js';

export const DOWN_HELP = `Stop every process of a cluster and wait until they are gone.

Usage:
  loopkube down [--name NAME] [--purge]

Options:
  --name NAME   cluster name (default: the only running cluster, else the one 'up' started last)
  --purge       also remove the cluster's folder (its objects, credentials and logs) and its
                context from your kubeconfig
  -h, --help    show this help
`;

export async function down(argv: string[]): Promise<number> {
  const { values } = parseFlags('down', argv, { name: { type: 'string' }, purge: { type: 'boolean' } } as const);
  if (values.help) {
    process.stdout.write(DOWN_HELP);
    return 0;
  }
  const loc = selectCluster(values.name);
  if (!existsSync(loc.home)) {
    const known = describeKnownClusters();
    process.stdout.write(`cluster "${loc.name}" is not running (and has no folder at ${loc.home})${known ? `; the clusters are: ${known}` : ''}\n`);
    if (values.purge) for (const r of await unmergeUserKubeconfig(loc)) process.stdout.write(`Removed context loopkube-${loc.name} from ${r.file}\n`);
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
    for (const r of await unmergeUserKubeconfig(loc)) {
      process.stdout.write(
        `Removed context loopkube-${loc.name} from ${r.file}` +
          (r.currentContext ? `; current-context is "${r.currentContext}" again` : r.currentContext === '' ? '; no context is current now' : '') +
          '\n',
      );
    }
    rmSync(loc.home, { recursive: true, force: true });
    forgetCluster(loc.name);
    process.stdout.write(`Removed ${loc.home}\n`);
    if (external && !external.managedRedis && !external.managedEtcd && external.store !== 'embedded') {
      process.stdout.write(`Note: the cluster's objects in ${redactStoreUrl(external.store)} were left in place.\n`);
    }
  }
  return 0;
}

// `loopkube dashboard`: the address of a running cluster's web dashboard (token included).
import { readClusterConfig } from '../cluster/config.js';
import { dashboardUrl, ensureDashboardToken } from '../observe/dashboard-token.js';
import { CliError, parseFlags } from './args.js';
import { notRunningMessage, readExistingCluster, selectCluster } from './cluster-home.js';
import { ensureSupervisor } from './supervisor-start.js';

export const DASHBOARD_HELP = `Print the address of a cluster's web dashboard: nodes, pods, services, live traffic per
endpoint, and events. The address carries the dashboard's token; keep it to yourself.

Usage:
  loopkube dashboard [--name NAME]

Options:
  --name NAME   cluster name (default: the only running cluster, else the one 'up' started last)
  -h, --help    show this help
`;

export async function dashboard(argv: string[]): Promise<number> {
  const { values } = parseFlags('dashboard', argv, { name: { type: 'string' } } as const);
  if (values.help) {
    process.stdout.write(DASHBOARD_HELP);
    return 0;
  }
  const loc = selectCluster(values.name);
  if (!readExistingCluster(loc) || (await ensureSupervisor(loc)) === null) throw new CliError(notRunningMessage(loc.name));
  const config = readClusterConfig(loc.home);
  if (!config.dashboard?.port) throw new CliError(`cluster "${loc.name}" has no dashboard port in ${loc.paths.config}: start it again with loopkube up`);
  process.stdout.write(`${dashboardUrl(config, ensureDashboardToken(loc.home))}\n`);
  return 0;
}

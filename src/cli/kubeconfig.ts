// `loopkube kubeconfig`: the path of a cluster's kubeconfig, for KUBECONFIG=$(loopkube kubeconfig).
import { existsSync } from 'node:fs';
import { CliError, parseFlags } from './args.js';
import { locateCluster, nameFlag } from './cluster-home.js';

export const KUBECONFIG_HELP = `Print the path of a cluster's kubeconfig.

Usage:
  loopkube kubeconfig [--name NAME]

Example:
  export KUBECONFIG=$(loopkube kubeconfig)

Options:
  --name NAME   cluster name (default: default)
  -h, --help    show this help
`;

export async function kubeconfig(argv: string[]): Promise<number> {
  const { values } = parseFlags('kubeconfig', argv, { name: { type: 'string' } } as const);
  if (values.help) {
    process.stdout.write(KUBECONFIG_HELP);
    return 0;
  }
  const loc = locateCluster(values.name ?? 'default');
  if (!existsSync(loc.paths.kubeconfig)) {
    throw new CliError(`cluster "${loc.name}" has no kubeconfig at ${loc.paths.kubeconfig}: create the cluster with loopkube up${nameFlag(loc.name)}`);
  }
  process.stdout.write(`${loc.paths.kubeconfig}\n`);
  return 0;
}

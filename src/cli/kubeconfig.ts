// `loopkube kubeconfig`: the path of a cluster's kubeconfig, for KUBECONFIG=$(loopkube kubeconfig).
import { existsSync } from 'node:fs';
import { CliError, parseFlags } from './args.js';
import { notRunningMessage, selectCluster } from './cluster-home.js';

export const KUBECONFIG_HELP = `Print the path of a cluster's own kubeconfig (its context alone, as 'up' merged it into yours).

Usage:
  loopkube kubeconfig [--name NAME]

Example:
  export KUBECONFIG=$(loopkube kubeconfig)

When the cluster does not exist this prints nothing, says why on stderr and exits 1.

Options:
  --name NAME   cluster name (default: the only running cluster, else the one 'up' started last)
  -h, --help    show this help
`;

export async function kubeconfig(argv: string[]): Promise<number> {
  const { values } = parseFlags('kubeconfig', argv, { name: { type: 'string' } } as const);
  if (values.help) {
    process.stdout.write(KUBECONFIG_HELP);
    return 0;
  }
  const loc = selectCluster(values.name);
  if (!existsSync(loc.paths.kubeconfig)) {
    // Printed into $(...) nothing would leave KUBECONFIG empty, and kubectl would silently use ~/.kube/config.
    const captured = process.stdout.isTTY ? '' : '\nNothing was printed: if this ran as export KUBECONFIG=$(loopkube kubeconfig), KUBECONFIG is now empty (unset KUBECONFIG).';
    throw new CliError(`${notRunningMessage(loc.name)}${captured}`);
  }
  process.stdout.write(`${loc.paths.kubeconfig}\n`);
  return 0;
}

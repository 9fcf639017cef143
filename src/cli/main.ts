#!/usr/bin/env node
// loopkube: a Kubernetes-style cluster on this machine's loopback.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ClusterConfigError } from '../cluster/cluster-file.js';
import { packageRoot } from '../cluster/processes.js';
import { CliError, UsageError } from './args.js';
import { guardOutputStreams } from './output.js';
import { didYouMean } from './suggest.js';

type Command = (argv: string[]) => Promise<number>;

/** Each command's module, loaded only when it runs: `loopkube status` does not pay for `load`'s. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  up: async () => (await import('./up.js')).up,
  down: async () => (await import('./down.js')).down,
  list: async () => (await import('./list.js')).list,
  status: async () => (await import('./status.js')).status,
  kubeconfig: async () => (await import('./kubeconfig.js')).kubeconfig,
  logs: async () => (await import('./logs.js')).logs,
  node: async () => (await import('./node.js')).node,
  pod: async () => (await import('./pod.js')).pod,
  dns: async () => (await import('./dns.js')).dns,
  dashboard: async () => (await import('./dashboard.js')).dashboard,
  top: async () => (await import('./top.js')).top,
  load: async () => (await import('./load.js')).load,
  run: async () => (await import('./run.js')).run,
  demo: async () => (await import('./demo.js')).demo,
  version: async () => async () => {
    process.stdout.write(`loopkube ${version()}\n`);
    return 0;
  },
};

const HELP = `loopkube runs a Kubernetes-style cluster on this machine's loopback: a control plane that
kubectl talks to, worker-node processes whose pods serve on real 127.x addresses, and a
kube-proxy-like service proxy.

Usage:
  loopkube COMMAND [options]

Commands:
  up           start a cluster, wait until it is ready, and point kubectl at it
  down         stop a cluster (--purge: and forget it)
  list         list the clusters: state, nodes, pods, API address, age
  status       show the processes of a cluster, their health, and addresses the proxy could not open
  kubeconfig   print the path of a cluster's own kubeconfig
  logs         print the cluster's logs (COMPONENT: control-plane, node-1, proxy...; -f to follow)
  node         stop or start a node's process (node stop NODE, node start NODE)
  pod          fail a pod's readiness or liveness, or crash it, through its node (pod crash POD)
  dns          where the cluster DNS answers, and the dig command to ask it
  dashboard    print the address of the cluster's web dashboard
  top          show the traffic per service and endpoint, refreshed each second
  load         send HTTP load to a Service (or URL) and show how it spread over pods and nodes
  run          one request from inside the cluster (from a node's address, cluster DNS names)
  demo         run one of the scenarios in examples/ end to end and show what happened (no NAME: list them)
  version      print loopkube's version

Without --name, a command means the only running cluster, else the one 'up' started last.
Run 'loopkube COMMAND --help' for a command's options.
State lives in $LOOPKUBE_HOME/NAME (default ~/.loopkube/NAME).
`;

function version(): string {
  try {
    return (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

async function main(argv: string[]): Promise<number> {
  guardOutputStreams();
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version') return (await COMMANDS.version!())([]);
  const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!load) {
    const hint = command.startsWith('-') ? didYouMean(command, ['--help', '--version']) : didYouMean(command, Object.keys(COMMANDS));
    process.stderr.write(`error: unknown ${command.startsWith('-') ? 'flag' : 'command'} "${command}" for "loopkube"\n${hint ? `${hint.slice(1)}\n` : ''}Run 'loopkube --help' for usage.\n`);
    return 2;
  }
  try {
    const run = await load();
    return await run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\nSee 'loopkube ${err.command} --help' for usage.\n`);
      return 2;
    }
    if (err instanceof CliError) {
      process.stderr.write(`error: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof ClusterConfigError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`error: ${process.env.LOOPKUBE_DEBUG ? ((err as Error)?.stack ?? String(err)) : String((err as Error)?.message ?? err)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`error: ${String(err)}\n`);
    process.exitCode = 1;
  },
);

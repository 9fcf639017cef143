#!/usr/bin/env node
// loopkube: a Kubernetes-style cluster on this machine's loopback.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ClusterConfigError } from '../cluster/cluster-file.js';
import { packageRoot } from '../cluster/processes.js';
import { CliError, UsageError } from './args.js';
import { dashboard } from './dashboard.js';
import { demo } from './demo.js';
import { down } from './down.js';
import { kubeconfig } from './kubeconfig.js';
import { load } from './load.js';
import { node } from './node.js';
import { pod } from './pod.js';
import { run } from './run.js';
import { status } from './status.js';
import { top } from './top.js';
import { up } from './up.js';

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = { up, down, status, kubeconfig, node, pod, dashboard, top, load, run, demo };

const HELP = `loopkube runs a Kubernetes-style cluster on this machine's loopback: a control plane that
kubectl talks to, worker-node processes whose pods serve on real 127.x addresses, and a
kube-proxy-like service proxy.

Usage:
  loopkube COMMAND [options]

Commands:
  up           start a cluster and wait until it is ready
  down         stop a cluster (--purge: and forget it)
  status       show the processes of a cluster and their health
  kubeconfig   print the path of a cluster's kubeconfig
  node         stop or start a node's process (node stop NODE, node start NODE)
  pod          fail a pod's readiness or liveness, or crash it, through its node (pod crash POD)
  dashboard    print the address of the cluster's web dashboard
  top          show the traffic per service and endpoint, refreshed each second
  load         send HTTP load to a Service (or URL) and show how it spread over pods and nodes
  run          one request from inside the cluster (from a node's address, cluster DNS names)
  demo         run a scenario of the source notes end to end and show what happened (no NAME: list them)

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
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === 'version') {
    process.stdout.write(`loopkube ${version()}\n`);
    return 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    process.stderr.write(`error: unknown command "${command}" for "loopkube"\nRun 'loopkube --help' for usage.\n`);
    return 2;
  }
  try {
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

// `loopkube demo [NAME]`: run one scenario of examples/ end to end on a real cluster and
// print what happened and what to look at. Reuses the named cluster when it is running and
// suits the scenario; otherwise starts one (with the scenario's cluster file when it needs
// special nodes) and stops it again at the end unless --keep.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readClusterConfig } from '../cluster/config.js';
import type { ClusterFile } from '../cluster/cluster-file.js';
import { packageRoot } from '../cluster/processes.js';
import { createApiClient } from '../client/client.js';
import { clientConfigFromHome } from '../client/config.js';
import { addressBlock, clusterMismatch, scenarioClusterFile } from '../demo/cluster.js';
import { SCENARIOS, findScenario } from '../demo/index.js';
import { createDemoOutput } from '../demo/output.js';
import { describeFailure, runScenario } from '../demo/run.js';
import { exampleFolder, type Scenario } from '../demo/types.js';
import { CliError, UsageError, parseFlags } from './args.js';
import { nameFlag, rememberCluster, rememberedCluster, runningSupervisorPid, selectCluster, type ClusterLocation } from './cluster-home.js';
import { canListenTcp, freeTcpPort } from './ports.js';
import { formatTable } from './table.js';

export const DEMO_HELP = `Run one of the scenarios in examples/ end to end on a real cluster, over real TCP, and
print what happened and what to look at. Each shows one behaviour of Pods and Services as
Kubernetes has it: containers of a pod sharing its IP, labels and selectors, a replication
controller replacing pods, scheduling, ClusterIP, NodePort, externalTrafficPolicy: Local,
LoadBalancer.

Usage:
  loopkube demo                 list the scenarios
  loopkube demo NAME [options]  run one (by name, number or examples/ folder)

Options:
  --name CLUSTER   the cluster to use (default: the only running cluster, else the one 'up'
                   started last, else default). A running cluster that suits the
                   scenario is reused; otherwise one is started for the demo (with the
                   scenario's cluster file when it needs special nodes) and stopped at the end
  --keep           leave the scenario's objects (and a cluster started for it) in place, to look
                   at them with kubectl
  -h, --help       show this help

Each scenario runs in a namespace of its own, named after it, and uses the manifests in
examples/<NN-name>/. Exits with 0 when the cluster behaved as Kubernetes does, 1 otherwise
(saying what differed).
`;

const FLAGS = { name: { type: 'string' }, keep: { type: 'boolean' } } as const;

function listScenarios(): string {
  return (
    `${formatTable(
      ['#', 'NAME', 'NODES', 'WHAT IT SHOWS'],
      SCENARIOS.map((s) => [s.number, s.name, s.cluster.clusterFile ? `${s.cluster.nodes} (cluster.yaml)` : s.cluster.nodes, s.title]),
    )}\n\n` + `Run one with: loopkube demo NAME   (e.g. loopkube demo ${SCENARIOS[5]?.name ?? 'nodeport-every-node'})\n`
  );
}

/** Runs the loopkube CLI itself (`up`, `down`) and collects what it prints. */
function runCli(args: string[]): Promise<{ code: number; output: string }> {
  const main = path.join(packageRoot(), 'dist/src/cli/main.js');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('error', (err) => resolve({ code: 127, output: `${output}${err.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** A free address block and API port for a new cluster when the default plan is taken by another cluster. */
async function networkingBesideOthers(): Promise<ClusterFile['networking'] | undefined> {
  const defaultTaken = !(await canListenTcp('127.10.0.1', 10248)).ok || !(await canListenTcp('127.0.0.1', 6443)).ok;
  if (!defaultTaken) return undefined;
  for (let k = 1; k <= 50; k++) {
    const block = addressBlock(k);
    if ((await canListenTcp(block.nodeSubnet!.replace(/0\/24$/, '1'), 10248)).ok) {
      return { ...block, apiServerPort: await freeTcpPort('127.0.0.1') };
    }
  }
  return undefined;
}

interface StartedCluster {
  /** The demo started it (and stops it unless --keep). */
  started: boolean;
  /** Its folder did not exist before (so stopping it also forgets it). */
  fresh: boolean;
}

async function startCluster(loc: ClusterLocation, scenario: Scenario<unknown>, keep: boolean): Promise<StartedCluster> {
  const fresh = !existsSync(loc.paths.config);
  // a cluster the demo starts and stops again stays out of the user's kubeconfig
  const args = ['up', '--name', loc.name, ...(keep ? [] : ['--no-kubeconfig'])];
  let describe: string;
  let tmp: string | undefined;
  if (fresh) {
    const file = { kind: 'Cluster', apiVersion: 'loopkube.dev/v1alpha1', ...(scenarioClusterFile(scenario) ?? {}) } as ClusterFile;
    delete file.name;
    const networking = await networkingBesideOthers();
    if (networking) file.networking = { ...file.networking, ...networking };
    tmp = mkdtempSync(path.join(os.tmpdir(), 'loopkube-demo-'));
    const configFile = path.join(tmp, 'cluster.json');
    writeFileSync(configFile, `${JSON.stringify(file, null, 2)}\n`);
    args.push('--config', configFile);
    if (!file.nodes) args.push('--nodes', String(Math.max(3, scenario.cluster.nodes)));
    describe = scenario.cluster.clusterFile && file.nodes ? `the nodes of examples/${scenario.cluster.clusterFile}` : `${Math.max(3, scenario.cluster.nodes)} nodes`;
  } else {
    // A cluster that exists but is stopped comes back as it was made, or not at all.
    const why = clusterMismatch(scenario, readClusterConfig(loc.home));
    if (why) {
      throw new CliError(
        `cluster "${loc.name}" exists (stopped) but does not suit scenario ${scenario.name}: ${why}.\n` +
          `Run it on a cluster of its own: loopkube demo ${scenario.name} --name ${scenario.name}`,
      );
    }
    describe = 'as it was made';
  }
  process.stdout.write(`Starting cluster "${loc.name}" for the demo (${describe})...\n`);
  const t0 = Date.now();
  try {
    const r = await runCli(args);
    if (r.code !== 0) {
      // a cluster made for the demo that did not come up is not left behind half-made
      if (fresh) await runCli(['down', '--name', loc.name, '--purge']);
      throw new CliError(`could not start cluster "${loc.name}":\n${r.output.trimEnd()}`);
    }
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
  process.stdout.write(`Cluster "${loc.name}" is up (${((Date.now() - t0) / 1000).toFixed(1)}s).\n`);
  return { started: true, fresh };
}

/** Stops a cluster the demo started; `before`: the cluster `up` had started last when the demo began. */
async function stopCluster(loc: ClusterLocation, fresh: boolean, before: string | undefined): Promise<void> {
  const remembered = rememberedCluster();
  const r = await runCli(['down', '--name', loc.name, ...(fresh ? ['--purge'] : [])]);
  // the cluster commands meant before the demo is the one they mean after it
  if (fresh && remembered === loc.name && before && before !== loc.name) rememberCluster(before);
  if (r.code !== 0) process.stderr.write(`could not stop cluster "${loc.name}": ${r.output}\n`);
  else process.stdout.write(`\nStopped cluster "${loc.name}" (started for this demo; --keep leaves it running).\n`);
}

export async function demo(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('demo', argv, FLAGS, true);
  if (values.help) {
    process.stdout.write(DEMO_HELP);
    return 0;
  }
  if (positionals.length === 0) {
    process.stdout.write(listScenarios());
    return 0;
  }
  if (positionals.length > 1) throw new UsageError('demo', `unexpected argument "${positionals[1]}"`);
  const scenario = findScenario(positionals[0]!);
  if (!scenario) throw new UsageError('demo', `unknown scenario "${positionals[0]}"; the scenarios are: ${SCENARIOS.map((s) => s.name).join(', ')}`);

  const loc = selectCluster(values.name);
  const rememberedBefore = rememberedCluster();
  let owned: StartedCluster = { started: false, fresh: false };
  if (runningSupervisorPid(loc) !== null) {
    const why = clusterMismatch(scenario, readClusterConfig(loc.home));
    if (why) {
      throw new CliError(
        `cluster "${loc.name}" is running but does not suit scenario ${scenario.name}: ${why}.\n` +
          `Run it on a cluster of its own: loopkube demo ${scenario.name} --name ${scenario.name}`,
      );
    }
    process.stdout.write(`Using the running cluster "${loc.name}".\n`);
  } else {
    owned = await startCluster(loc, scenario, values.keep ?? false);
  }

  let interrupted = false;
  const onSignal = (): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stdout.write('\nInterrupted: cleaning up (Ctrl-C again to leave at once)...\n');
    void (async () => {
      if (owned.started && !values.keep) await stopCluster(loc, owned.fresh, rememberedBefore);
      process.exit(130);
    })();
  };
  process.on('SIGINT', onSignal);

  const client = createApiClient(clientConfigFromHome(loc.home));
  try {
    const config = readClusterConfig(loc.home);
    const why = clusterMismatch(scenario, config);
    if (why) throw new CliError(`cluster "${loc.name}" does not suit scenario ${scenario.name}: ${why}; stop it with loopkube down${nameFlag(loc.name)} --purge and try again`);
    const out = createDemoOutput((chunk) => process.stdout.write(chunk), {
      hintsHeader: values.keep ? 'Look yourself (the objects are still there):' : `Look yourself (run with --keep to leave the objects in place):`,
    });
    process.stdout.write(`\n`);
    const result = await runScenario(scenario, { client, config, kubeconfig: loc.paths.kubeconfig }, { out, keep: values.keep ?? false });
    const passed = result.checks.filter((c) => c.ok).length;
    if (result.ok) {
      process.stdout.write(`\n✓ ${scenario.number} ${scenario.name}: the cluster behaved as expected (${passed}/${result.checks.length} checks).\n`);
    } else {
      process.stdout.write(`\n✗ ${scenario.number} ${scenario.name}: what differed from what was expected (${passed}/${result.checks.length} checks passed):\n`);
      process.stdout.write(`${describeFailure(result).replace(/^/gm, '   ')}\n`);
      process.stdout.write(`   Manifests: examples/${exampleFolder(scenario)}/; logs: ${loc.paths.logsDir}\n`);
    }
    if (values.keep) {
      process.stdout.write(`\nThe namespace ${scenario.name} is still there (kubectl delete namespace ${scenario.name} removes it).\n`);
      if (owned.started) process.stdout.write(`Cluster "${loc.name}" is still running; stop it with: loopkube down${nameFlag(loc.name)}\n`);
    }
    return result.ok ? 0 : 1;
  } finally {
    client.close();
    if (!interrupted) {
      process.off('SIGINT', onSignal);
      if (owned.started && !values.keep) await stopCluster(loc, owned.fresh, rememberedBefore);
    }
  }
}

// A real loopkube cluster for a test, started the way a user starts one: the built CLI
// (`node dist/src/cli/main.js up --name N --nodes K --config FILE --api-port P`) with a
// LOOPKUBE_HOME of its own (a temp folder) and an address block of its own (node, pod and
// service subnets and a LoadBalancer pool picked at random), so test files running at once never
// collide. dist/ is built once per run by test/support/global-setup.ts.
//
//   let c: TestCluster;
//   beforeAll(async () => { c = await startTestCluster({ nodes: 0 }); });
//   afterAll(async () => { await c?.down(); });          // always, even when a test failed
//   it('...', async () => { const r = await c.kubectl(['get', 'ns']); expect(r.code).toBe(0); });
//
// down() is idempotent; it runs `loopkube down --purge`, kills whatever the cluster left
// behind, and removes the temp folder. A cluster still up when the test process exits is
// signalled to stop. Set LOOPKUBE_KEEP_TEST_HOME=1 to keep the folder (logs) for a look.
import { claimAddressBlock, type AddressBlock } from './address-block.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StatusJson } from '../../src/cli/status.js';
import type { ClusterFile } from '../../src/cluster/cluster-file.js';
import { clusterPaths, readClusterConfig, type ClusterConfig } from '../../src/cluster/config.js';
import { createApiClient, type ApiClient } from '../../src/client/client.js';
import { clientConfigFromHome } from '../../src/client/config.js';

export { REPO, freePort, waitFor } from './wait.js';
import { REPO, freePort, waitFor } from './wait.js';
export const CLI_MAIN = path.join(REPO, 'dist/src/cli/main.js');

export interface RunResult {
  /** Exit code (a process killed by a signal or the timeout counts as 1, with a note in stderr). */
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the process's stdin (e.g. a manifest for `-f -`). */
  input?: string;
  /** Default 60 s; the process is killed after it. */
  timeoutMs?: number;
  /** Extra environment for this run (e.g. KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false). */
  env?: Record<string, string>;
}

export interface TestClusterOptions {
  /** Worker nodes (default 0: control plane only). */
  nodes?: number;
  /** Cluster name (default `t<random>`). */
  name?: string;
  /** Merged into the cluster file; its `networking` is merged over the random address block. */
  clusterFile?: Partial<ClusterFile>;
  /** Extra environment for the CLI, hence for the supervisor and every process of the cluster. */
  env?: Record<string, string>;
  /** Extra flags for `loopkube up` (e.g. `--store redis://...`). */
  upArgs?: string[];
}

export interface TestCluster {
  name: string;
  /** The temp LOOPKUBE_HOME. */
  loopkubeHome: string;
  /** The cluster's folder, `<loopkubeHome>/<name>`. */
  home: string;
  kubeconfig: string;
  apiPort: number;
  /** cluster.json as `up` wrote it. */
  config: ClusterConfig;
  /** loopkube's own client, for the cluster (closed by down()). */
  client: ApiClient;
  /** The real kubectl with --kubeconfig of this cluster. */
  kubectl(args: string[], opts?: RunOptions): Promise<RunResult>;
  /** A long-running kubectl (e.g. `get -w`): the caller kills it; down() kills it too. */
  kubectlProcess(args: string[], extraEnv?: Record<string, string>): ChildProcess;
  /** The loopkube CLI with this cluster's LOOPKUBE_HOME (add `--name` yourself). */
  loopkube(args: string[], opts?: RunOptions): Promise<RunResult>;
  /** `loopkube status --name N --json`, parsed. */
  status(): Promise<StatusJson>;
  down(): Promise<void>;
}

const randomInt = (min: number, max: number): number => min + Math.floor(Math.random() * (max - min + 1));


type Networking = Required<Pick<NonNullable<ClusterFile['networking']>, 'nodeSubnet' | 'podSubnet' | 'serviceSubnet' | 'loadBalancerPool'>>;

/** The subnets of a claimed address block, as a cluster file's `networking`. */
function blockNetworkingOf(block: AddressBlock): Networking {
  return { nodeSubnet: block.nodeSubnet, podSubnet: block.podSubnet, serviceSubnet: block.serviceSubnet, loadBalancerPool: block.loadBalancerPool };
}

/** Runs a program to completion; never rejects. */
export function run(command: string, args: string[], env: NodeJS.ProcessEnv, opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n[test harness] ${command} ${args.join(' ')} killed after ${opts.timeoutMs ?? 60_000} ms`;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: `${stderr}${err.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}


function clusterFileYaml(name: string, apiPort: number, opts: TestClusterOptions, block: Networking): string {
  const { nodePortRange, ...networking } = opts.clusterFile?.networking ?? {};
  const file = {
    kind: 'Cluster',
    apiVersion: 'loopkube.dev/v1alpha1',
    ...opts.clusterFile,
    name,
    networking: {
      ...block,
      ...networking,
      // the file spells a range "MIN-MAX"
      ...(nodePortRange ? { nodePortRange: `${nodePortRange.min}-${nodePortRange.max}` } : {}),
      apiServerPort: apiPort,
    },
  };
  // JSON is YAML.
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** Pids in every pid file under `dir` that still belong to it. */
export function pidsUnder(dir: string): number[] {
  const out: number[] = [];
  const walk = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.pid')) {
        const pid = Number(readFileSync(p, 'utf8').trim());
        if (Number.isInteger(pid) && pid > 0 && belongsTo(pid, dir)) out.push(pid);
      }
    }
  };
  walk(dir);
  return out;
}

/** SIGKILLs those of `pids` that still run for `dir` (a last resort after `down`). */
export function killLeftovers(pids: number[], dir: string): void {
  for (const pid of pids) {
    if (!belongsTo(pid, dir)) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** True when the process's environment names `dir` or a folder under it (LOOPKUBE_HOME, LOOPKUBE_CLUSTER_HOME). */
function belongsTo(pid: number, dir: string): boolean {
  let environ: string;
  try {
    environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return false;
  }
  return environ.split('\0').some((entry) => {
    const value = entry.slice(entry.indexOf('=') + 1);
    return value === dir || value.startsWith(`${dir}/`);
  });
}

/** Supervisors of clusters still up, stopped if the test process exits without down(). */
const running = new Map<string, () => void>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const stop of running.values()) stop();
  });
}

export async function startTestCluster(opts: TestClusterOptions = {}): Promise<TestCluster> {
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: build first (npx tsc -p tsconfig.json); test/support/global-setup.ts does it`);
  installExitHook();
  const loopkubeHome = mkdtempSync(path.join(os.tmpdir(), 'loopkube-e2e-'));
  const name = opts.name ?? `t${randomInt(100000, 999999)}`;
  const home = path.join(loopkubeHome, name);
  // `up` merges its context into $KUBECONFIG: a file of the test's own, never the real ~/.kube
  const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: path.join(loopkubeHome, '.kube', 'config'), ...opts.env, LOOPKUBE_HOME: loopkubeHome };
  const children = new Set<ChildProcess>();
  const loopkube = (args: string[], o?: RunOptions): Promise<RunResult> => run(process.execPath, [CLI_MAIN, ...args], env, o);
  const removeHome = (): void => {
    if (!process.env.LOOPKUBE_KEEP_TEST_HOME) rmSync(loopkubeHome, { recursive: true, force: true });
  };
  const configFile = path.join(loopkubeHome, 'cluster.yaml');

  running.set(loopkubeHome, () => {
    for (const pid of pidsUnder(loopkubeHome)) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // gone
      }
    }
  });

  let up: RunResult | undefined;
  let apiPort = 0;
  let block: AddressBlock | undefined;
  for (let attempt = 1; attempt <= 3; attempt++) {
    apiPort = await freePort();
    block?.release();
    block = claimAddressBlock();
    writeFileSync(configFile, clusterFileYaml(name, apiPort, opts, blockNetworkingOf(block)));
    up = await loopkube(['up', '--name', name, '--nodes', String(opts.nodes ?? 0), '--config', configFile, '--api-port', String(apiPort), ...(opts.upArgs ?? [])], {
      timeoutMs: 90_000,
    });
    if (up.code === 0) break;
    // A port or address taken by someone else meanwhile: forget this attempt, try another block.
    await loopkube(['down', '--name', name, '--purge'], { timeoutMs: 60_000 });
    if (!/already in use|EADDRINUSE/i.test(up.stderr)) break;
  }
  if (!up || up.code !== 0) {
    block?.release();
    killLeftovers(pidsUnder(loopkubeHome), loopkubeHome);
    running.delete(loopkubeHome);
    removeHome();
    throw new Error(`loopkube up failed (exit ${up?.code}):\n${up?.stdout}\n${up?.stderr}`);
  }

  const paths = clusterPaths(home);
  const config = readClusterConfig(home);
  const client = createApiClient(clientConfigFromHome(home));
  const kubectlArgs = (args: string[]): string[] => ['--kubeconfig', paths.kubeconfig, ...args];

  let downing: Promise<void> | undefined;
  const cluster: TestCluster = {
    name,
    loopkubeHome,
    home,
    kubeconfig: paths.kubeconfig,
    apiPort,
    config,
    client,
    kubectl: (args, o) => run('kubectl', kubectlArgs(args), o?.env ? { ...env, ...o.env } : env, o),
    kubectlProcess(args, extraEnv) {
      const child = spawn('kubectl', kubectlArgs(args), { env: extraEnv ? { ...env, ...extraEnv } : env, stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      child.on('exit', () => children.delete(child));
      return child;
    },
    loopkube,
    async status() {
      const r = await loopkube(['status', '--name', name, '--json']);
      if (r.code !== 0) throw new Error(`loopkube status failed (exit ${r.code}): ${r.stderr}`);
      return JSON.parse(r.stdout) as StatusJson;
    },
    down() {
      downing ??= (async () => {
        for (const c of children) c.kill('SIGKILL');
        client.close();
        const pids = pidsUnder(loopkubeHome);
        const r = await loopkube(['down', '--name', name, '--purge'], { timeoutMs: 60_000 });
        if (r.code !== 0) process.stderr.write(`loopkube down --name ${name} failed: ${r.stderr}\n`);
        killLeftovers(pids, loopkubeHome);
        running.delete(loopkubeHome);
        removeHome();
        block?.release();
      })();
      return downing;
    },
  };
  return cluster;
}

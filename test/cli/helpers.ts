// Shared by the CLI and supervisor tests: a fresh build of what they spawn, temp homes, free
// ports, running the CLI, waiting for a condition, and cleaning up processes.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export { REPO, freePort, waitFor } from '../support/wait.js';
import { claimAddressBlock } from '../support/address-block.js';
import { REPO, freePort, requireBuilt } from '../support/wait.js';
export const CLI = path.join(REPO, 'dist/src/cli/main.js');
export const SUPERVISOR = path.join(REPO, 'dist/src/supervisor/main.js');
const STAND_IN = path.join(REPO, 'test/cli/fixtures/stand-in.mjs');

/** dist/ holds the CLI and the supervisor (test/support/global-setup.ts builds it once per run). */
export function ensureBuilt(): void {
  requireBuilt(CLI, SUPERVISOR);
}

export function tempDir(prefix = 'loopkube-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI with `env` over this process's. `up` merges its context into $KUBECONFIG,
 * so unless `env` names one, it is a file under the test's LOOPKUBE_HOME: never the real ~/.kube.
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 90_000): Promise<CliResult> {
  const kubeconfig = env.KUBECONFIG ?? (env.LOOPKUBE_HOME ? path.join(env.LOOPKUBE_HOME, '.kube', 'config') : undefined);
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env, ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}) }, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}


/** Alive and not a zombie. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = execFileSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' });
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

export function killQuietly(pid: number | null | undefined): void {
  if (!pid) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}

/** Kills every process whose pid file is under `home` (any depth). For afterEach. */
export function killPidFiles(home: string): void {
  if (!existsSync(home)) return;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.pid')) {
        try {
          killQuietly(Number(execFileSync('cat', [p], { encoding: 'utf8' }).trim()));
        } catch {
          // unreadable
        }
      }
    }
  };
  walk(home);
}

/**
 * A folder shaped like loopkube's package root whose control plane, node agent and proxy are
 * stand-ins (test/cli/fixtures/stand-in.mjs), for LOOPKUBE_PROCESS_ROOT.
 */
export function standInProcessRoot(): string {
  const root = tempDir('loopkube-standins-');
  writeFileSync(path.join(root, 'package.json'), '{"type":"module"}\n');
  const entries: Array<[string, string]> = [
    ['dist/src/controlplane/main.js', 'control-plane'],
    ['dist/nodes/main.js', 'node'],
    ['dist/proxy/main.js', 'proxy'],
  ];
  for (const [file, role] of entries) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(
      path.join(root, file),
      `process.argv.splice(2, 0, ${JSON.stringify(role)});\nawait import(${JSON.stringify(new URL(`file://${STAND_IN}`).href)});\n`,
    );
  }
  return root;
}

/** Random node, pod and service subnets (and LB pool) that no other test uses at the same time. */
/** A claimed address block of its own (test/support/address-block.ts), as cluster-file networking. */
/** An address block of its own for a cluster file; release() it once the cluster is down (else it is held until the process exits). */
export function isolatedNetworking(): { nodeSubnet: string; podSubnet: string; serviceSubnet: string; loadBalancerPool: string; release(): void } {
  const { nodeSubnet, podSubnet, serviceSubnet, loadBalancerPool, release } = claimAddressBlock();
  return { nodeSubnet, podSubnet, serviceSubnet, loadBalancerPool, release };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * `loopkube up --config FILE ...args` for a cluster file naming `name`, with an address block
 * and an API port of its own; a block or port someone else took meanwhile (a cluster another
 * test run left up) is given up for another, as startTestCluster does.
 */
export async function upInOwnBlock(name: string, env: NodeJS.ProcessEnv, args: string[] = []): Promise<CliResult> {
  const dir = env.LOOPKUBE_HOME ?? tempDir();
  let r: CliResult | undefined;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const n = isolatedNetworking();
    const file = path.join(dir, `${name}.cluster.yaml`);
    writeFileSync(
      file,
      `kind: Cluster\napiVersion: loopkube.dev/v1alpha1\nname: ${name}\nnetworking:\n  apiServerPort: ${await freePort()}\n` +
        `  nodeSubnet: ${n.nodeSubnet}\n  podSubnet: ${n.podSubnet}\n  serviceSubnet: ${n.serviceSubnet}\n  loadBalancerPool: ${n.loadBalancerPool}\n`,
    );
    r = await runCli(['up', '--config', file, ...args], env);
    if (r.code === 0 || !/already in use/.test(r.stderr)) return r;
    await runCli(['down', '--name', name, '--purge'], env, 30_000);
  }
  return r!;
}

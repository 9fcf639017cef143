// Shared by the CLI and supervisor tests: a fresh build of what they spawn, temp homes, free
// ports, running the CLI, waiting for a condition, and cleaning up processes.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(REPO, 'dist/src/cli/main.js');
export const SUPERVISOR = path.join(REPO, 'dist/src/supervisor/main.js');
const STAND_IN = path.join(REPO, 'test/cli/fixtures/stand-in.mjs');

/** Rebuilds dist/ when a source file of the CLI, supervisor, pki or cluster is newer than its output. */
export function ensureBuilt(): void {
  const dirs = ['src/cli', 'src/supervisor', 'src/pki', 'src/cluster'];
  const stale = dirs.some((dir) =>
    readdirSync(path.join(REPO, dir))
      .filter((f) => f.endsWith('.ts'))
      .some((f) => {
        const out = path.join(REPO, 'dist', dir, f.replace(/\.ts$/, '.js'));
        return !existsSync(out) || statSync(out).mtimeMs < statSync(path.join(REPO, dir, f)).mtimeMs;
      }),
  );
  if (stale) {
    try {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: REPO, stdio: 'pipe' });
    } catch {
      // other parts of the tree may not type-check yet; tsc still emits
    }
  }
  if (!existsSync(CLI) || !existsSync(SUPERVISOR)) throw new Error('dist/ is missing the CLI or supervisor: run npm run build');
}

export function tempDir(prefix = 'loopkube-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 90_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Polls `check` until it returns a value (not undefined/false) or the deadline passes. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(100);
  }
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
export function isolatedNetworking(): { nodeSubnet: string; podSubnet: string; serviceSubnet: string; loadBalancerPool: string } {
  let a = 0;
  while (a === 0 || a === 50) a = 20 + Math.floor(Math.random() * 70); // 20..89: clear of 10, 96, 200, 244
  const b = 1 + Math.floor(Math.random() * 250);
  return {
    nodeSubnet: `127.${a}.${b}.0/24`,
    podSubnet: `127.${a + 100}.${(b % 16) * 16}.0/20`,
    serviceSubnet: `127.${a + 150}.${b}.0/24`,
    loadBalancerPool: `127.${a}.${b + 1}.0/24`,
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

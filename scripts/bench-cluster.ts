// What the cluster benchmarks and checks share: a free port, the loopkube CLI run to completion, a
// bounded pool of concurrent tasks, a throwaway cluster, and the script entry point.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(REPO, 'dist/src/cli/main.js');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** `loopkube ARGS` to completion: its exit code and output (stdout then stderr as they came); `onLine` sees each stdout line. */
export function cli(args: string[], env: NodeJS.ProcessEnv, onLine?: (line: string) => void): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      output += d;
      partial += d;
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        onLine?.(partial.slice(0, nl));
        partial = partial.slice(nl + 1);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Runs `fn` over `items`, at most `limit` at a time. */
export async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Runs `fn` with the kubeconfig of the cluster `name` (of $LOOPKUBE_HOME), or, without a name, of
 * a throwaway cluster (`loopkube up --name NAME ...upArgs` in a LOOPKUBE_HOME of its own under the
 * temp folder, given to `upArgs` for files it needs) that is removed afterwards, failed or not.
 * Exit code 1, with `up`'s output on stderr, when the throwaway cluster does not come up.
 */
export async function withCluster(name: string | undefined, throwaway: { name: string; prefix: string; upArgs: (home: string) => string[] | Promise<string[]> }, fn: (kubeconfig: string, home: string | undefined) => Promise<number>): Promise<number> {
  let env = process.env;
  let home: string | undefined;
  if (!name) {
    home = mkdtempSync(path.join(os.tmpdir(), throwaway.prefix));
    name = throwaway.name;
    env = { ...process.env, LOOPKUBE_HOME: home };
    const up = await cli(['up', '--name', name, ...(await throwaway.upArgs(home))], env);
    if (up.code !== 0) {
      process.stderr.write(up.output);
      await cli(['down', '--name', name, '--purge'], env);
      rmSync(home, { recursive: true, force: true });
      return 1;
    }
  }
  try {
    return await fn((await cli(['kubeconfig', '--name', name], env)).output.trim(), home);
  } finally {
    if (home) {
      await cli(['down', '--name', name, '--purge'], env);
      rmSync(home, { recursive: true, force: true });
    }
  }
}

/** Runs `main` when `moduleUrl` is the script node was started with, exiting with its code. */
export function runAsScript(moduleUrl: string, label: string, main: () => Promise<number>): void {
  if (!process.argv[1] || path.resolve(process.argv[1]) !== path.resolve(fileURLToPath(moduleUrl))) return;
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${label}: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}

// vitest globalSetup: make sure dist/ (what the CLI and every process of a test cluster run)
// is built and current, once per test run. `npm test` builds first, so there this finds nothing
// to do; `npx vitest run test/...` during development gets a build when a source file is newer
// than its output. tsc emits even when some other part of the tree does not type-check yet.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SOURCE_DIRS = ['src', 'nodes', 'proxy', 'scripts'];
const MUST_EXIST = ['dist/src/cli/main.js', 'dist/src/supervisor/main.js', 'dist/src/controlplane/main.js'];

/** True when some .ts under `dir` has no output, or an output older than itself. */
function stale(dir: string): boolean {
  const abs = path.join(REPO, dir);
  if (!existsSync(abs)) return false;
  for (const e of readdirSync(abs, { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (stale(rel)) return true;
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
      const out = path.join(REPO, 'dist', rel.replace(/\.ts$/, '.js'));
      if (!existsSync(out) || statSync(out).mtimeMs < statSync(path.join(REPO, rel)).mtimeMs) return true;
    }
  }
  return false;
}

/** Removes the run's fallback kubeconfig (vitest.config.ts points $KUBECONFIG there). */
function teardown(): void {
  rmSync(path.join(os.tmpdir(), `loopkube-test-kubeconfig-${process.pid}`), { recursive: true, force: true });
}

export default function setup(): () => void {
  const missing = MUST_EXIST.some((f) => !existsSync(path.join(REPO, f)));
  if (!missing && !SOURCE_DIRS.some(stale)) return teardown;
  try {
    execFileSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: REPO, stdio: 'pipe' });
  } catch {
    // type errors elsewhere in the tree: tsc has still emitted JavaScript
  }
  const still = MUST_EXIST.filter((f) => !existsSync(path.join(REPO, f)));
  if (still.length) throw new Error(`build failed: ${still.join(', ')} missing; run npx tsc -p tsconfig.json to see why`);
  return teardown;
}

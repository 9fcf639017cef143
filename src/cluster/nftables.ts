// The kernel's share of a cluster whose proxy runs the nftables data plane: one nftables table per
// cluster (so clusters never touch each other's rules), named for the cluster and its folder. The
// proxy programs it; `loopkube up` checks the cluster may program nftables at all and removes
// what a crashed run left behind; `loopkube down` removes it, whatever state the proxy was in.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { ClusterConfig } from './config.js';

/** `loopkube-<name>-<8 hex of the home folder>`: unique per cluster folder, readable in `nft list tables`. */
export function nftablesTableName(config: Pick<ClusterConfig, 'name' | 'home'>): string {
  const h = createHash('sha256').update(config.home).digest('hex').slice(0, 8);
  return `loopkube-${config.name}-${h}`;
}

export interface NftResult {
  ok: boolean;
  /** What nft said on stderr (or why it could not run). */
  error: string;
  stdout: string;
}

/** Runs `nft ARGS` (with `input` on stdin) and waits for it. */
export function nftSync(args: string[], input?: string): NftResult {
  const r = spawnSync('nft', args, { input, encoding: 'utf8', timeout: 30_000 });
  if (r.error) return { ok: false, error: (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'nft is not installed' : r.error.message, stdout: '' };
  return { ok: r.status === 0, error: (r.stderr ?? '').trim(), stdout: r.stdout ?? '' };
}

/** Runs `nft ARGS` (with `input` on stdin) without blocking the event loop. */
export function nft(args: string[], input?: string): Promise<NftResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let child;
    try {
      child = spawn('nft', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
      resolve({ ok: false, error: (err as Error).message, stdout: '' });
      return;
    }
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, error: err.code === 'ENOENT' ? 'nft is not installed' : err.message, stdout }));
    child.on('close', (code) => resolve({ ok: code === 0, error: stderr.trim(), stdout }));
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

/**
 * Why this process cannot program nftables, or null when it can: nft must be installed and
 * listing the ruleset must be allowed (root, or CAP_NET_ADMIN).
 */
export function nftablesProblem(): string | null {
  const r = nftSync(['list', 'tables']);
  if (r.ok) return null;
  if (r.error === 'nft is not installed') return 'the nft command is not installed (Debian/Ubuntu: sudo apt-get install -y nftables)';
  if (/Operation not permitted|Permission denied/i.test(r.error)) return `nft may not change the ruleset here (${r.error.split('\n')[0]}): run the cluster as root (or with CAP_NET_ADMIN)`;
  return `nft list tables failed: ${r.error.split('\n')[0]}`;
}

/** Removes the table if it exists; true when there is none left. */
export function deleteNftablesTable(table: string): boolean {
  const r = nftSync(['delete', 'table', 'ip', table]);
  return r.ok || /No such file or directory/.test(r.error);
}

/** Whether the table exists now. */
export function nftablesTableExists(table: string): boolean {
  return nftSync(['list', 'table', 'ip', table]).ok;
}

// What the rollout scenarios share: `loopkube load svc/NAME --json --during 'CMD'` run as a user
// runs it (the built CLI, against the scenario's cluster), its JSON parsed, and a line of the
// story told from it. The load, the timeline and the verdict are the CLI's own (src/load/).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../cluster/processes.js';
import type { DuringResult } from '../load/during.js';
import type { LoadSummary } from '../load/stats.js';
import type { Verdict } from '../load/verdict.js';
import type { DemoContext } from './types.js';

export type LoadResult = LoadSummary & { during?: DuringResult; verdict?: Verdict };

export interface LoadRunOptions {
  service: string;
  /** e.g. `8s` */
  duration: string;
  connections: number;
  /** The command run once the load is steady (in the scenario's namespace: add `-n` yourself). */
  during?: string;
  newConnection?: boolean;
}

/** The flags, as a user would type them (also what the story prints). */
export function loadArgs(ctx: Pick<DemoContext, 'namespace' | 'config'>, o: LoadRunOptions): string[] {
  return [
    'load',
    `svc/${o.service}`,
    '-n',
    ctx.namespace,
    '--name',
    ctx.config.name,
    '-d',
    o.duration,
    '-c',
    String(o.connections),
    ...(o.newConnection ? ['--new-connection'] : []),
    ...(o.during ? ['--during', o.during] : []),
    '--json',
  ];
}

const shellQuote = (a: string): string => (/^[\w./:=@-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

export async function runLoad(ctx: Pick<DemoContext, 'namespace' | 'config' | 'out'>, o: LoadRunOptions): Promise<LoadResult> {
  const args = loadArgs(ctx, o);
  ctx.out.step(`loopkube ${args.filter((a) => a !== '--json').map(shellQuote).join(' ')}`);
  const main = path.join(packageRoot(), 'dist/src/cli/main.js');
  // The cluster's LOOPKUBE_HOME: its folder is <LOOPKUBE_HOME>/<name>.
  const env = { ...process.env, LOOPKUBE_HOME: path.dirname(ctx.config.home) };
  return new Promise<LoadResult>((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-4096)));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(stdout) as LoadResult);
      } catch {
        reject(new Error(`loopkube load exited with ${code} and no JSON: ${stderr.trim() || stdout.slice(0, 500)}`));
      }
    });
  });
}

/** Requests that got no answer or a 5xx. */
export function failedRequests(r: Pick<LoadResult, 'errors'>): number {
  return Object.values(r.errors).reduce((a, b) => a + b, 0);
}

/** `12 of 9,876 requests failed (0.12%)`, and the verdict's sentence when there is one. */
export function tellLoad(ctx: Pick<DemoContext, 'out'>, r: LoadResult): void {
  const failed = failedRequests(r);
  ctx.out.say(`${r.requests.toLocaleString('en-US')} answered, ${failed.toLocaleString('en-US')} failed (${Object.entries(r.errors).map(([k, v]) => `${k} ${v}`).join(', ') || 'no errors'})`);
  if (r.verdict) ctx.out.say(`Verdict: ${r.verdict.sentence}`);
  for (const fix of r.verdict?.fixes ?? []) ctx.out.say(`  - ${fix}`);
}

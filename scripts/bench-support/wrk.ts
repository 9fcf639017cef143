// What the benchmarks that compare against wrk share: running wrk and reading its report (with
// the CPU it used, from the shell's `times`), a free port, a check that a server answers, the
// machine line, medians, and the Markdown table the README takes.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
export { freePort, median, table } from './common.js';

export function need(cmd: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'pipe' });
  } catch {
    console.error(`${cmd} is not on PATH; install it (Debian/Ubuntu: sudo apt-get install -y wrk haproxy)`);
    process.exit(1);
  }
}

export function httpAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

/** `312.00us`, `1.52ms`, `2.00s` as milliseconds. */
export function wrkMs(v: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(v.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
}

export interface WrkRun {
  requests: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** Socket errors and non-2xx answers. */
  errors: number;
  /** User + system CPU seconds wrk used. */
  cpuS: number;
}

/** `0m1.234s` as seconds. */
function shellTime(v: string): number {
  const m = /^(\d+)m([\d.]+)s$/.exec(v.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
}

/** Runs wrk with --latency under a shell whose `times` reports the CPU it used. */
export function runWrk(url: string, opts: { threads: number; connections: number; durationS: number; headers?: string[] }): Promise<WrkRun> {
  const args = [`-t${opts.threads}`, `-c${opts.connections}`, `-d${opts.durationS}s`, '--latency', ...(opts.headers ?? []).flatMap((h) => ['-H', h]), url];
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `wrk ${quoted}; echo "---times"; times`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', () => {
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
      if (!Number.isFinite(rps)) return reject(new Error(`wrk ${args.join(' ')} failed:\n${out}`));
      const pct = (p: string): number => wrkMs(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(out)?.[1] ?? '');
      const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
      const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
      // `times`: the shell's own line, then its children's (wrk's) user and system time.
      const children = out.split('---times')[1]?.trim().split('\n')[1]?.trim().split(/\s+/) ?? [];
      resolve({
        requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN),
        rps,
        p50Ms: pct('50'),
        p90Ms: pct('90'),
        p99Ms: pct('99'),
        errors: (socket ? socket.slice(1).reduce((n, x) => n + Number(x), 0) : 0) + non2xx,
        cpuS: shellTime(children[0] ?? '') + shellTime(children[1] ?? ''),
      });
    });
  });
}


/** Date, CPU, cores, memory, kernel; Node, HAProxy and wrk versions. */
export function machineLine(): string {
  const cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown CPU';
  const version = (cmd: string, args: string[]): string => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0]!.trim();
    } catch (err) {
      return ((err as { stdout?: string }).stdout ?? '').split('\n')[0]!.trim() || cmd;
    }
  };
  return [
    `${new Date().toISOString().slice(0, 10)}, ${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}`,
    `Node ${process.version}; ${version('haproxy', ['-v'])}; ${version('wrk', ['--version'])}`,
  ].join('\n');
}

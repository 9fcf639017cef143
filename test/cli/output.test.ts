// The CLI's output as a pipe sees it: a reader that goes away (`loopkube status | head -1`)
// crashes no command and stops no work; `loopkube logs` merges the processes' pino files, as JSON
// lines in a pipe and readable with --pretty, and follows them with -f. Stand-in processes, the
// real supervisor.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusJson } from '../../src/cli/status.js';
import { CLI, alive, ensureBuilt, killPidFiles, removeDir, runCli, standInProcessRoot, tempDir, upInOwnBlock, waitFor } from './helpers.js';

let loopkubeHome: string;
let processRoot: string;
let env: NodeJS.ProcessEnv;
const NAME = 'pipes';
const cli = (...args: string[]) => runCli(args, env);

beforeAll(async () => {
  ensureBuilt();
  loopkubeHome = tempDir('loopkube-output-');
  processRoot = standInProcessRoot();
  env = { LOOPKUBE_HOME: loopkubeHome, LOOPKUBE_PROCESS_ROOT: processRoot };
  const up = await upInOwnBlock(NAME, env, ['--nodes', '2']);
  if (up.code !== 0) throw new Error(`up failed: ${up.stderr}`);
});

afterAll(async () => {
  await runCli(['down', '--purge'], env, 30_000);
  killPidFiles(loopkubeHome);
  removeDir(loopkubeHome);
  removeDir(processRoot);
});

/** Runs the CLI with its stdout (and, with `both`, its stderr) a pipe nobody reads: closed before the first write. */
function withClosedPipe(args: string[], both = false): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env, KUBECONFIG: path.join(loopkubeHome, '.kube', 'config') }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    if (both) child.stderr.destroy();
    else child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('a reader that goes away', () => {
  const cases: Array<{ args: string[]; code: number }> = [
    { args: ['--help'], code: 0 },
    { args: ['version'], code: 0 },
    { args: ['status'], code: 0 },
    { args: ['status', '--json'], code: 0 },
    { args: ['list'], code: 0 },
    { args: ['kubeconfig'], code: 0 },
    { args: ['logs'], code: 0 },
    { args: ['dns'], code: 1 }, // the stand-ins serve no DNS: the answer part fails, the rest is printed
    { args: ['status', '--name', 'nope'], code: 1 },
    { args: ['stauts'], code: 2 },
  ];
  it.each(cases)('loopkube $args: no crash, its own exit code', async ({ args, code }) => {
    const r = await withClosedPipe(args);
    expect(r.signal).toBeNull();
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|node:events/);
    expect(r.code).toBe(code);
    // the same with stderr gone too
    const both = await withClosedPipe(args, true);
    expect(both.code).toBe(code);
  });

  it('logs -f stops when its reader goes away', async () => {
    const r = await withClosedPipe(['logs', '-f']);
    expect(r.code).toBe(0);
  });

  it('loopkube down | head -1: the cluster is still stopped, every process gone', async () => {
    const st = JSON.parse((await cli('status', '--json')).stdout) as StatusJson;
    const r = await withClosedPipe(['down']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const p of [...st.processes.map((p) => p.pid as number), st.supervisorPid]) expect(alive(p), `pid ${p}`).toBe(false);
    // and back for the tests below
    const up = await cli('up');
    expect(up.code, up.stderr).toBe(0);
  });
});

describe('loopkube logs', () => {
  it('JSON lines in a pipe, merged in time order; the supervisor logs one pid (its own) per line', async () => {
    const r = await cli('logs', 'supervisor');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    const times: string[] = [];
    for (const line of lines) {
      expect(line.match(/"pid":/g), line).toHaveLength(1);
      const obj = JSON.parse(line) as { time: string; component: string };
      expect(obj.component).toBe('supervisor');
      times.push(obj.time);
    }
    expect([...times].sort()).toEqual(times);
    expect(r.stdout).toContain('"processPid":');
    // the file itself: the same lines
    expect(readFileSync(path.join(loopkubeHome, NAME, 'logs', 'supervisor.log'), 'utf8')).toContain(lines[0]);
  });

  it('--pretty: each line named after its process, the level and message readable', async () => {
    const r = await cli('logs', 'supervisor', '--pretty', '--tail', '2');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    // eslint-disable-next-line no-control-regex
    for (const l of lines) expect(l.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/^supervisor \| \[\d\d:\d\d:\d\d\.\d{3}\] (INFO|WARN|ERROR|DEBUG): \S/);
  });

  const selections: Array<{ args: string[]; code: number; out?: RegExp; err?: RegExp }> = [
    { args: ['logs', 'nod'], code: 2, err: /no logs of "nod" in .*; there are: control-plane, node-1, node-2, proxy, supervisor\n\nDid you mean this\?\n\tnode\n/ },
    { args: ['logs', 'supervisor', '--level', 'fatal'], code: 0, out: /^$/ },
    { args: ['logs', 'supervisor', '--tail', '0'], code: 0, out: /^$/ },
    { args: ['logs', '--json', '--pretty'], code: 2, err: /--json and --pretty cannot be used together/ },
  ];
  it.each(selections)('loopkube $args', async ({ args, code, out, err }) => {
    const r = await cli(...args);
    expect(r.code, r.stderr).toBe(code);
    if (out) expect(r.stdout).toMatch(out);
    if (err) expect(r.stderr).toMatch(err);
  });

  it('-f prints what the processes write next (the supervisor stopping a node), then stops on SIGINT', async () => {
    const child = spawn(process.execPath, [CLI, 'logs', 'supervisor', '-f', '--tail', '1'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      // the last line is printed once the file has been read: what comes next is followed
      await waitFor('the last line of the log', () => out.endsWith('\n'));
      expect(out.trimEnd().split('\n')).toHaveLength(1);
      const stop = await cli('node', 'stop', 'node-2');
      expect(stop.code, stop.stderr).toBe(0);
      await waitFor('the stop in the followed log', () => out.includes('stopping process on request'));
      expect(JSON.parse(out.trimEnd().split('\n').find((l) => l.includes('stopping process on request'))!)).toMatchObject({ process: 'node-2' });
    } finally {
      child.kill('SIGINT');
    }
    expect(await closed).toBe(0);
    expect((await cli('node', 'start', 'node-2')).code).toBe(0);
  });
});

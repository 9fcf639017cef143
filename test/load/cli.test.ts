// `loopkube load` as a user runs it (the built CLI), against servers standing in for pods.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuringResult } from '../../src/load/during.js';
import type { LoadSummary } from '../../src/load/stats.js';
import type { Verdict } from '../../src/load/verdict.js';
import { CLI_MAIN } from '../support/cluster.js';
import { randomBlock, startPodServer, type PodServer } from './pod-servers.js';

const ip = randomBlock();
let pod: PodServer;
let home: string;

function loopkube(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], { env: { ...process.env, LOOPKUBE_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  home = mkdtempSync(path.join(os.tmpdir(), 'loopkube-load-cli-'));
  pod = await startPodServer({ pod: 'web-aaaaa', node: 'node-1', ip: ip(1) });
});

afterAll(async () => {
  await pod?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('loopkube load (CLI)', () => {
  it('--json prints one document whose pod counts sum to the requests made', async () => {
    const r = await loopkube(['load', `http://${pod.ip}:${pod.port}/`, '--requests', '200', '-c', '4', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as LoadSummary;
    expect(s).toMatchObject({ requests: 200, attempts: 200, errors: {}, keepAlive: true, connections: { concurrent: 4, opened: 4 } });
    expect(s.pods).toEqual([{ pod: 'web-aaaaa', node: 'node-1', version: 'v1', requests: 200, share: 1, connections: 4 }]);
    expect(s.nodes).toEqual([{ node: 'node-1', requests: 200, share: 1, pods: 1, connections: 4 }]);
    expect(Object.keys(s.latency)).toEqual(['p50', 'p90', 'p99', 'max']);
    expect(s.fairness).toEqual({ jain: 1, maxMinRatio: 1 });
  });

  it('prints a table of pods with their share when not asked for JSON, and no progress line off a terminal', async () => {
    const r = await loopkube(['load', `http://${pod.ip}:${pod.port}/`, '--requests', '50', '--new-connection']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/POD\s+NODE\s+REQUESTS\s+SHARE\s+CONNECTIONS/);
    expect(r.stdout).toMatch(/web-aaaaa\s+node-1\s+50\s+100\.0%\s+50\s+█+/);
    expect(r.stderr).toBe('');
  });

  const usage: Array<[string, string[], RegExp]> = [
    ['no target', ['load'], /a target is required/],
    ['a bad --via', ['load', 'svc/web', '--via', 'magic'], /invalid argument "magic" for "--via" flag/],
    ['a bad --from address', ['load', 'http://127.0.0.1:1/', '--from', '127.0.0.300'], /invalid argument "127.0.0.300" for "--from" flag/],
    ['a bad --connections', ['load', 'http://127.0.0.1:1/', '-c', '0'], /invalid argument "0" for "--connections" flag/],
    ['both connection modes', ['load', 'http://127.0.0.1:1/', '--new-connection', '--keep-alive'], /cannot be used together/],
    ['a target that is not one', ['load', 'web'], /must be svc\/NAME\[:PORT\]/],
    ['a bad --threads', ['load', 'http://127.0.0.1:1/', '--threads', '0'], /invalid argument "0" for "--threads" flag: must be a whole number from 1 to 64/],
    ['a --timeline interval under 100ms', ['load', 'http://127.0.0.1:1/', '--timeline', '10ms'], /invalid argument "10ms" for "--timeline" flag: the interval must be 100ms or more/],
    ['an empty --during', ['load', 'http://127.0.0.1:1/', '--during', ' '], /invalid argument "" for "--during" flag: must be a shell command/],
  ];
  for (const [what, args, message] of usage) {
    it(`rejects ${what} with a usage error (exit 2)`, async () => {
      const r = await loopkube(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain("See 'loopkube load --help' for usage.");
    });
  }

  it('--threads 2 splits the requests and connections, and the counts add up', async () => {
    const r = await loopkube(['load', `http://${pod.ip}:${pod.port}/`, '--requests', '301', '-c', '5', '--threads', '2', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as LoadSummary;
    expect(s).toMatchObject({ requests: 301, attempts: 301, threads: 2, connections: { concurrent: 5, opened: 5 } });
    expect(s.pods).toEqual([{ pod: 'web-aaaaa', node: 'node-1', version: 'v1', requests: 301, share: 1, connections: 5 }]);
    expect(s.timeline.rows.reduce((n, row) => n + row.requests, 0)).toBe(301);
  });

  it('--timeline prints a row per interval as it goes, then the report with its sparklines', async () => {
    const r = await loopkube(['load', `http://${pod.ip}:${pod.port}/`, '-d', '1.2s', '-c', '2', '--timeline', '500ms']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^TIME\s+REQUESTS\s+REFUSED\s+RESET\s+TIMEOUT\s+5XX\s+P99\s+VERSIONS\s+FAILED BY$/);
    expect(lines.slice(1, 4).map((l) => l.split(/\s+/)[0])).toEqual(['0-0.5s', '0.5-1s', '1-1.2s']);
    for (const l of lines.slice(1, 4)) expect(l).toMatch(/\sv1 100%\s+-$/);
    expect(r.stdout).toMatch(/^Requests\/s: [▁▂▃▄▅▆▇█]{3}  max [\d,]+\/s \(one cell = 0\.5s\)$/m);
    expect(r.stdout).toMatch(/^Errors\/s:   ···  none$/m);
  });

  it('--during runs the command once the load is steady and marks it on the timeline', async () => {
    const r = await loopkube(['load', `http://${pod.ip}:${pod.port}/`, '-d', '4s', '-c', '2', '--during', 'echo rolling; exit 3', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as LoadSummary & { during: DuringResult; verdict: Verdict };
    expect(s.during).toMatchObject({ command: 'echo rolling; exit 3', exitCode: 3, output: 'rolling\n' });
    expect(s.during.startedAt).toBeGreaterThan(0);
    const marks = s.timeline.rows.flatMap((row) => row.marks);
    expect(marks.filter((m) => m.includes('started: echo rolling'))).toHaveLength(1);
    expect(marks.filter((m) => m.includes('ended: echo rolling') && m.includes('exit 3'))).toHaveLength(1);
    expect(s.verdict).toMatchObject({ failed: 0, causes: { 'keep-alive': 0, terminating: 0, unattributed: 0 } });
  });

  it('on a terminal, the progress line shows an ETA', async () => {
    // `script` gives the command a pseudo-terminal, as a user's shell would.
    const line = `${process.execPath} ${CLI_MAIN} load http://${pod.ip}:${pod.port}/ -d 4s -c 1`;
    const r = await new Promise<{ code: number; out: string }>((resolve) => {
      const child = spawn('script', ['-qfec', line, '/dev/null'], { env: { ...process.env, LOOPKUBE_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.on('close', (code) => resolve({ code: code ?? 1, out }));
    });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\d\.\ds\s+[\d,]+ requests\s+[\d,]+\/s\s+0 errors\s+ETA [1-3]s/);
  });

  it('says the cluster does not exist for a svc/ target naming none', async () => {
    const r = await loopkube(['load', 'svc/web', '--name', 'nowhere']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cluster "nowhere" does not exist/);
  });
});

// `loopkube load` as a user runs it (the built CLI), against servers standing in for pods.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadSummary } from '../../src/load/stats.js';
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
  ];
  for (const [what, args, message] of usage) {
    it(`rejects ${what} with a usage error (exit 2)`, async () => {
      const r = await loopkube(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain("See 'loopkube load --help' for usage.");
    });
  }

  it('says the cluster is not running for a svc/ target without one', async () => {
    const r = await loopkube(['load', 'svc/web', '--name', 'nowhere']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cluster "nowhere" is not running/);
  });
});

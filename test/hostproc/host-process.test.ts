// The host-process runtime without a cluster: real processes started as a node starts them (own
// process group, the marker, a pid file), their exits as a runtime reports them, the group killed
// with its main process, the next node process reaping what a dead one left, runc's words for a
// missing executable, and the names of the volume env vars.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HOST_PROCESS_MARKER, markedProcesses } from '../../src/cluster/host-process-leftovers.js';
import { mountEnvName } from '../../nodes/host-process/host-container.js';
import { createMemoryLimit } from '../../nodes/host-process/memory-limit.js';
import { HostStartError, resolveExecutable, startHostProcess, type HostProcess } from '../../nodes/host-process/process.js';
import { hostPidDir, reapNodeLeftovers } from '../../nodes/host-process/reaper.js';
import { waitFor } from '../support/wait.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'loopkube-hostproc-'));
const nodeDir = path.join(root, 'nodes', 'node-1');
afterAll(() => {
  reapNodeLeftovers(nodeDir);
  rmSync(root, { recursive: true, force: true });
});

const start = (script: string, lines: string[] = []): HostProcess =>
  startHostProcess({
    argv: ['sh', '-c', script],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    cwd: root,
    stdin: false,
    stdinOnce: false,
    pidDir: hostPidDir(nodeDir),
    id: `run${Math.random().toString(36).slice(2)}`,
    marker: nodeDir,
    line: (stream, text) => lines.push(`${stream}: ${text}`),
  });
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const marked = (): number[] => markedProcesses((m) => m === nodeDir);

describe('a host process exits as a container runtime reports it', () => {
  const table: Array<{ name: string; script: string; exitCode: number; reason: string }> = [
    { name: 'exit 0: Completed', script: 'exit 0', exitCode: 0, reason: 'Completed' },
    { name: 'exit 42: Error', script: 'exit 42', exitCode: 42, reason: 'Error' },
    { name: 'SIGKILL: 137', script: 'kill -KILL $$', exitCode: 137, reason: 'Error' },
    { name: 'SIGTERM: 143', script: 'kill -TERM $$', exitCode: 143, reason: 'Error' },
  ];
  it.each(table)('$name', async ({ script, exitCode, reason }) => {
    const e = await start(script).ended;
    expect(e).toMatchObject({ exitCode, reason });
  });

  it('writes stdout and stderr line by line, a last line without a newline included', async () => {
    const lines: string[] = [];
    await start('echo one; echo two >&2; printf three', lines).ended;
    expect(lines.sort()).toEqual(['stderr: two', 'stdout: one', 'stdout: three']);
  });

  it('runs in a process group of its own, with the marker, and a pid file while it runs', async () => {
    const p = start('sleep 30');
    await waitFor('its pid file', () => existsSync(path.join(hostPidDir(nodeDir), readdirSync(hostPidDir(nodeDir))[0] ?? 'none')));
    expect(marked()).toContain(p.pid);
    p.kill();
    await expect(p.ended).resolves.toMatchObject({ exitCode: 137 });
    expect(readdirSync(hostPidDir(nodeDir))).toEqual([]);
  });

  it('takes what it started in its group along when it exits', async () => {
    const p = start('sleep 30 & echo $!; exit 0');
    const lines: number[] = [];
    p.onOutput((d) => lines.push(Number(d.trim())));
    await p.ended;
    await waitFor('the sleep it left gone', () => lines.length === 1 && !alive(lines[0]!));
  });

  it('SIGTERM goes to the whole group: a trap in the main process runs, its child ends', async () => {
    const out: string[] = [];
    const p = start('trap "echo TERM; exit 0" TERM; sleep 30 & wait', out);
    await waitFor('the sleep started', () => marked().length >= 2);
    p.terminate();
    await expect(p.ended).resolves.toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(out).toContain('stdout: TERM');
  });
});

describe('a new node process reaps what its dead predecessor left', () => {
  it('kills the marked group named by a pid file, and marked processes that left the group', async () => {
    // a stand-in for a node killed by SIGKILL: its child (with its own pid file) outlives it
    const survivor = start('sleep 60');
    // and a process that moved to a group of its own, marked as the node's
    const escaped = spawn('sleep', ['60'], { detached: true, stdio: 'ignore', env: { ...process.env, [HOST_PROCESS_MARKER]: nodeDir } });
    await waitFor('both marked', () => marked().includes(survivor.pid) && marked().includes(escaped.pid!));
    const r = reapNodeLeftovers(nodeDir);
    expect(r.pidFiles).toBe(1);
    expect(r.killed).toBeGreaterThanOrEqual(1);
    await expect(survivor.ended).resolves.toMatchObject({ exitCode: 137 });
    await waitFor('the escaped one gone', () => escaped.exitCode !== null || escaped.signalCode !== null);
    expect(marked()).toEqual([]);
  });

  it('leaves an unmarked process alone, whatever its pid file says', async () => {
    const stranger = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    const { writeFileSync, mkdirSync } = await import('node:fs');
    mkdirSync(hostPidDir(nodeDir), { recursive: true });
    writeFileSync(path.join(hostPidDir(nodeDir), 'reused.pid'), `${stranger.pid}\n`);
    reapNodeLeftovers(nodeDir);
    expect(alive(stranger.pid!)).toBe(true);
    stranger.kill('SIGKILL');
  });
});

describe('runc\'s words for a command that is not there', () => {
  const table: Array<{ command: string; error: string }> = [
    { command: 'no-such-binary', error: 'exec: "no-such-binary": executable file not found in $PATH' },
    { command: '/nope/server', error: 'exec: "/nope/server": stat /nope/server: no such file or directory' },
  ];
  it.each(table)('$command', ({ command, error }) => {
    expect(() => resolveExecutable(command, { PATH: '/usr/bin:/bin' }, '/')).toThrow(new HostStartError(error));
  });
  it('finds a command on the container\'s PATH', () => {
    expect(resolveExecutable('sh', { PATH: '/nowhere:/bin' }, '/')).toBe('/bin/sh');
  });
});

describe('the env var naming where a volume is', () => {
  it.each([
    ['/etc/app', 'LOOPKUBE_MOUNT_ETC_APP'],
    ['/etc/nginx/conf.d/', 'LOOPKUBE_MOUNT_ETC_NGINX_CONF_D'],
    ['/var/run/secrets/kubernetes.io/serviceaccount', 'LOOPKUBE_MOUNT_VAR_RUN_SECRETS_KUBERNETES_IO_SERVICEACCOUNT'],
    ['/', 'LOOPKUBE_MOUNT_ROOT'],
  ])('%s -> %s', (mountPath, name) => {
    expect(mountEnvName(mountPath)).toBe(name);
  });
});

describe('the RLIMIT_AS fallback', () => {
  it('runs the command under prlimit --as, so an allocation past the limit fails inside the process', async () => {
    const limit = createMemoryLimit(64 * 1024 * 1024, 'unit', 'rlimit-as');
    expect(limit.wrap(['python3', '-V'])).toEqual(['prlimit', `--as=${64 * 1024 * 1024}`, '--', 'python3', '-V']);
    const lines: string[] = [];
    const p = startHostProcess({
      argv: ['python3', '-c', "b = b'x' * (256 * 1024 * 1024)"],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      cwd: root,
      stdin: false,
      stdinOnce: false,
      pidDir: hostPidDir(nodeDir),
      id: 'rlimit',
      marker: nodeDir,
      memory: limit,
      line: (stream, text) => lines.push(text),
    });
    await expect(p.ended).resolves.toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(lines.join('\n')).toMatch(/MemoryError/);
  });
});

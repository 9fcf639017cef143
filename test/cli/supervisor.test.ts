// The supervisor on its own, with tiny `node -e` HTTP servers as its processes: it starts them,
// restarts one that dies, leaves down one stopped on purpose, stops them all on shutdown, and
// none of them outlives it even when it is killed with SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLUSTER_HOME_ENV } from '../../src/cluster/parent-watch.js';
import type { ProcessComponent, ProcessSpec } from '../../src/cluster/processes.js';
import { sendSupervisorRequest, supervisorSocket, type SupervisorRequest } from '../../src/supervisor/control.js';
import { probeHealth } from '../../src/supervisor/health.js';
import type { SupervisorState } from '../../src/supervisor/state.js';
import { REPO, SUPERVISOR, alive, ensureBuilt, freePort, killPidFiles, killQuietly, removeDir, tempDir, waitFor } from './helpers.js';

const PARENT_WATCH = pathToFileURL(path.join(REPO, 'dist/src/cluster/parent-watch.js')).href;

/** A process that serves 200 on every path; with ignoreTerm it survives SIGTERM. */
function httpServerSpec(name: string, component: ProcessComponent, port: number, ignoreTerm = false): ProcessSpec {
  const script = `
    const { followSupervisor } = await import(${JSON.stringify(PARENT_WATCH)});
    followSupervisor();
    const http = await import('node:http');
    http.createServer((req, res) => res.end('ok ' + process.pid)).listen(${port}, '127.0.0.1');
    process.on('SIGTERM', () => { ${ignoreTerm ? "console.log('ignoring SIGTERM')" : 'process.exit(0)'} });
  `;
  return {
    name,
    component,
    command: process.execPath,
    args: ['--input-type=module', '-e', script],
    address: `127.0.0.1:${port}`,
    health: { kind: 'http', url: `http://127.0.0.1:${port}/healthz` },
  };
}

interface Running {
  home: string;
  supervisor: ChildProcess;
  exited: Promise<number | null>;
  specs: ProcessSpec[];
}

let run: Running | null = null;

async function startSupervisor(specs: ProcessSpec[]): Promise<Running> {
  const home = path.join(tempDir(), 'sup');
  mkdirSync(path.join(home, 'logs'), { recursive: true });
  const specsFile = path.join(home, 'specs.json');
  writeFileSync(specsFile, JSON.stringify(specs));
  const fd = openSync(path.join(home, 'logs', 'supervisor.log'), 'a');
  const supervisor = spawn(process.execPath, [SUPERVISOR, '--home', home, '--specs', specsFile], {
    stdio: ['ignore', fd, fd],
    detached: true,
    env: { ...process.env, [CLUSTER_HOME_ENV]: home },
  });
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => supervisor.once('exit', (code) => resolve(code)));
  run = { home, supervisor, exited, specs };
  await waitFor('every process healthy', async () => {
    const s = await status(home);
    const healthy = await Promise.all(s.processes.map((p) => probeHealth(p.health)));
    return s.processes.every((p) => p.state === 'running') && healthy.every(Boolean) && s;
  });
  return run;
}

async function ask(home: string, request: SupervisorRequest): Promise<SupervisorState> {
  const reply = await sendSupervisorRequest(supervisorSocket(home), request, 10_000);
  if (!reply.ok) throw new Error(reply.error);
  return reply.state;
}

const status = (home: string): Promise<SupervisorState> => ask(home, { op: 'status' });

function pidOf(state: SupervisorState, name: string): number {
  const pid = state.processes.find((p) => p.name === name)?.pid;
  if (!pid) throw new Error(`${name} has no pid`);
  return pid;
}

beforeAll(() => ensureBuilt());

afterEach(async () => {
  if (!run) return;
  const { home, supervisor } = run;
  run = null;
  killPidFiles(home);
  try {
    process.kill(-(supervisor.pid as number), 'SIGKILL');
  } catch {
    // gone
  }
  killQuietly(supervisor.pid);
  removeDir(path.dirname(home));
});

describe('supervisor', () => {
  let ports: number[];
  beforeEach(async () => {
    ports = [await freePort(), await freePort(), await freePort()];
  });

  it('starts each process, with pid files, logs and supervisor.json', async () => {
    const { home } = await startSupervisor([
      httpServerSpec('control-plane', 'control-plane', ports[0]),
      httpServerSpec('node-1', 'node', ports[1]),
    ]);
    const s = await status(home);
    expect(s.processes.map((p) => [p.name, p.component, p.state, p.restarts])).toEqual([
      ['control-plane', 'control-plane', 'running', 0],
      ['node-1', 'node', 'running', 0],
    ]);
    for (const p of s.processes) {
      expect(Number(readFileSync(path.join(home, 'pids', `${p.name}.pid`), 'utf8'))).toBe(p.pid);
      expect(alive(p.pid as number)).toBe(true);
    }
    expect(existsSync(path.join(home, 'logs', 'node-1.log'))).toBe(true);
    const file = JSON.parse(readFileSync(path.join(home, 'supervisor.json'), 'utf8')) as SupervisorState;
    expect(file.processes.map((p) => p.pid)).toEqual(s.processes.map((p) => p.pid));
  });

  it('restarts a process that dies, with a new pid, and counts the restart', async () => {
    const { home } = await startSupervisor([httpServerSpec('control-plane', 'control-plane', ports[0]), httpServerSpec('node-1', 'node', ports[1])]);
    const before = pidOf(await status(home), 'node-1');
    process.kill(before, 'SIGKILL');
    const after = await waitFor('node-1 restarted', async () => {
      const p = (await status(home)).processes.find((x) => x.name === 'node-1');
      return p && p.state === 'running' && p.pid !== before && p.restarts === 1 && p;
    });
    expect(after.lastExit?.signal).toBe('SIGKILL');
    await waitFor('node-1 healthy again', () => probeHealth(after.health));
    expect(pidOf(await status(home), 'control-plane')).toBeGreaterThan(0);
  });

  it('stop-process keeps a process down; start-process brings it back', async () => {
    const { home } = await startSupervisor([httpServerSpec('control-plane', 'control-plane', ports[0]), httpServerSpec('node-1', 'node', ports[1])]);
    const before = pidOf(await status(home), 'node-1');
    const stopped = await ask(home, { op: 'stop-process', name: 'node-1' });
    expect(stopped.processes.find((p) => p.name === 'node-1')).toMatchObject({ state: 'stopped', pid: null });
    expect(alive(before)).toBe(false);
    // longer than the first restart back-offs (0 s, 0.5 s): it must still be down
    await sleep(1500);
    const later = await status(home);
    expect(later.processes.find((p) => p.name === 'node-1')).toMatchObject({ state: 'stopped', pid: null, restarts: 0 });
    expect(await probeHealth({ kind: 'http', url: `http://127.0.0.1:${ports[1]}/` })).toBe(false);
    expect(existsSync(path.join(home, 'pids', 'node-1.pid'))).toBe(false);

    await ask(home, { op: 'start-process', name: 'node-1' });
    const back = await waitFor('node-1 back', async () => {
      const p = (await status(home)).processes.find((x) => x.name === 'node-1');
      return p && p.state === 'running' && p;
    });
    expect(back.pid).not.toBe(before);
    await waitFor('node-1 healthy', () => probeHealth(back.health));
  });

  it('answers an unknown process name with the list of processes', async () => {
    const { home } = await startSupervisor([httpServerSpec('control-plane', 'control-plane', ports[0])]);
    const reply = await sendSupervisorRequest(supervisorSocket(home), { op: 'stop-process', name: 'node-9' });
    expect(reply).toEqual({ ok: false, error: `process "node-9" not found; the cluster's processes are: control-plane` });
  });

  it('shutdown stops every process, SIGKILLs one that ignores SIGTERM, and leaves nothing behind', async () => {
    const { home, exited } = await startSupervisor([
      httpServerSpec('control-plane', 'control-plane', ports[0]),
      httpServerSpec('node-1', 'node', ports[1]),
      httpServerSpec('proxy', 'proxy', ports[2], true),
    ]);
    const s = await status(home);
    const pids = s.processes.map((p) => p.pid as number);
    await ask(home, { op: 'shutdown' });
    expect(await exited).toBe(0);
    for (const pid of pids) expect(alive(pid), `pid ${pid}`).toBe(false);
    expect(readdirSync(path.join(home, 'pids'))).toEqual([]);
    expect(existsSync(supervisorSocket(home))).toBe(false);
    const final = JSON.parse(readFileSync(path.join(home, 'supervisor.json'), 'utf8')) as SupervisorState;
    expect(final.phase).toBe('stopped');
    expect(final.processes.every((p) => p.state === 'stopped' && p.pid === null)).toBe(true);
  });

  it('SIGTERM to the supervisor shuts it down the same way', async () => {
    const { home, supervisor, exited } = await startSupervisor([httpServerSpec('control-plane', 'control-plane', ports[0])]);
    const pid = pidOf(await status(home), 'control-plane');
    supervisor.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(alive(pid)).toBe(false);
  });

  it('processes outlive a SIGKILLed supervisor: they keep serving, start a new one, and it adopts them', async () => {
    const { home, supervisor, exited } = await startSupervisor([
      httpServerSpec('control-plane', 'control-plane', ports[0]),
      httpServerSpec('node-1', 'node', ports[1]),
    ]);
    const before = await status(home);
    const pids = before.processes.map((p) => p.pid as number);
    supervisor.kill('SIGKILL');
    await exited;
    // a new supervisor, started by one of them, holds the cluster again
    const after = await waitFor('a new supervisor', async () => {
      const s = await status(home).catch(() => undefined);
      return s && s.supervisorPid !== supervisor.pid && s.phase === 'running' && s;
    });
    expect(after.processes.map((p) => [p.name, p.pid, p.state])).toEqual(before.processes.map((p) => [p.name, p.pid, 'running']));
    for (const pid of pids) expect(alive(pid), `pid ${pid}`).toBe(true);
    for (const p of after.processes) expect(await probeHealth(p.health)).toBe(true);
    expect(Number(readFileSync(path.join(home, 'pids', 'supervisor.pid'), 'utf8'))).toBe(after.supervisorPid);

    // an adopted process that dies is restarted by the new supervisor, as its own child
    process.kill(pids[1]!, 'SIGKILL');
    const restarted = await waitFor('node-1 restarted by the adopting supervisor', async () => {
      const p = (await status(home)).processes.find((x) => x.name === 'node-1');
      return p && p.state === 'running' && p.pid !== pids[1] && p;
    });
    await waitFor('node-1 healthy again', () => probeHealth(restarted.health));

    // and shutdown still stops everything, adopted or not
    await ask(home, { op: 'shutdown' });
    await waitFor('every process gone', () => [...pids, restarted.pid as number, after.supervisorPid].every((pid) => !alive(pid)));
    expect(readdirSync(path.join(home, 'pids'))).toEqual([]);
  });

  it('an orphan exits by itself when no supervisor could adopt it (the cluster is being stopped)', async () => {
    const { home, supervisor, exited } = await startSupervisor([httpServerSpec('control-plane', 'control-plane', ports[0])]);
    const pid = pidOf(await status(home), 'control-plane');
    // what `loopkube down` writes before it stops anything
    writeFileSync(path.join(home, 'stopping'), `${process.pid}\n`);
    supervisor.kill('SIGKILL');
    await exited;
    await waitFor('the orphan gone', () => !alive(pid));
    expect(existsSync(path.join(home, 'pids', 'supervisor.pid')) && alive(Number(readFileSync(path.join(home, 'pids', 'supervisor.pid'), 'utf8')))).toBe(false);
  });
});

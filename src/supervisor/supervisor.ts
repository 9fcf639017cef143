// The per-cluster supervisor: starts the cluster's processes in order (redis or the etcd
// members, then the control plane(s), front end, nodes and proxy), restarts any that exits on its own with a back-off,
// leaves down the ones put down on purpose (`loopkube node stop`), answers the CLI on a unix
// socket, and on shutdown stops every child (SIGTERM, then SIGKILL after 5 s) and cleans up.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync } from 'node:fs';
import type { Server } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { clusterPaths } from '../cluster/config.js';
import { CLUSTER_HOME_ENV, PROCESS_NAME_ENV, SUPERVISOR_PID_ENV } from '../cluster/parent-watch.js';
import type { ProcessComponent, ProcessSpec } from '../cluster/processes.js';
import type { Logger } from '../log.js';
import { RESET_AFTER_MS, restartDelayMs } from './backoff.js';
import { serveControlSocket, supervisorSocket, type SupervisorReply, type SupervisorRequest } from './control.js';
import { probeHealth, type ProbeOptions } from './health.js';
import { killLeftovers, pidFile, removePidFile, writePidFile } from './pid-files.js';
import { writeSupervisorState, type ProcessStatus, type SupervisorState } from './state.js';

export interface SupervisorOptions {
  cluster: string;
  /** The cluster's home folder, absolute. */
  home: string;
  specs: ProcessSpec[];
  logger: Logger;
  /** CA and token for https health checks. */
  probe?: ProbeOptions;
  /** How long a start-up stage may take to turn healthy before the next one starts anyway. */
  stageTimeoutMs?: number;
  /** How long children get between SIGTERM and SIGKILL on shutdown. */
  stopGraceMs?: number;
}

export interface Supervisor {
  /** Resolves once shut down: every child gone, pid files and socket removed. */
  done: Promise<void>;
  shutdown(reason: string): Promise<void>;
  state(): SupervisorState;
  /** SIGKILLs every child at once; for process 'exit' handlers (synchronous). */
  killAllNow(): void;
}

interface Managed {
  spec: ProcessSpec;
  child: ChildProcess | null;
  /** Resolves when the current child has exited. */
  exited: Promise<void>;
  status: ProcessStatus;
  startedAtMs: number;
  consecutiveFailures: number;
  /** Put down on purpose: not restarted until started again. */
  heldDown: boolean;
  restartTimer: NodeJS.Timeout | null;
}

/**
 * Start-up order: the store's own servers first (redis, or the etcd members together, which
 * turn healthy once they have elected a leader), then everything else together: the
 * nodes and the proxy boot while the control plane does, and retry the API until it answers,
 * which takes ~0.25 s off `up` compared with waiting for the control plane first.
 */
const STAGE_OF: Record<ProcessComponent, number> = { redis: 0, etcd: 0, 'control-plane': 1, 'api-frontend': 1, node: 1, proxy: 1, ingress: 1 };

export async function startSupervisor(options: SupervisorOptions): Promise<Supervisor> {
  const { home, logger } = options;
  const paths = clusterPaths(home);
  const socketPath = supervisorSocket(home);
  const stageTimeoutMs = options.stageTimeoutMs ?? 30_000;
  const stopGraceMs = options.stopGraceMs ?? 5000;
  mkdirSync(paths.logsDir, { recursive: true });
  mkdirSync(paths.pidsDir, { recursive: true });

  const names = new Set<string>();
  for (const spec of options.specs) {
    if (names.has(spec.name) || spec.name === 'supervisor') throw new Error(`duplicate process name ${JSON.stringify(spec.name)}`);
    names.add(spec.name);
  }

  const leftovers = await killLeftovers(paths.pidsDir, home, { except: ['supervisor'] });
  if (leftovers.length) logger.warn({ processes: leftovers }, 'killed processes left over by a previous supervisor');
  writePidFile(paths.supervisorPid, process.pid);

  const startedAt = new Date().toISOString();
  let phase: SupervisorState['phase'] = 'starting';
  let stopping = false;
  let shutdownPromise: Promise<void> | null = null;
  let server: Server | null = null;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  const managed: Managed[] = options.specs.map((spec) => ({
    spec,
    child: null,
    exited: Promise.resolve(),
    status: {
      name: spec.name,
      component: spec.component,
      pid: null,
      address: spec.address,
      state: 'pending',
      restarts: 0,
      startedAt: null,
      health: spec.health,
    },
    startedAtMs: 0,
    consecutiveFailures: 0,
    heldDown: false,
    restartTimer: null,
  }));

  const state = (): SupervisorState => ({
    cluster: options.cluster,
    home,
    supervisorPid: process.pid,
    startedAt,
    phase,
    processes: managed.map((m) => ({ ...m.status })),
  });
  const save = (): void => {
    try {
      writeSupervisorState(paths.supervisorState, state());
    } catch (err) {
      logger.error({ err }, 'cannot write supervisor.json');
    }
  };

  function start(m: Managed): void {
    const { spec } = m;
    const log = path.join(paths.logsDir, `${spec.name}.log`);
    const fd = openSync(log, 'a');
    let child: ChildProcess;
    try {
      child = spawn(spec.command, spec.args, {
        cwd: home,
        stdio: ['ignore', fd, fd],
        env: {
          ...process.env,
          [SUPERVISOR_PID_ENV]: String(process.pid),
          [CLUSTER_HOME_ENV]: home,
          [PROCESS_NAME_ENV]: spec.name,
        },
      });
    } finally {
      closeSync(fd);
    }
    let resolveExited: () => void = () => {};
    m.exited = new Promise<void>((resolve) => (resolveExited = resolve));
    m.child = child;
    m.startedAtMs = Date.now();
    m.status = { ...m.status, pid: child.pid ?? null, state: 'running', startedAt: new Date().toISOString() };
    if (child.pid !== undefined) writePidFile(pidFile(paths.pidsDir, spec.name), child.pid);
    logger.info({ process: spec.name, processPid: child.pid, command: spec.command, args: spec.args }, 'started process');
    save();

    let ended = false;
    const onEnd = (code: number | null, signal: NodeJS.Signals | null, err?: Error): void => {
      if (ended) return;
      ended = true;
      m.child = null;
      removePidFile(pidFile(paths.pidsDir, spec.name));
      resolveExited();
      exitedOnItsOwn(m, code, signal, err);
    };
    child.once('exit', (code, signal) => onEnd(code, signal));
    child.on('error', (err) => {
      // spawn failed (no pid): there will be no 'exit'
      if (child.pid === undefined) onEnd(null, null, err);
      else logger.warn({ process: spec.name, err }, 'child process error');
    });
  }

  function exitedOnItsOwn(m: Managed, code: number | null, signal: NodeJS.Signals | null, err?: Error): void {
    const at = new Date().toISOString();
    m.status = { ...m.status, pid: null, lastExit: { code, signal, at } };
    if (stopping || m.heldDown) {
      m.status.state = 'stopped';
      logger.info({ process: m.spec.name, code, signal }, 'process stopped');
      save();
      return;
    }
    if (Date.now() - m.startedAtMs >= RESET_AFTER_MS) m.consecutiveFailures = 0;
    const delay = restartDelayMs(m.consecutiveFailures);
    m.consecutiveFailures += 1;
    m.status.state = 'restarting';
    logger.warn(
      { process: m.spec.name, code, signal, ...(err ? { err: err.message } : {}), restartInMs: delay },
      'process exited; restarting',
    );
    save();
    m.restartTimer = setTimeout(() => {
      m.restartTimer = null;
      if (stopping || m.heldDown || m.child) return;
      m.status.restarts += 1;
      start(m);
    }, delay);
  }

  async function stopProcess(m: Managed): Promise<void> {
    m.heldDown = true;
    if (m.restartTimer) clearTimeout(m.restartTimer);
    m.restartTimer = null;
    if (m.child) {
      logger.info({ process: m.spec.name, processPid: m.child.pid }, 'stopping process on request (SIGKILL)');
      m.child.kill('SIGKILL');
      await m.exited;
    }
    m.status = { ...m.status, pid: null, state: 'stopped' };
    save();
  }

  function startProcess(m: Managed): void {
    m.heldDown = false;
    if (m.child) return;
    if (m.restartTimer) clearTimeout(m.restartTimer);
    m.restartTimer = null;
    m.consecutiveFailures = 0;
    logger.info({ process: m.spec.name }, 'starting process on request');
    start(m);
  }

  async function waitHealthy(stage: Managed[]): Promise<void> {
    const deadline = Date.now() + stageTimeoutMs;
    while (!stopping && Date.now() < deadline) {
      const checks = await Promise.all(
        stage.filter((m) => !m.heldDown).map((m) => probeHealth(m.spec.health, options.probe)),
      );
      if (checks.every(Boolean)) return;
      await sleep(50);
    }
    if (!stopping) {
      logger.warn({ processes: stage.map((m) => m.spec.name) }, 'start-up stage not healthy in time; going on');
    }
  }

  async function bringUp(): Promise<void> {
    const stages = [...new Set(managed.map((m) => STAGE_OF[m.spec.component]))].sort((a, b) => a - b);
    for (const stageNo of stages) {
      if (stopping) return;
      const stage = managed.filter((m) => STAGE_OF[m.spec.component] === stageNo);
      for (const m of stage) if (!m.heldDown && !m.child && !m.restartTimer) start(m);
      await waitHealthy(stage);
    }
    if (!stopping) {
      phase = 'running';
      logger.info('every process started');
      save();
    }
  }

  function killAllNow(): void {
    for (const m of managed) m.child?.kill('SIGKILL');
  }

  /** SIGTERM, then SIGKILL for whatever is still there after the grace period. */
  async function stopTogether(group: Managed[]): Promise<void> {
    const live = group.filter((m) => m.child);
    if (live.length === 0) return;
    for (const m of live) m.child?.kill('SIGTERM');
    const allExited = Promise.all(live.map((m) => m.exited));
    const inTime = await Promise.race([allExited.then(() => true), sleep(stopGraceMs).then(() => false)]);
    if (!inTime) {
      const stubborn = live.filter((m) => m.child);
      logger.warn({ processes: stubborn.map((m) => m.spec.name) }, `not gone ${stopGraceMs} ms after SIGTERM; sending SIGKILL`);
      for (const m of stubborn) m.child?.kill('SIGKILL');
      await allExited;
    }
  }

  function shutdown(reason: string): Promise<void> {
    if (shutdownPromise) return shutdownPromise;
    shutdownPromise = (async () => {
      logger.info({ reason }, 'shutting down');
      stopping = true;
      phase = 'stopping';
      save();
      for (const m of managed) {
        if (m.restartTimer) clearTimeout(m.restartTimer);
        m.restartTimer = null;
        if (!m.child) m.status = { ...m.status, state: 'stopped', pid: null };
      }
      // Everything that uses the store first (so its last writes, such as a leader releasing
      // its Lease, still land), then the store's own servers one at a time: an etcd leader
      // that stops hands leadership to a member still running, which is quick, but waits out a
      // timeout when that member is stopping too.
      const running = managed.filter((m) => m.child);
      const isStore = (m: Managed) => STAGE_OF[m.spec.component] === 0;
      await stopTogether(running.filter((m) => !isStore(m)));
      for (const m of running.filter(isStore)) await stopTogether([m]);
      for (const m of managed) removePidFile(pidFile(paths.pidsDir, m.spec.name));
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      rmSync(socketPath, { force: true });
      phase = 'stopped';
      save();
      removePidFile(paths.supervisorPid);
      logger.info('shut down');
      resolveDone();
    })();
    return shutdownPromise;
  }

  const find = (name: string): Managed | undefined => managed.find((m) => m.spec.name === name);
  const notFound = (name: string): SupervisorReply => ({
    ok: false,
    error: `process "${name}" not found; the cluster's processes are: ${managed.map((m) => m.spec.name).join(', ')}`,
  });

  async function handle(request: SupervisorRequest): Promise<SupervisorReply> {
    if (request.op === 'status') return { ok: true, state: state() };
    if (request.op === 'shutdown') {
      void shutdown('requested by the CLI');
      return { ok: true, state: state() };
    }
    if (stopping) return { ok: false, error: 'the supervisor is shutting down' };
    const m = find(request.name);
    if (!m) return notFound(request.name);
    if (request.op === 'stop-process') await stopProcess(m);
    else startProcess(m);
    return { ok: true, state: state() };
  }

  save();
  server = await serveControlSocket(socketPath, handle);
  logger.info({ socket: socketPath, processes: managed.map((m) => m.spec.name) }, 'supervisor listening');
  void bringUp().catch((err: unknown) => logger.error({ err }, 'start-up failed'));

  return { done, shutdown, state, killAllNow };
}

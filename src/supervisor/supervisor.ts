// The per-cluster supervisor: starts the cluster's processes in order (redis or the etcd
// members, then the control plane(s), front end, nodes and proxy), restarts any that exits on its own with a back-off,
// leaves down the ones put down on purpose (`loopkube node stop`), answers the CLI on a unix
// socket, and on shutdown stops every child (SIGTERM, then SIGKILL after 5 s) and cleans up.
//
// It is not a single point of failure: its processes outlive it (src/cluster/parent-watch.ts),
// and a supervisor that starts while they run adopts them (their pid files name them; a pid is
// taken only after checking it runs for this cluster under that name), watches them by pid, and
// restarts them as its own children when they exit. For the proxy it holds the listening sockets
// (socket-keeper.ts), so a proxy restart refuses no connection, and for the proxy and the DNS it
// keeps a standby booted (spec.standby), promoted the moment the active one dies. (An adopted
// proxy shares no IPC channel with its new supervisor, so nothing holds its sockets until it is
// replaced: if it dies, its standby binds them again within milliseconds, and from then on they
// are held.)
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { clusterPaths } from '../cluster/config.js';
import { CLUSTER_HOME_ENV, PROCESS_NAME_ENV, SUPERVISOR_ARGV_ENV, SUPERVISOR_PID_ENV } from '../cluster/parent-watch.js';
import type { ProcessComponent, ProcessSpec } from '../cluster/processes.js';
import type { Logger } from '../log.js';
import { RESET_AFTER_MS, restartDelayMs } from './backoff.js';
import { serveControlSocket, supervisorSocket, type SupervisorReply, type SupervisorRequest } from './control.js';
import { probeHealth, type ProbeOptions } from './health.js';
import { isClusterProcess, killLeftovers, listPidFiles, pidAlive, pidFile, removePidFile, signal, writePidFile } from './pid-files.js';
import type { SupervisorLock } from './lock.js';
import { createSocketKeeper, type SocketKeeper } from './socket-keeper.js';
import { readSupervisorState, writeSupervisorState, type ProcessStatus, type SupervisorState } from './state.js';

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
  /** This supervisor's own command line, handed to its children so they can start it again. */
  argv?: string[];
  /** How often adopted processes (not our children) are checked; default 100 ms. */
  adoptedPollMs?: number;
  /** The cluster's lock (an adopted process's link closing says it died). */
  lock?: SupervisorLock;
}

export interface Supervisor {
  /** Resolves once shut down: every child gone, pid files and socket removed. */
  done: Promise<void>;
  shutdown(reason: string): Promise<void>;
  state(): SupervisorState;
  /** Names of the processes this supervisor adopted at start (running before it came). */
  adopted(): string[];
}

interface Managed {
  spec: ProcessSpec;
  child: ChildProcess | null;
  /** A process started by an earlier supervisor, watched by pid (it is not our child). */
  adoptedPid: number | null;
  /** Resolves when the current process (child or adopted) has exited. */
  exited: Promise<void>;
  markExited: () => void;
  status: ProcessStatus;
  startedAtMs: number;
  consecutiveFailures: number;
  /** Put down on purpose: not restarted until started again. */
  heldDown: boolean;
  restartTimer: NodeJS.Timeout | null;
  keeper: SocketKeeper | null;
  /** A booted second process (spec.standby) waiting to take over; promoted when the active one dies. */
  standby: ChildProcess | null;
  standbyTimer: NodeJS.Timeout | null;
}

/** How long after a promotion (or a standby's death) the next standby is started. */
const STANDBY_DELAY_MS = 1000;

/**
 * Start-up order: the store's own servers first (redis, or the etcd members together, which
 * turn healthy once they have elected a leader), then everything else together: the
 * nodes, the proxy and the DNS boot while the control plane does, and retry the API until it answers,
 * which takes ~0.25 s off `up` compared with waiting for the control plane first.
 */
const STAGE_OF: Record<ProcessComponent, number> = { redis: 0, etcd: 0, 'control-plane': 1, 'api-frontend': 1, node: 1, proxy: 1, dns: 1, ingress: 1 };

/** Whether `pid` is the cluster's process `name` (its environment says so; redis: its folder). */
function isNamedClusterProcess(pid: number, home: string, name: string, component: ProcessComponent): boolean {
  if (!isClusterProcess(pid, home)) return false;
  if (component === 'redis') return true;
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`${PROCESS_NAME_ENV}=${name}`);
  } catch {
    // no /proc: isClusterProcess trusted the pid file
    return true;
  }
}

export async function startSupervisor(options: SupervisorOptions): Promise<Supervisor> {
  const { home, logger } = options;
  const paths = clusterPaths(home);
  const socketPath = supervisorSocket(home);
  const stageTimeoutMs = options.stageTimeoutMs ?? 30_000;
  const stopGraceMs = options.stopGraceMs ?? 5000;
  mkdirSync(paths.logsDir, { recursive: true, mode: 0o700 });
  mkdirSync(paths.pidsDir, { recursive: true, mode: 0o700 });

  const names = new Set<string>();
  for (const spec of options.specs) {
    if (names.has(spec.name) || spec.name === 'supervisor') throw new Error(`duplicate process name ${JSON.stringify(spec.name)}`);
    names.add(spec.name);
  }

  const previous = readSupervisorState(paths.supervisorState);
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
    adoptedPid: null,
    exited: Promise.resolve(),
    markExited: () => {},
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
    // the keeper's IPC channel also carries a standby's promotion
    keeper: spec.keepsSockets || spec.standby ? createSocketKeeper(spec.name, logger) : null,
    standby: null,
    standbyTimer: null,
  }));

  // Adopt what runs already: the processes an earlier supervisor started (it died or was
  // replaced), named by their pid files. Pid files of processes that are not part of this
  // cluster's specs any more are leftovers: those processes are stopped.
  const adoptedNames: string[] = [];
  const pidFiles = listPidFiles(paths.pidsDir);
  for (const m of managed) {
    // put down on purpose (`loopkube node stop`) under the earlier supervisor: it stays down
    if (previous && previous.phase !== 'stopped' && previous.processes.some((p) => p.name === m.spec.name && p.state === 'stopped')) {
      m.heldDown = true;
      m.status = { ...m.status, state: 'stopped' };
    }
    const pid = pidFiles.get(m.spec.name);
    if (pid === undefined) continue;
    if (!isNamedClusterProcess(pid, home, m.spec.name, m.spec.component)) {
      removePidFile(pidFile(paths.pidsDir, m.spec.name));
      continue;
    }
    const before = previous?.processes.find((p) => p.name === m.spec.name && p.pid === pid);
    m.adoptedPid = pid;
    m.startedAtMs = before?.startedAt ? Date.parse(before.startedAt) : Date.now();
    m.status = { ...m.status, pid, state: 'running', restarts: before?.restarts ?? 0, startedAt: before?.startedAt ?? null };
    let resolve: () => void = () => {};
    m.exited = new Promise<void>((r) => (resolve = r));
    m.markExited = resolve;
    adoptedNames.push(m.spec.name);
  }
  const known = new Set([...names, 'supervisor']);
  const strays = [...pidFiles.keys()].filter((n) => !known.has(n));
  if (strays.length) {
    const killed = await killLeftovers(paths.pidsDir, home, { except: [...known] });
    if (killed.length) logger.warn({ processes: killed }, 'stopped processes left over that are not part of the cluster any more');
  }
  if (adoptedNames.length) logger.info({ processes: adoptedNames }, 'adopted the processes that were running');
  writePidFile(paths.supervisorPid, process.pid);

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

  const alive = (m: Managed): boolean => m.child !== null || m.adoptedPid !== null;
  const currentPid = (m: Managed): number | null => m.child?.pid ?? m.adoptedPid;

  function spawnChild(m: Managed, standby: boolean): ChildProcess {
    const { spec } = m;
    const fd = openSync(path.join(paths.logsDir, `${spec.name}.log`), 'a', 0o600);
    try {
      return spawn(spec.command, standby ? [...spec.args, '--standby'] : spec.args, {
        cwd: home,
        stdio: m.keeper ? ['ignore', fd, fd, 'ipc'] : ['ignore', fd, fd],
        env: {
          ...process.env,
          [SUPERVISOR_PID_ENV]: String(process.pid),
          [CLUSTER_HOME_ENV]: home,
          [PROCESS_NAME_ENV]: spec.name,
          ...(options.argv ? { [SUPERVISOR_ARGV_ENV]: JSON.stringify(options.argv) } : {}),
        },
      });
    } finally {
      closeSync(fd);
    }
  }

  function start(m: Managed): void {
    const child = spawnChild(m, false);
    logger.info({ process: m.spec.name, processPid: child.pid, command: m.spec.command, args: m.spec.args }, 'started process');
    becomeActive(m, child);
  }

  /** `child` is the process of `m` from now on: pid file, status, sockets, exit watch. */
  function becomeActive(m: Managed, child: ChildProcess, promoted = false): void {
    const { spec } = m;
    let resolveExited: () => void = () => {};
    m.exited = new Promise<void>((resolve) => (resolveExited = resolve));
    m.markExited = resolveExited;
    m.child = child;
    m.adoptedPid = null;
    m.startedAtMs = Date.now();
    m.status = { ...m.status, pid: child.pid ?? null, state: 'running', startedAt: new Date().toISOString() };
    if (child.pid !== undefined) writePidFile(pidFile(paths.pidsDir, spec.name), child.pid);
    if (m.keeper && child.pid !== undefined) {
      m.keeper.attach(child);
      if (promoted) m.keeper.activate(child);
    }
    save();

    let ended = false;
    const onEnd = (code: number | null, sig: NodeJS.Signals | null, err?: Error): void => {
      if (ended) return;
      ended = true;
      m.child = null;
      removePidFile(pidFile(paths.pidsDir, spec.name));
      resolveExited();
      exitedOnItsOwn(m, code, sig, err);
    };
    child.once('exit', (code, sig) => onEnd(code, sig));
    child.on('error', (err) => {
      // spawn failed (no pid): there will be no 'exit'
      if (child.pid === undefined) onEnd(null, null, err);
      else logger.warn({ process: spec.name, err }, 'child process error');
    });
  }

  function scheduleStandby(m: Managed, delayMs = STANDBY_DELAY_MS): void {
    if (!m.spec.standby || stopping || m.heldDown || m.standby || m.standbyTimer) return;
    if (delayMs > 0) {
      m.standbyTimer = setTimeout(() => {
        m.standbyTimer = null;
        startStandby(m);
      }, delayMs);
      m.standbyTimer.unref();
    } else {
      startStandby(m);
    }
  }

  function startStandby(m: Managed): void {
    if (!m.spec.standby || stopping || m.heldDown || m.standby) return;
    const child = spawnChild(m, true);
    if (child.pid === undefined) return;
    m.standby = child;
    logger.info({ process: m.spec.name, processPid: child.pid }, 'started a standby process');
    const onExit = (code: number | null, sig: NodeJS.Signals | null): void => {
      if (m.standby !== child) return;
      m.standby = null;
      if (!stopping) logger.warn({ process: m.spec.name, processPid: child.pid, code, signal: sig }, 'standby process exited; starting another');
      scheduleStandby(m);
    };
    child.once('exit', onExit);
    child.on('error', () => {});
    (child as ChildProcess & { standbyExit?: typeof onExit }).standbyExit = onExit;
  }

  /** The active process died and a standby is booted: it takes over at once, with the held sockets. */
  function promoteStandby(m: Managed): boolean {
    const child = m.standby;
    if (!child || child.exitCode !== null || child.signalCode !== null || !child.connected) return false;
    m.standby = null;
    const onExit = (child as ChildProcess & { standbyExit?: (code: number | null, sig: NodeJS.Signals | null) => void }).standbyExit;
    if (onExit) child.off('exit', onExit);
    m.status.restarts += 1;
    logger.info({ process: m.spec.name, processPid: child.pid, sockets: m.keeper?.held() ?? 0 }, 'promoted the standby process');
    becomeActive(m, child, true);
    scheduleStandby(m);
    return true;
  }

  function stopStandby(m: Managed, sig: NodeJS.Signals): Promise<void> {
    if (m.standbyTimer) clearTimeout(m.standbyTimer);
    m.standbyTimer = null;
    const child = m.standby;
    m.standby = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(sig);
    const force = setTimeout(() => child.kill('SIGKILL'), stopGraceMs);
    force.unref();
    return gone.then(() => clearTimeout(force));
  }

  /**
   * An adopted process is not our child: no 'exit' event. Its link to the lock closes the moment
   * it dies (then it is looked at at once: a standby takes over within milliseconds); its pid is
   * also polled, for one without a link (redis-server).
   */
  const checkAdopted = (): void => {
    for (const m of managed) {
      const pid = m.adoptedPid;
      if (pid === null || (pidAlive(pid) && isClusterProcess(pid, home))) continue;
      m.adoptedPid = null;
      removePidFile(pidFile(paths.pidsDir, m.spec.name));
      m.markExited();
      exitedOnItsOwn(m, null, null);
    }
  };
  const adoptedWatch = setInterval(checkAdopted, options.adoptedPollMs ?? 100);
  adoptedWatch.unref();
  options.lock?.onLinkClosed(() => {
    // the kernel closes the link before the process is reaped: look until it is gone (briefly)
    checkAdopted();
    setImmediate(checkAdopted);
  });

  function exitedOnItsOwn(m: Managed, code: number | null, sig: NodeJS.Signals | null, err?: Error): void {
    const at = new Date().toISOString();
    m.status = { ...m.status, pid: null, lastExit: { code, signal: sig, at } };
    if (stopping || m.heldDown) {
      m.status.state = 'stopped';
      logger.info({ process: m.spec.name, code, signal: sig }, 'process stopped');
      save();
      return;
    }
    if (Date.now() - m.startedAtMs >= RESET_AFTER_MS) m.consecutiveFailures = 0;
    if (m.consecutiveFailures === 0 && promoteStandby(m)) {
      m.consecutiveFailures += 1;
      logger.warn({ process: m.spec.name, code, signal: sig, ...(err ? { err: err.message } : {}) }, 'process exited; its standby took over');
      return;
    }
    const delay = restartDelayMs(m.consecutiveFailures);
    m.consecutiveFailures += 1;
    m.status.state = 'restarting';
    logger.warn(
      { process: m.spec.name, code, signal: sig, ...(err ? { err: err.message } : {}), restartInMs: delay },
      'process exited; restarting',
    );
    save();
    const restart = (): void => {
      m.restartTimer = null;
      if (stopping || m.heldDown || alive(m)) return;
      m.status.restarts += 1;
      start(m);
    };
    // The first restart in a row happens at once: a timer would only add a loop turn.
    if (delay === 0) restart();
    else m.restartTimer = setTimeout(restart, delay);
  }

  /** Signals the current process (child or adopted) and waits until it is gone. */
  async function kill(m: Managed, sig: NodeJS.Signals): Promise<void> {
    if (m.child) m.child.kill(sig);
    else if (m.adoptedPid !== null) signal(m.adoptedPid, sig);
    await m.exited;
  }

  async function stopProcess(m: Managed): Promise<void> {
    m.heldDown = true;
    if (m.restartTimer) clearTimeout(m.restartTimer);
    m.restartTimer = null;
    await stopStandby(m, 'SIGKILL');
    if (alive(m)) {
      logger.info({ process: m.spec.name, processPid: currentPid(m) }, 'stopping process on request (SIGKILL)');
      await kill(m, 'SIGKILL');
    }
    m.status = { ...m.status, pid: null, state: 'stopped' };
    save();
  }

  function startProcess(m: Managed): void {
    m.heldDown = false;
    if (alive(m)) return;
    if (m.restartTimer) clearTimeout(m.restartTimer);
    m.restartTimer = null;
    m.consecutiveFailures = 0;
    logger.info({ process: m.spec.name }, 'starting process on request');
    start(m);
    scheduleStandby(m);
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
      for (const m of stage) if (!m.heldDown && !alive(m) && !m.restartTimer) start(m);
      await waitHealthy(stage);
    }
    if (!stopping) {
      phase = 'running';
      logger.info('every process started');
      save();
      for (const m of managed) scheduleStandby(m, 0);
    }
  }

  /** SIGTERM (children and adopted processes alike), then SIGKILL for whatever is still there after the grace period. */
  async function stopTogether(group: Managed[]): Promise<void> {
    const live = group.filter(alive);
    if (live.length === 0) return;
    const allExited = Promise.all(live.map((m) => kill(m, 'SIGTERM')));
    const inTime = await Promise.race([allExited.then(() => true), sleep(stopGraceMs).then(() => false)]);
    if (!inTime) {
      const stubborn = live.filter(alive);
      logger.warn({ processes: stubborn.map((m) => m.spec.name) }, `not gone ${stopGraceMs} ms after SIGTERM; sending SIGKILL`);
      await Promise.all(stubborn.map((m) => kill(m, 'SIGKILL')));
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
        if (!alive(m)) m.status = { ...m.status, state: 'stopped', pid: null };
      }
      // Everything that uses the store first (so its last writes, such as a leader releasing
      // its Lease, still land), then the store's own servers one at a time: an etcd leader
      // that stops hands leadership to a member still running, which is quick, but waits out a
      // timeout when that member is stopping too. Standbys go with the first group.
      const running = managed.filter(alive);
      const isStore = (m: Managed) => STAGE_OF[m.spec.component] === 0;
      await Promise.all([stopTogether(running.filter((m) => !isStore(m))), ...managed.map((m) => stopStandby(m, 'SIGTERM'))]);
      for (const m of running.filter(isStore)) await stopTogether([m]);
      clearInterval(adoptedWatch);
      for (const m of managed) m.keeper?.closeAll();
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

  return { done, shutdown, state, adopted: () => [...adoptedNames] };
}

// One container of a pod, run as kubelet runs it, with the built-in app standing in for the
// process: "start" binds the app on every containerPort of the pod IP, "exit" closes them.
// It keeps the container's state as kubelet reports it (waiting / running / terminated, the last
// state, restart count, ready and started), runs its startup, readiness and liveness probes, and
// restarts it after a crash or a failed liveness probe as the restart policy says, with
// crash-loop back-off. Its lifecycle hooks run as kubelet runs them (nodes/lifecycle-hooks.ts):
// postStart before it counts as running, preStop before SIGTERM, within the grace period. A batch
// container (restartPolicy Never or OnFailure) ends by itself after a short run, as a Job's
// process does (container-lifetime.ts).
import { randomBytes } from 'node:crypto';
import { podVersion } from '../src/api/pod-version.js';
import type { Container, ContainerState, Pod, Probe } from '../src/api/types.js';
import type { EventRecorder } from '../src/controllers/events.js';
import type { Logger } from '../src/log.js';
import { lowPortFixClause, unprivilegedPortStart } from '../src/cluster/privileged-ports.js';
import { DEFAULT_KNOBS, parseAppKnobs, type AppKnobs } from './app-knobs.js';
import type { ContainerView } from './container-view.js';
import type { PortChoice } from './image-ports.js';
import { sigtermApps, type AppShutdown } from './app-shutdown.js';
import { runLifecycleHook, type HookContext } from './lifecycle-hooks.js';
import { createRestartBackoff, type RestartBackoffOptions } from './backoff.js';
import { containerLifetime, exitReason } from './container-lifetime.js';
import { createContainerLog, type ContainerLog } from './container-logs.js';
import { runsShell, startMainProcess, type MainProcess } from './main-process.js';
import { withContainerEnv, type ToolboxPod } from './toolbox/context.js';
import { createAppControl, type AppControl, type ContainerControl, type ProbeKind } from './control.js';
import { startPodApp, type PodApp, type RequestCounter } from './pod-app.js';
import { appUsage, newAppUsageMeter, type AppUsageMeter, type ContainerUsage } from '../src/metrics/usage.js';
import { containerUsage } from '../src/metrics/proc-usage.js';
import type { ContainerSnapshot } from './pod-status.js';
import { rfc3339 } from './pod-status.js';
import { startProbeWorker, type ProbeWorker } from './prober.js';
import { runProbe } from './probes.js';
import { execCollecting, type HostContainer } from './host-process/host-container.js';
import { HostStartError, type HostProcess } from './host-process/process.js';
import type { ExecStreams } from './toolbox/shell.js';

export interface ContainerRuntimeDeps {
  spec: Container;
  /** The pod as last seen (for events and the restart policy). */
  pod(): Pod;
  podIP: string;
  nodeName: string;
  counter: RequestCounter;
  events: EventRecorder;
  logger: Logger;
  backoff: RestartBackoffOptions;
  /** Something the status shows changed. */
  onChange(): void;
  /** Probe seconds in ms (1000; tests may shrink it). */
  msPerSecond?: number;
  /** The container's log folder (`<pod dir>/<container>`). */
  logDir: string;
  /** Its writable layer, what the toolbox writes (kubectl cp): `<pod dir>/rootfs/<container>`. */
  rootfsDir: string;
  /** The pod as the toolbox sees it, for a container whose command is an interactive shell. */
  toolboxPod(): ToolboxPod;
  /** What the container's status said before this node process started (it restarted under us). */
  previous?: { restartCount: number; wasRunning: boolean; lastState?: ContainerState };
  /**
   * The container's config, made at each start as kubelet makes it: its environment resolved
   * (ConfigMaps, Secrets, fields) and what it sees; or kubelet's error when a source is missing.
   */
  prepare(): { env: Array<[string, string]>; view: ContainerView } | { error: string };
  /** Where the app listens (declared ports, else where its image would); re-asked at each start. */
  ports(): PortChoice;
  /** The node's address: hostPorts open there (unless the port names a hostIP). */
  nodeIP: string;
  /**
   * The container's command runs as host processes (the cluster allows them and the container
   * names a command): host-process/. Absent, the built-in app serves.
   */
  host?: HostContainer;
  /** The container names a command this cluster does not run (no --host-processes): said once in an event. */
  commandNotRun?: string;
}

export interface ContainerRuntime {
  readonly name: string;
  /** Its stdout/stderr, per instance (kubectl logs). */
  readonly log: ContainerLog;
  /** The environment its current (or last) instance started with; undefined before the first start. */
  env(): ReadonlyArray<readonly [string, string]> | undefined;
  /** Its volume mounts as its current (or last) instance sees them. */
  view(): ContainerView | undefined;
  /** Its writable layer on the node. */
  readonly rootfs: string;
  /** Its attachable main process (an interactive shell), when it has one. */
  process(): MainProcess | undefined;
  /** Starts the container (the first time). */
  start(): void;
  snapshot(): ContainerSnapshot;
  /**
   * Stops for pod termination as kubelet's killContainer does: the preStop hook (for at most
   * graceMs), then SIGTERM (the app does what ON_SIGTERM says), then the kill once the rest of
   * the grace period, at least 2 s, is over. Readiness probes keep running meanwhile. Resolves
   * once the container has exited.
   */
  stop(graceMs: number): Promise<void>;
  /** Closes everything at once (grace ran out, the pod is gone, the node shuts down). */
  kill(): void;
  /** The running app's control (its flags and a crash), or null when it is not running. */
  control(): ContainerControl | null;
  /** A ConfigMap or Secret changed: a container waiting in CreateContainerConfigError tries again. */
  retryConfig(): void;
  /** Opens the app on these ports too while it runs (a Service now sends to them). */
  ensurePorts(choice: PortChoice): void;
  /** `kubectl exec` of a host-process container: the real command in its env and folder (undefined: the toolbox serves). */
  hostExec(): ((command: string[], streams: ExecStreams) => Promise<number>) | undefined;
  /** What the running container uses (kubelet's resource metrics); undefined when it is not running. */
  usage(): ContainerUsage | undefined;
}

type Phase =
  | { kind: 'waiting'; reason: string; message?: string }
  | { kind: 'running'; startedAt: string; containerID: string }
  | { kind: 'terminated'; exitCode: number; reason: string; message?: string; startedAt?: string; finishedAt: string; containerID?: string };

type TerminatedPhase = Extract<Phase, { kind: 'terminated' }>;

/** kubelet's terminated state also names the container that ran. */
type TerminatedState = NonNullable<ContainerState['terminated']> & { containerID?: string };

function terminatedState(p: TerminatedPhase): ContainerState {
  const t: TerminatedState = { exitCode: p.exitCode, reason: p.reason };
  if (p.message) t.message = p.message;
  if (p.startedAt) t.startedAt = p.startedAt;
  t.finishedAt = p.finishedAt;
  if (p.containerID) t.containerID = p.containerID;
  return { terminated: t };
}

const LISTEN_HINTS: Record<string, string> = {
  EADDRINUSE: 'another process on this machine already listens on this address and port',
  EACCES: `ports below ${unprivilegedPortStart()} need root, or ${lowPortFixClause()}`,
  EADDRNOTAVAIL: 'the pod IP is not a local address (on Linux all of 127.0.0.0/8 is loopback; other systems need a loopback alias)',
};

function newContainerID(): string {
  return `loopkube://${randomBytes(32).toString('hex')}`;
}

export function listenFailure(err: NodeJS.ErrnoException, host: string, port: number): string {
  const hint = err.code ? LISTEN_HINTS[err.code] : undefined;
  const base = `failed to listen on ${host}:${port}: ${err.code ?? 'error'}: ${err.message.replace(/^listen \w+: /, '').replace(/ \S+:\d+$/, '')}`;
  return hint ? `${base} (${hint})` : base;
}

export function createContainerRuntime(deps: ContainerRuntimeDeps): ContainerRuntime {
  const { spec, podIP } = deps;
  const name = spec.name;
  const image = spec.image ?? '';
  const backoff = createRestartBackoff(deps.backoff);
  const msPerSecond = deps.msPerSecond ?? 1000;
  const log = createContainerLog({ dir: deps.logDir });
  const stdout = (line: string): void => log.write('stdout', line);

  let phase: Phase = { kind: 'waiting', reason: 'ContainerCreating' };
  let lastState: ContainerState = deps.previous?.lastState ?? {};
  let restartCount = deps.previous?.restartCount ?? 0;
  /** The apps of the current run, until each is fully closed. */
  const apps = new Set<PodApp>();
  let control: AppControl = createAppControl();
  /** The current run's control, while it runs. */
  let runControl: ContainerControl | null = null;
  let probes: { readiness?: ProbeWorker; liveness?: ProbeWorker; startup?: ProbeWorker } = {};
  let startupPassed = false;
  /** The environment the running instance was started with, resolved as kubelet resolves it. */
  let startedEnv: ReadonlyArray<readonly [string, string]> | undefined;
  let startedView: ContainerView | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  /** Ends the current run of a container that runs for a while (RUN_SECONDS, a batch pod). */
  let runTimer: NodeJS.Timeout | undefined;
  /** Bumped on every run; stale callbacks of an earlier run compare it and do nothing. */
  let runId = 0;
  let stopping = false;
  let stopped: Promise<void> | undefined;
  let main: MainProcess | undefined;
  /** The ports the current run listens on, and what the app of a new one needs. */
  let listening = new Set<number>();
  let runApp: ((port: number) => Promise<PodApp>) | undefined;
  let lastPortsEvent = '';
  /** Resolves `stopped` (the container exited, or the kill came). */
  let markStopped: () => void = () => {};
  /** Aborts a running hook (the container was killed meanwhile). */
  let hookAbort = new AbortController();
  let shutdown: AppShutdown | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  /** The app's knobs from the current run's resolved env (how it stops reads them too). */
  let knobs: AppKnobs = DEFAULT_KNOBS;
  /** The current run's host process (host-process containers only). */
  let hostProc: HostProcess | undefined;
  let announcedCommand = false;
  /** The current run's usage: its app's handlers add to it (src/metrics/usage.ts). */
  let meter: AppUsageMeter = newAppUsageMeter();

  if (deps.previous?.wasRunning) {
    // This node's process restarted: the app of the previous run went with it.
    lastState = { terminated: { exitCode: 255, reason: 'Unknown', message: 'the node agent restarted', finishedAt: rfc3339() } };
    restartCount++;
  }

  const podRef = (): string => {
    const p = deps.pod();
    return `${p.metadata.name}_${p.metadata.namespace}(${p.metadata.uid})`;
  };

  // Readiness is not cut by termination: kubelet keeps probing readiness while a pod terminates
  // (a container without a readiness probe stays ready while it runs), which is what makes a
  // terminating endpoint `serving` (KEP-1672).
  function ready(): boolean {
    if (phase.kind !== 'running' || !started()) return false;
    const rp = spec.readinessProbe;
    if (rp && probes.readiness) {
      // An httpGet probe asks the app itself, which answers per the control flag.
      return rp.httpGet ? probes.readiness.ok() : probes.readiness.ok() && control.ready;
    }
    return control.ready;
  }

  function started(): boolean {
    return phase.kind === 'running' && (!spec.startupProbe || startupPassed);
  }

  function stopProbes(): void {
    clearTimeout(runTimer);
    runTimer = undefined;
    probes.readiness?.stop();
    probes.liveness?.stop();
    probes.startup?.stop();
    probes = {};
  }

  function destroyApps(): void {
    for (const a of apps) a.destroy();
    apps.clear();
  }

  function hookContext(): HookContext {
    const host = deps.host;
    return { container: spec, podIP, podRef: podRef(), msPerSecond, signal: hookAbort.signal, ...(host ? { exec: (command: string[], streams: ExecStreams) => host.exec(command, streams) } : {}) };
  }

  function probeWorker(kind: ProbeKind, probe: Probe, id: number): ProbeWorker {
    const label = kind === 'readiness' ? 'Readiness' : kind === 'liveness' ? 'Liveness' : 'Startup';
    return startProbeWorker({
      kind,
      probe,
      msPerSecond,
      run: () => (probe.exec && deps.host ? execProbe(deps.host, probe) : runProbe(probe, kind, podIP, spec)),
      onFailure(message) {
        if (id !== runId) return;
        deps.events.warning(deps.pod(), 'Unhealthy', `${label} probe failed: ${message}`);
      },
      onResult(ok) {
        if (id !== runId) return;
        if (kind === 'readiness') {
          deps.onChange();
          return;
        }
        if (kind === 'startup' && ok) {
          startupPassed = true;
          probes.startup?.stop();
          startMainProbes(id);
          deps.onChange();
          return;
        }
        if (!ok) {
          deps.logger.info({ container: name, probe: kind }, `container failed its ${kind} probe; restarting it`);
          deps.events.normal(deps.pod(), 'Killing', `Container ${name} failed ${kind} probe, will be restarted`);
          exited(137, 'Error', id);
        }
      },
    });
  }

  function startMainProbes(id: number): void {
    if (spec.readinessProbe) probes.readiness = probeWorker('readiness', spec.readinessProbe, id);
    if (spec.livenessProbe) probes.liveness = probeWorker('liveness', spec.livenessProbe, id);
  }

  async function run(): Promise<void> {
    if (stopping) return;
    const id = ++runId;
    const containerID = newContainerID();
    const pod = deps.pod();
    control = createAppControl();
    startupPassed = false;
    deps.events.normal(pod, 'Pulled', `Container image "${image}" already present on machine`);
    const config = deps.prepare();
    if ('error' in config) {
      // kubelet's generateContainerConfig failed: the container waits until its sources exist
      deps.logger.info({ container: name, err: config.error }, 'container cannot be configured yet');
      deps.events.warning(pod, 'Failed', `Error: ${config.error}`);
      phase = { kind: 'waiting', reason: 'CreateContainerConfigError', message: config.error };
      deps.onChange();
      return;
    }
    if (phase.kind === 'waiting' && phase.reason === 'CreateContainerConfigError') phase = { kind: 'waiting', reason: 'ContainerCreating' };
    startedEnv = config.env;
    startedView = config.view;
    const env = config.env.map(([k, v]) => ({ name: k, value: v }));
    const parsed = parseAppKnobs(env);
    knobs = parsed.knobs;
    meter = newAppUsageMeter();
    const runMeter = meter;
    // RUN_SECONDS / EXIT_CODE as the container sees them (resolved from ConfigMaps and Secrets too)
    const lifetime = containerLifetime(env, pod.spec.restartPolicy);
    const problems = [...parsed.problems, ...lifetime.problems];
    deps.events.normal(pod, 'Created', `Created container: ${name}`);
    log.newInstance(restartCount);
    if (deps.host) {
      runHost(id, containerID, config.env);
      return;
    }
    if (deps.commandNotRun && !announcedCommand) {
      announcedCommand = true;
      deps.logger.info({ container: name }, deps.commandNotRun);
      deps.events.normal(pod, 'CommandNotRun', deps.commandNotRun);
    }
    for (const p of problems) {
      deps.logger.warn({ container: name }, p);
      log.write('stderr', `warning: ${p}`);
    }

    const choice = deps.ports();
    const ports = choice.ports;
    announcePorts(choice);
    const identity = {
      pod: pod.metadata.name ?? '',
      namespace: pod.metadata.namespace ?? 'default',
      podIP,
      node: deps.nodeName,
      container: name,
      hostname: pod.spec.hostname || pod.metadata.name || '',
      version: podVersion(pod.metadata.labels, image),
    };
    // hostPorts open on the node's address (or the hostIP the port names), as the portmap plugin does
    const hostListeners = (spec.ports ?? [])
      .filter((p) => p.hostPort && (p.protocol ?? 'TCP') === 'TCP')
      .map((p) => ({ port: p.containerPort, listen: { host: p.hostIP && p.hostIP !== '0.0.0.0' ? p.hostIP : deps.nodeIP, port: p.hostPort! } }))
      .filter((h) => !(h.listen.host === podIP && h.listen.port === h.port));
    const appControl = control;
    const startApp = (port: number, listen?: { host: string; port: number }): Promise<PodApp> =>
      startPodApp({
        identity,
        port,
        knobs,
        control: appControl,
        counter: deps.counter,
        view: config.view,
        ...(listen ? { listen } : {}),
        stdout,
        usage: runMeter,
      });
    const targets = [...ports.map((port) => ({ port, listen: undefined })), ...hostListeners];
    const bindApps = (): Promise<Array<PromiseSettledResult<PodApp>>> => Promise.allSettled(targets.map((t) => startApp(t.port, t.listen)));
    // a port the container did not declare (its image's, a Service's) is a guess: one that
    // cannot be opened is said in an event, and the container runs on the others
    const implied = choice.reason !== undefined;
    /** The listen error of the first port that must open and failed, else undefined (and the apps are this run's). */
    const adopt = (results: Array<PromiseSettledResult<PodApp>>): { message: string } | undefined | 'stale' => {
      const bound = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      if (id !== runId || stopping) {
        // Stopped while binding: give the ports back.
        for (const a of bound) a.destroy();
        return 'stale';
      }
      const failedAt = results.findIndex((r, i) => r.status === 'rejected' && !(implied && i < ports.length));
      if (failedAt >= 0) {
        for (const a of bound) a.destroy();
        const err = (results[failedAt] as PromiseRejectedResult).reason as NodeJS.ErrnoException;
        const target = targets[failedAt]!;
        return { message: listenFailure(err, target.listen?.host ?? podIP, target.listen?.port ?? target.port) };
      }
      if (implied) {
        results.forEach((r, i) => {
          if (r.status === 'fulfilled' || i >= ports.length) return;
          const message = listenFailure(r.reason as NodeJS.ErrnoException, podIP, ports[i]!);
          deps.logger.warn({ container: name, err: message }, 'container runs without a port it does not declare');
          deps.events.warning(deps.pod(), 'Failed', `Error: ${message}`);
        });
      }
      for (const a of bound) apps.add(a);
      for (const a of bound) stdout(`listening on http://${a.host}:${a.port}`);
      listening = new Set(ports.filter((_p, i) => results[i]!.status === 'fulfilled'));
      runApp = (port) => startApp(port);
      return undefined;
    };

    // STARTUP_DELAY_MS: the process runs (and is reported running) before it listens.
    const listenLater = knobs.startupDelayMs > 0;
    if (!listenLater) {
      const failure = adopt(await bindApps());
      if (failure === 'stale') return;
      if (failure) {
        deps.logger.warn({ container: name, err: failure.message }, 'container cannot start');
        deps.events.warning(deps.pod(), 'Failed', `Error: ${failure.message}`);
        log.write('stderr', failure.message);
        log.end();
        const now = rfc3339();
        phase = { kind: 'terminated', exitCode: 128, reason: 'StartError', message: failure.message, startedAt: now, finishedAt: now, containerID };
        afterExit(id, { reason: 'RunContainerError', message: failure.message });
        return;
      }
    }
    const startedAt = rfc3339();
    deps.events.normal(deps.pod(), 'Started', `Started container ${name}`);
    if (listenLater) {
      setTimeout(() => {
        if (id !== runId || stopping) return;
        void bindApps().then((results) => {
          const failure = adopt(results);
          if (failure === 'stale' || !failure) return;
          deps.logger.warn({ container: name, err: failure.message }, 'container cannot listen; it exits');
          deps.events.warning(deps.pod(), 'Failed', `Error: ${failure.message}`);
          exited(1, 'Error', id);
        });
      }, knobs.startupDelayMs);
    }
    const postStart = spec.lifecycle?.postStart;
    if (postStart) {
      // kubelet holds the container in ContainerCreating until its postStart hook is done.
      const result = await runLifecycleHook(postStart, hookContext());
      if (id !== runId || stopping) return;
      if (!result.ok) {
        deps.logger.info({ container: name, err: result.message }, 'postStart hook failed; killing the container');
        deps.events.warning(deps.pod(), 'FailedPostStartHook', result.message);
        deps.events.normal(deps.pod(), 'Killing', `FailedPostStartHook`);
        destroyApps();
        phase = { kind: 'terminated', exitCode: 137, reason: 'Error', startedAt, finishedAt: rfc3339(), containerID };
        afterExit(id, { reason: 'PostStartHookError', message: result.message });
        return;
      }
    }
    phase = { kind: 'running', startedAt, containerID };
    runControl = {
      flags: appControl,
      hooks: {
        crash: (code) => {
          if (id !== runId || phase.kind !== 'running') return;
          deps.logger.info({ container: name, exitCode: code }, 'container crashed (control path)');
          exited(code, exitReason(code), id);
        },
        changed: () => {
          if (id === runId) deps.onChange();
        },
      },
    };
    deps.logger.info({ container: name, podIP, ports: [...listening], restartCount, listensInMs: knobs.startupDelayMs }, 'container started');
    if (runsShell(spec)) {
      const proc = startMainProcess(spec, withContainerEnv(deps.toolboxPod(), config.env), stdout);
      main = proc;
      void proc.exited.then((code) => {
        if (main === proc) exited(code, code === 0 ? 'Completed' : 'Error', id);
      });
    }
    if (spec.startupProbe) probes.startup = probeWorker('startup', spec.startupProbe, id);
    else startMainProbes(id);
    if (lifetime.runMs !== undefined) {
      runTimer = setTimeout(() => {
        deps.logger.info({ container: name, exitCode: lifetime.exitCode }, 'container finished its run');
        exited(lifetime.exitCode, exitReason(lifetime.exitCode), id);
      }, lifetime.runMs);
    }
    deps.onChange();
  }

  /** One run of a host-process container: its command as a real process group on the pod IP. */
  function runHost(id: number, containerID: string, env: Array<[string, string]>): void {
    const host = deps.host!;
    if (!announcedCommand) {
      announcedCommand = true;
      for (const m of host.mounts()) {
        const text = `Volume mounted at ${m.mountPath} is not there for container ${name}: a host process has no mount namespace; its files are in ${m.path} ($${m.env})`;
        deps.logger.info({ container: name, mountPath: m.mountPath, path: m.path }, text);
        deps.events.normal(deps.pod(), 'HostProcessMounts', text);
      }
    }
    let started: ReturnType<HostContainer['start']>;
    try {
      started = host.start({ env, port: deps.ports().ports[0], id: containerID.replace(/^loopkube:\/\//, ''), line: (stream, text) => log.write(stream, text) });
    } catch (err) {
      if (!(err instanceof HostStartError)) throw err;
      // runc's words, as kubelet reports a command that cannot start
      const message = `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ${err.message}: unknown`;
      deps.logger.warn({ container: name, err: err.message }, 'container cannot start');
      deps.events.warning(deps.pod(), 'Failed', `Error: ${message}`);
      log.write('stderr', err.message);
      log.end();
      const now = rfc3339();
      phase = { kind: 'terminated', exitCode: 128, reason: 'StartError', message, startedAt: now, finishedAt: now, containerID };
      afterExit(id, { reason: 'RunContainerError', message });
      return;
    }
    const proc = started.process;
    hostProc = proc;
    main = proc;
    const startedAt = rfc3339();
    deps.events.normal(deps.pod(), 'Started', `Started container ${name}`);
    deps.logger.info({ container: name, pid: proc.pid, argv: started.argv, cwd: started.cwd, podIP, memoryLimit: started.memory, restartCount }, 'host process started');
    void proc.ended.then((e) => {
      if (hostProc !== proc) return;
      deps.logger.info({ container: name, pid: proc.pid, exitCode: e.exitCode, reason: e.reason, signal: e.signal }, 'host process exited');
      if (phase.kind === 'running') exited(e.exitCode, e.reason, id);
      else if (id === runId && !stopping) {
        // it ended during its postStart hook
        phase = { kind: 'terminated', exitCode: e.exitCode, reason: e.reason, startedAt, finishedAt: rfc3339(), containerID };
        afterExit(id);
      }
    });
    const begin = (): void => {
      if (id !== runId || stopping || hostProc !== proc) return;
      phase = { kind: 'running', startedAt, containerID };
      runControl = {
        flags: control,
        hooks: {
          crash: () => {
            if (id === runId && phase.kind === 'running') proc.kill();
          },
          changed: () => {
            if (id === runId) deps.onChange();
          },
        },
      };
      if (spec.startupProbe) probes.startup = probeWorker('startup', spec.startupProbe, id);
      else startMainProbes(id);
      deps.onChange();
    };
    const postStart = spec.lifecycle?.postStart;
    if (!postStart) return begin();
    void runLifecycleHook(postStart, hookContext()).then((result) => {
      if (id !== runId || stopping || hostProc !== proc) return;
      if (result.ok) return begin();
      deps.logger.info({ container: name, err: result.message }, 'postStart hook failed; killing the container');
      deps.events.warning(deps.pod(), 'FailedPostStartHook', result.message);
      deps.events.normal(deps.pod(), 'Killing', `FailedPostStartHook`);
      hostProc = undefined;
      main = undefined;
      proc.kill();
      phase = { kind: 'terminated', exitCode: 137, reason: 'Error', startedAt, finishedAt: rfc3339(), containerID };
      afterExit(id, { reason: 'PostStartHookError', message: result.message });
    });
  }

  /** Says where a container that declares no ports listens, once per change of it. */
  function announcePorts(choice: PortChoice): void {
    if (!choice.reason) return;
    const where = choice.ports.length ? `listens on ${choice.ports.join(', ')}` : 'listens on no port';
    const text = `Container ${name} declares no ports: the built-in app ${where}, ${choice.reason}`;
    if (text === lastPortsEvent) return;
    lastPortsEvent = text;
    deps.logger.info({ container: name, ports: choice.ports }, text);
    deps.events.normal(deps.pod(), 'ContainerPorts', text);
  }

  /** The running container stopped (crash, failed liveness probe). */
  function exited(exitCode: number, reason: string, id: number): void {
    if (id !== runId || phase.kind !== 'running') return;
    stopProbes();
    destroyApps();
    main?.kill();
    main = undefined;
    if (!deps.host) stdout(`exit ${exitCode}`);
    hostProc = undefined;
    log.end();
    phase = { kind: 'terminated', exitCode, reason, startedAt: phase.startedAt, finishedAt: rfc3339(), containerID: phase.containerID };
    afterExit(id);
    // It died while being stopped (a crash during its preStop hook): the stop is over.
    if (stopping) {
      clearTimeout(killTimer);
      markStopped();
    }
  }

  /** Decides, per the restart policy, whether and when the stopped container runs again. */
  function afterExit(id: number, startError?: { reason: string; message: string }): void {
    if (phase.kind !== 'terminated' || stopping) {
      deps.onChange();
      return;
    }
    const policy = deps.pod().spec.restartPolicy ?? 'Always';
    const restart = policy === 'Always' || (policy === 'OnFailure' && phase.exitCode !== 0);
    if (!restart) {
      deps.onChange();
      return;
    }
    lastState = terminatedState(phase);
    const waitMs = backoff.next(Date.now());
    if (waitMs === 0) {
      restartCount++;
      phase = { kind: 'waiting', reason: startError?.reason ?? 'ContainerCreating', message: startError?.message };
      deps.onChange();
      void run();
      return;
    }
    const seconds = Math.round(waitMs / 100) / 10;
    const backoffText = `back-off ${seconds}s restarting failed container=${name} pod=${podRef()}`;
    phase = startError ? { kind: 'waiting', reason: startError.reason, message: `${startError.message}; ${backoffText}` } : { kind: 'waiting', reason: 'CrashLoopBackOff', message: backoffText };
    deps.events.warning(deps.pod(), 'BackOff', `Back-off restarting failed container ${name} in pod ${podRef()}`);
    deps.onChange();
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (id !== runId || stopping) return;
      restartCount++;
      void run();
    }, waitMs);
  }

  /** SIGKILL: everything closes at once. */
  function kill(exitCode: number): void {
    stopping = true;
    runId++;
    runApp = undefined;
    clearTimeout(restartTimer);
    clearTimeout(killTimer);
    hookAbort.abort();
    hookAbort = new AbortController();
    shutdown?.cancel();
    stopProbes();
    destroyApps();
    main?.kill();
    main = undefined;
    hostProc = undefined;
    if (phase.kind === 'running') {
      if (!deps.host) stdout(`SIGKILL; exit ${exitCode}`);
      phase = { kind: 'terminated', exitCode, reason: 'Error', startedAt: phase.startedAt, finishedAt: rfc3339(), containerID: phase.containerID };
      deps.onChange();
    }
    log.close();
    markStopped();
  }

  return {
    name,
    log,
    env: () => startedEnv,
    view: () => startedView,
    rootfs: deps.rootfsDir,
    process: () => main,
    start() {
      void run();
    },
    control: () => (phase.kind === 'running' && !stopping ? runControl : null),
    usage: () => {
      if (phase.kind !== 'running') return undefined;
      // a host process: its process group from /proc; the built-in app: its handlers' meter
      return hostProc ? containerUsage({ pgid: hostProc.pid, startedAtMs: Date.parse(phase.startedAt) }) : appUsage(meter);
    },
    retryConfig() {
      if (stopping || phase.kind !== 'waiting' || phase.reason !== 'CreateContainerConfigError') return;
      void run();
    },
    ensurePorts(choice) {
      const open = runApp;
      if (phase.kind !== 'running' || stopping || !open) return;
      const added = choice.ports.filter((p) => !listening.has(p));
      if (added.length === 0) return;
      const id = runId;
      for (const p of added) listening.add(p);
      announcePorts({ ports: [...listening], reason: choice.reason });
      for (const port of added) {
        open(port).then(
          (app) => {
            if (id !== runId || stopping) app.destroy();
            else apps.add(app);
          },
          (err: NodeJS.ErrnoException) => {
            listening.delete(port);
            const message = listenFailure(err, podIP, port);
            deps.logger.warn({ container: name, err: message }, 'cannot open a port a Service sends to');
            deps.events.warning(deps.pod(), 'Failed', `Error: ${message}`);
          },
        );
      }
    },
    snapshot() {
      let state: ContainerState;
      let containerID: string | undefined;
      switch (phase.kind) {
        case 'waiting':
          state = { waiting: phase.message ? { reason: phase.reason, message: phase.message } : { reason: phase.reason } };
          break;
        case 'running':
          state = { running: { startedAt: phase.startedAt } };
          containerID = phase.containerID;
          break;
        case 'terminated':
          state = terminatedState(phase);
          containerID = phase.containerID;
          break;
      }
      return {
        name,
        image,
        state,
        lastState,
        ready: ready(),
        started: started(),
        restartCount,
        ...(containerID ? { containerID } : {}),
      };
    },
    stop(graceMs) {
      if (stopped) return stopped;
      stopping = true;
      clearTimeout(restartTimer);
      stopped = new Promise<void>((resolve) => (markStopped = resolve));
      if (phase.kind !== 'running') {
        // Not running (waiting, backing off, in its postStart hook): nothing to signal.
        hookAbort.abort();
        stopProbes();
        destroyApps();
        if (phase.kind === 'waiting') phase = { kind: 'terminated', exitCode: 137, reason: 'Error', finishedAt: rfc3339() };
        markStopped();
        return stopped;
      }
      // A shell run as the main process (kubectl run -it) ends with its container (a host
      // process gets its preStop hook and SIGTERM below).
      if (!hostProc) {
        main?.kill();
        main = undefined;
      }
      // Liveness and startup probes stop (a failure could not restart it any more); readiness goes on.
      probes.liveness?.stop();
      probes.startup?.stop();
      const begun = Date.now();
      deps.events.normal(deps.pod(), 'Killing', `Stopping container ${name}`);
      const preStop = spec.lifecycle?.preStop;
      const hookDone: Promise<void> =
        preStop && graceMs > 0
          ? new Promise<void>((resolve) => {
              // The hook gets the whole grace period at most; then SIGTERM comes regardless.
              const overrun = setTimeout(() => {
                deps.logger.info({ container: name, gracePeriodMs: graceMs }, 'preStop hook did not complete within the grace period');
                resolve();
              }, graceMs);
              void runLifecycleHook(preStop, hookContext()).then((result) => {
                clearTimeout(overrun);
                if (!result.ok && phase.kind === 'running') deps.events.warning(deps.pod(), 'FailedPreStopHook', result.message);
                resolve();
              });
            })
          : Promise.resolve();
      void hookDone.then(() => {
        if (phase.kind !== 'running') return;
        // What is left of the grace period, never under kubelet's 2 s minimum shutdown window.
        const leftMs = Math.max(2 * msPerSecond, graceMs - (Date.now() - begun));
        deps.logger.info({ container: name, onSigterm: knobs.onSigterm, killInMs: leftMs }, 'sending SIGTERM');
        killTimer = setTimeout(() => {
          deps.logger.info({ container: name }, 'grace period over; killing the container');
          kill(137);
        }, leftMs);
        if (hostProc) {
          // SIGTERM to its process group; its exit (exited()) ends the stop
          hostProc.terminate();
          return;
        }
        stdout(`SIGTERM received; ${knobs.onSigterm === 'drain' ? 'draining' : knobs.onSigterm === 'exit' ? 'exiting' : 'ignoring it'} (${apps.size} listener${apps.size === 1 ? '' : 's'})`);
        shutdown = sigtermApps(apps, knobs, (a) => apps.delete(a));
        void shutdown.exited.then(() => {
          if (phase.kind !== 'running') return;
          clearTimeout(killTimer);
          stopProbes();
          // A draining server exits 0; one that drops everything on SIGTERM dies of it (128+15).
          const code = knobs.onSigterm === 'exit' ? 143 : 0;
          stdout(code === 0 ? 'drained; exit 0' : `exit ${code}`);
          log.end();
          phase = { kind: 'terminated', exitCode: code, reason: code === 0 ? 'Completed' : 'Error', startedAt: phase.startedAt, finishedAt: rfc3339(), containerID: phase.containerID };
          deps.onChange();
          markStopped();
        });
      });
      return stopped;
    },
    kill: () => kill(137),
    hostExec() {
      const host = deps.host;
      return host && hostProc ? (command, streams) => host.exec(command, streams) : undefined;
    },
  };
}

/** An exec probe of a host-process container: the command in the container, exit 0 passes, within the probe's timeout. */
function execProbe(host: HostContainer, probe: Probe): Promise<{ ok: boolean; message: string }> {
  const command = probe.exec?.command ?? [];
  const timeoutMs = Math.max(1, probe.timeoutSeconds ?? 1) * 1000;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  return execCollecting((cmd, streams) => host.exec(cmd, streams), command, abort.signal)
    .then(
      ({ code, output }) => {
        if (abort.signal.aborted) return { ok: false, message: `command timed out: "${command.join(' ')}" timed out after ${timeoutMs / 1000}s` };
        return code === 0 ? { ok: true, message: '' } : { ok: false, message: output.trim() || `command "${command.join(' ')}" exited with ${code}` };
      },
      (err: Error) => ({ ok: false, message: err.message }),
    )
    .finally(() => clearTimeout(timer));
}

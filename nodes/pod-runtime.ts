// One pod on this node: its IP (kept for the pod's whole life, across container restarts), its
// containers, and its graceful termination when it is deleted. The pod's status is computed
// from snapshot() by pod-status.ts and written by the status sync.
import type { Volume } from '../src/api/config.js';
import type { ContainerStatus, Pod } from '../src/api/types.js';
import type { EventRecorder } from '../src/controllers/events.js';
import type { Logger } from '../src/log.js';
import path from 'node:path';
import { CLUSTER_DOMAIN } from '../src/dns/records.js';
import type { RestartBackoffOptions } from './backoff.js';
import { toolboxPodOf } from './toolbox/context.js';
import type { ConfigSources } from './config-sources.js';
import { createContainerRuntime, type ContainerRuntime } from './container-runtime.js';
import { createContainerView } from './container-view.js';
import { createHostContainer, hasCommand } from './host-process/host-container.js';
import { runsShell } from './main-process.js';
import { resolveEnv } from './env-resolver.js';
import { choosePorts } from './image-ports.js';
import { readFolder, resolveVolume, volumeReadsSources, type VolumeFiles } from './volume-resolver.js';
import { sameFiles, volumeDir, volumeFileModes, writeVolumeFiles } from './volume-files.js';
import { newRequestCounter, type RequestCounter } from './pod-app.js';
import { podPhase, rfc3339, type PodSnapshot } from './pod-status.js';
import { gracePeriodMs, terminateContainers } from './termination.js';

export interface PodRuntimeDeps {
  pod: Pod;
  podIP: string;
  node: { name: string; ip: string };
  events: EventRecorder;
  logger: Logger;
  backoff: RestartBackoffOptions;
  /** Where the cluster DNS answers (the toolbox's resolver). */
  dns?: { ip: string; port: number };
  /** The pod's folder on the node (its containers' logs), as /var/log/pods/<ns>_<name>_<uid>. */
  podDir: string;
  /** Something the pod's status shows changed. */
  onStatusChange(): void;
  /** Confirms the deletion to the API server (DELETE with grace 0 and the pod's uid). */
  confirmDeletion(pod: Pod): Promise<void>;
  msPerSecond?: number;
  /** The ConfigMaps, Secrets and Services the pod's env, volumes and ports come from. */
  sources: ConfigSources;
  /** The node's capacity (resourceFieldRef of a container without limits). */
  capacity: { cpu: string; memory: string };
  /** The node's pods folder: volumes are written under `<podsDir>/<uid>/volumes/` (none: memory only). */
  podsDir?: string;
  /** The cluster runs containers' commands as host processes (`up --host-processes`; needs podsDir). */
  hostProcesses?: HostProcessesOptions;
}

export interface HostProcessesOptions {
  /** The node's folder (pid files, the marker of its processes). */
  nodeDir: string;
  /** Crash-loop back-off of host-process containers (kubelet's: 10 s doubling to 5 min). */
  backoff: RestartBackoffOptions;
}

/** The event of a container whose command this cluster does not run. */
export function commandNotRunMessage(spec: { name: string; command?: string[]; args?: string[] }): string {
  const argv = [...(spec.command ?? []), ...(spec.args ?? [])];
  return (
    `Container ${spec.name}: command [${argv.join(' ')}] was not run, the built-in app serves instead: this cluster does not run commands from manifests. ` +
    `To run it as a real process on the pod's IP, start the cluster with loopkube up --host-processes (or hostProcesses: true in the cluster file)`
  );
}

/** kubelet gives up waiting for volumes after this long, says so, and keeps trying. */
const MOUNT_TIMEOUT_MS = 2 * 60 * 1000 + 3000;

export interface PodRuntime {
  readonly uid: string;
  readonly podIP: string;
  pod(): Pod;
  /** A newer version of the pod object (a deletionTimestamp starts the termination). */
  update(pod: Pod): void;
  snapshot(): PodSnapshot;
  /** One of its containers, by name. */
  container(name: string): ContainerRuntime | undefined;
  /** Its containers, in spec order. */
  containers(): readonly ContainerRuntime[];
  terminating(): boolean;
  /** Every container ended for good (the pod is Succeeded or Failed): nothing runs on its IP any more. */
  finished(): boolean;
  /** Requests the pod's app answered (all containers and ports). */
  requests(): number;
  /** The same by container port and HTTP status. */
  answers(): ReadonlyMap<number, Readonly<Record<number, number>>>;
  /** The pod is gone from the API server, or the node shuts down: close everything now. */
  kill(): void;
}

export function createPodRuntime(deps: PodRuntimeDeps): PodRuntime {
  let pod = deps.pod;
  const uid = pod.metadata.uid ?? '';
  const counter: RequestCounter = newRequestCounter();
  const startTime = pod.status?.startTime ?? rfc3339();
  const previousStatuses = new Map<string, ContainerStatus>((pod.status?.containerStatuses ?? []).map((s) => [s.name, s]));
  let terminatingSince = 0;
  let graceTimer: NodeJS.Timeout | undefined;
  let graceDeadline = Infinity;
  let killed = false;

  const ns = pod.metadata.namespace ?? 'default';
  /** Mounted volumes' files, by volume name. */
  const volumes = new Map<string, VolumeFiles>();
  /** The folders of claims' volumes, by volume name: read on every look, as a mount shows what is there. */
  const folders = new Map<string, string>();
  /** Volumes that cannot be set up yet, with the error last reported for each. */
  const unmounted = new Map<string, string>();
  let containersStarted = false;
  let mountTimer: NodeJS.Timeout | undefined;
  const sourceCtx = () => ({ pod, podIP: deps.podIP, nodeIP: deps.node.ip, sources: deps.sources });

  /** Writes a volume's files into the pod's folder (a failure is logged: the app serves from memory). */
  function materialise(v: Volume, files: VolumeFiles): void {
    if (!deps.podsDir) return;
    try {
      writeVolumeFiles(volumeDir(deps.podsDir, uid, v), files, volumeFileModes(v));
    } catch (err) {
      deps.logger.warn({ volume: v.name, err: (err as Error).message }, 'could not write the volume into the pod folder');
    }
  }

  /** Sets up (or refreshes) every volume; false while one still cannot be set up. */
  function mountVolumes(): boolean {
    for (const v of pod.spec.volumes ?? []) {
      if (volumes.has(v.name) && !volumeReadsSources(v)) continue;
      const r = resolveVolume(v, sourceCtx());
      if ('files' in r) {
        if (r.folder) folders.set(v.name, r.folder);
        else if (!sameFiles(volumes.get(v.name), r.files)) materialise(v, r.files);
        volumes.set(v.name, r.files);
        unmounted.delete(v.name);
        continue;
      }
      // a mounted volume whose source went away keeps its files, as a failed kubelet refresh does
      if (volumes.has(v.name)) continue;
      if (unmounted.get(v.name) !== r.error) {
        deps.logger.info({ volume: v.name, err: r.error }, 'volume cannot be set up yet');
        deps.events.warning(pod, 'FailedMount', `MountVolume.SetUp failed for volume "${v.name}" : ${r.error}`);
      }
      unmounted.set(v.name, r.error);
    }
    return unmounted.size === 0;
  }

  function startContainers(): void {
    if (containersStarted || killed || terminatingSince) return;
    if (!mountVolumes()) {
      mountTimer ??= setTimeout(() => {
        if (containersStarted || killed) return;
        deps.events.warning(pod, 'FailedMount', `Unable to attach or mount volumes: unmounted volumes=[${[...unmounted.keys()].join(' ')}], unattached volumes=[], failed to process volumes=[]: timed out waiting for the condition`);
      }, MOUNT_TIMEOUT_MS);
      return;
    }
    clearTimeout(mountTimer);
    containersStarted = true;
    for (const c of containers) c.start();
  }

  /** A ConfigMap, Secret or Service of the pod's namespace changed. */
  function sourcesChanged(kind: string, namespace: string): void {
    if ((namespace !== ns && !(kind === 'Service' && namespace === 'default') && kind !== 'PersistentVolume') || killed || !synced) return;
    if (kind === 'Service') {
      const choice = choosePorts(pod, deps.sources.services(ns));
      for (const c of containers) {
        const ch = choice.get(c.name);
        if (ch?.reason) c.ensurePorts(ch);
      }
      return;
    }
    if (!containersStarted) {
      startContainers();
      return;
    }
    mountVolumes();
    for (const c of containers) c.retryConfig();
  }
  let synced = false;
  const unsubscribe = deps.sources.onChange(sourcesChanged);

  const containers: ContainerRuntime[] = pod.spec.containers.map((spec) => {
    const prev = previousStatuses.get(spec.name);
    const hp = deps.hostProcesses;
    const host = hp && deps.podsDir && hasCommand(spec) ? createHostContainer({ spec, pod: () => pod, podIP: deps.podIP, nodeDir: hp.nodeDir, podsDir: deps.podsDir }) : undefined;
    return createContainerRuntime({
      ...(host ? { host } : {}),
      ...(!hp && hasCommand(spec) && !runsShell(spec) ? { commandNotRun: commandNotRunMessage(spec) } : {}),
      nodeIP: deps.node.ip,
      prepare: () => {
        const r = resolveEnv(spec, { ...sourceCtx(), capacity: deps.capacity });
        if ('error' in r) return r;
        return { env: r.env, view: createContainerView(r.env, spec.volumeMounts, (name) => {
          const folder = folders.get(name);
          return folder ? readFolder(folder) : volumes.get(name);
        }) };
      },
      ports: () => choosePorts(pod, deps.sources.services(ns)).get(spec.name) ?? { ports: [] },
      spec,
      pod: () => pod,
      podIP: deps.podIP,
      nodeName: deps.node.name,
      counter,
      events: deps.events,
      logger: deps.logger,
      backoff: host && hp ? hp.backoff : deps.backoff,
      logDir: path.join(deps.podDir, spec.name),
      rootfsDir: path.join(deps.podDir, 'rootfs', spec.name),
      toolboxPod: () => toolboxPodOf(pod, deps.podIP, spec.name, deps.dns, CLUSTER_DOMAIN, undefined, { rootfs: path.join(deps.podDir, 'rootfs', spec.name) }),
      onChange: deps.onStatusChange,
      msPerSecond: deps.msPerSecond,
      previous: prev ? { restartCount: prev.restartCount ?? 0, wasRunning: !!prev.state?.running, lastState: prev.lastState } : undefined,
    });
  });

  function killAll(): void {
    for (const c of containers) c.kill();
  }

  /**
   * A second delete with a shorter grace period: what is still running is killed when it ends
   * (kubelet's grace period override; the first period is each container's own, see stop()).
   */
  function armGrace(p: Pod): void {
    const deadline = terminatingSince + gracePeriodMs(p);
    if (deadline >= graceDeadline) return;
    graceDeadline = deadline;
    clearTimeout(graceTimer);
    graceTimer = setTimeout(() => {
      deps.logger.info('grace period over; closing the connections left');
      killAll();
    }, Math.max(0, deadline - Date.now()));
  }

  function beginTermination(): void {
    terminatingSince = Date.now();
    const graceMs = gracePeriodMs(pod);
    deps.logger.info({ gracePeriodSeconds: graceMs / 1000 }, 'pod is being deleted; stopping its containers');
    // The endpoints controller marks the endpoint not ready (terminating) from the deletion
    // itself; readiness (serving) follows the containers' probes until they exit.
    deps.onStatusChange();
    graceDeadline = terminatingSince + graceMs;
    void terminateContainers(containers, graceMs).then(async () => {
      clearTimeout(graceTimer);
      if (killed) return;
      deps.logger.info('containers stopped; confirming the deletion');
      await deps.confirmDeletion(pod);
    });
  }

  const runtime: PodRuntime = {
    uid,
    podIP: deps.podIP,
    pod: () => pod,
    update(next) {
      if (killed) return;
      pod = next;
      if (pod.metadata.deletionTimestamp) {
        if (!terminatingSince) beginTermination();
        else armGrace(pod);
      }
    },
    snapshot() {
      return {
        podIP: deps.podIP,
        hostIP: deps.node.ip,
        startTime,
        containers: containers.map((c) => c.snapshot()),
      };
    },
    container: (name) => containers.find((c) => c.name === name),
    containers: () => containers,
    terminating: () => terminatingSince > 0,
    finished() {
      const phase = podPhase(pod, containers.map((c) => c.snapshot()));
      return phase === 'Succeeded' || phase === 'Failed';
    },
    requests: () => counter.requests,
    answers: () => counter.byPort,
    kill() {
      if (killed) return;
      killed = true;
      unsubscribe();
      clearTimeout(graceTimer);
      clearTimeout(mountTimer);
      killAll();
    },
  };

  if (pod.metadata.deletionTimestamp) {
    // Already being deleted when this node first saw it (e.g. this process restarted): nothing
    // runs, so there is nothing to wait for.
    for (const c of containers) c.kill();
    beginTermination();
  } else {
    // the pod's ConfigMaps and Secrets are looked up once the node's caches hold them
    void deps.sources.synced().then(() => {
      synced = true;
      startContainers();
    });
  }
  return runtime;
}

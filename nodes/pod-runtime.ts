// One pod on this node: its IP (kept for the pod's whole life, across container restarts), its
// containers, and its graceful termination when it is deleted. The pod's status is computed
// from snapshot() by pod-status.ts and written by the status sync.
import type { ContainerStatus, Pod } from '../src/api/types.js';
import type { EventRecorder } from '../src/controllers/events.js';
import type { Logger } from '../src/log.js';
import type { RestartBackoffOptions } from './backoff.js';
import { createContainerRuntime, type ContainerRuntime } from './container-runtime.js';
import { newRequestCounter, type RequestCounter } from './pod-app.js';
import { rfc3339, type PodSnapshot } from './pod-status.js';
import { gracePeriodMs, terminateContainers } from './termination.js';

export interface PodRuntimeDeps {
  pod: Pod;
  podIP: string;
  node: { name: string; ip: string };
  events: EventRecorder;
  logger: Logger;
  backoff: RestartBackoffOptions;
  /** Something the pod's status shows changed. */
  onStatusChange(): void;
  /** Confirms the deletion to the API server (DELETE with grace 0 and the pod's uid). */
  confirmDeletion(pod: Pod): Promise<void>;
  msPerSecond?: number;
}

export interface PodRuntime {
  readonly uid: string;
  readonly podIP: string;
  pod(): Pod;
  /** A newer version of the pod object (a deletionTimestamp starts the termination). */
  update(pod: Pod): void;
  snapshot(): PodSnapshot;
  terminating(): boolean;
  /** Requests the pod's app answered (all containers and ports). */
  requests(): number;
  /** One of its containers, by name. */
  container(name: string): ContainerRuntime | undefined;
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

  const containers: ContainerRuntime[] = pod.spec.containers.map((spec) => {
    const prev = previousStatuses.get(spec.name);
    return createContainerRuntime({
      spec,
      pod: () => pod,
      podIP: deps.podIP,
      nodeName: deps.node.name,
      counter,
      events: deps.events,
      logger: deps.logger,
      backoff: deps.backoff,
      onChange: deps.onStatusChange,
      msPerSecond: deps.msPerSecond,
      previous: prev ? { restartCount: prev.restartCount ?? 0, wasRunning: !!prev.state?.running, lastState: prev.lastState } : undefined,
    });
  });

  function killAll(): void {
    for (const c of containers) c.kill();
  }

  /** (Re)arms the moment the remaining connections are cut; a shorter grace period wins. */
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
    deps.logger.info({ gracePeriodSeconds: gracePeriodMs(pod) / 1000 }, 'pod is being deleted; stopping its containers');
    // Not ready at once, so endpoints drop the pod while in-flight requests finish.
    deps.onStatusChange();
    armGrace(pod);
    void terminateContainers(containers).then(async () => {
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
    terminating: () => terminatingSince > 0,
    requests: () => counter.requests,
    container: (name) => containers.find((c) => c.name === name),
    answers: () => counter.byPort,
    kill() {
      if (killed) return;
      killed = true;
      clearTimeout(graceTimer);
      killAll();
    },
  };

  if (pod.metadata.deletionTimestamp) {
    // Already being deleted when this node first saw it (e.g. this process restarted): nothing
    // runs, so there is nothing to wait for.
    for (const c of containers) c.kill();
    beginTermination();
  } else {
    for (const c of containers) c.start();
  }
  return runtime;
}

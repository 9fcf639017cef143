// The pods bound to this node: an informer on /api/v1/pods?fieldSelector=spec.nodeName=NAME
// feeds a runtime per pod; each pod gets its IP from the node's podCIDR (a pod that already has
// one, because this process restarted, keeps it); the status sync writes what they do.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { objectKey, resourcePath } from '../src/api/paths.js';
import type { Pod } from '../src/api/types.js';
import type { ApiClient } from '../src/client/client.js';
import { createInformer, type Informer } from '../src/client/informer.js';
import type { NodeConfig } from '../src/cluster/config.js';
import type { EventRecorder } from '../src/controllers/events.js';
import type { Logger } from '../src/log.js';
import type { RestartBackoffOptions } from './backoff.js';
import type { ConfigSources } from './config-sources.js';
import { removeOrphanPodDirs } from './volume-files.js';
import { createIpAllocator, PodCidrExhaustedError } from './ip-allocator.js';
import { readLastReservedIP, writeLastReservedIP } from './last-reserved-ip.js';
import { createPodRuntime, type PodRuntime } from './pod-runtime.js';
import { createPodStatusSync, type PodStatusSync } from './pod-status-sync.js';
import { buildPodStatus } from './pod-status.js';
import { confirmPodDeletion } from './termination.js';
import { PODS } from '../src/kinds/pod/resource.js';


export interface PodManagerDeps {
  client: ApiClient;
  node: NodeConfig;
  logger: Logger;
  events: EventRecorder;
  backoff: RestartBackoffOptions;
  msPerSecond?: number;
  /** Where the node keeps its small state (the last pod IP handed out); none = nothing kept. */
  stateDir?: string;
  /** Where the cluster DNS answers (the toolbox's resolver). */
  dns?: { ip: string; port: number };
  /** The ConfigMaps, Secrets and Services the pods' env, volumes and ports come from. */
  sources: ConfigSources;
  /** Containers' commands run as host processes (needs stateDir: the node's folder). */
  hostProcesses?: { backoff: RestartBackoffOptions };
}

export interface PodManager {
  /** Resolves once the first list of this node's pods is handled. */
  synced(): Promise<void>;
  /** The pods running here, by `namespace/name`. */
  runtime(key: string): PodRuntime | undefined;
  /** Every pod running here. */
  runtimes(): PodRuntime[];
  count(): number;
  statusSync: PodStatusSync;
  /** Closes every pod's listeners at once (the pods stay in the API: the node is going away). */
  stop(): void;
}

interface Entry {
  runtime: PodRuntime;
  /** The IP came from this node's allocator (and goes back to it when the pod is gone). */
  ownsIP: boolean;
}

function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

export function startPodManager(deps: PodManagerDeps): PodManager {
  const { client, node, logger } = deps;
  const informer: Informer<Pod> = createInformer<Pod>(client, {
    path: resourcePath(PODS),
    fieldSelector: `spec.nodeName=${node.name}`,
    logger,
  });
  const allocator = createIpAllocator(node.podCIDR);
  const entries = new Map<string, Entry>();
  /** Pods waiting for a free IP (the podCIDR is full). */
  const waitingForIP = new Set<string>();
  /** IPs pods already had when this process started, by pod uid; taken back by those pods. */
  const inheritedIPs = new Map<string, string>();
  let stopped = false;
  // Each pod's log folder (<state>/logs/pods/<ns>_<name>_<uid>, as /var/log/pods); a node run without a state folder (in-process
  // tests) keeps them in a temp folder of its own, removed when it stops.
  const ownPodsRoot = !deps.stateDir;
  const podsRoot = deps.stateDir ? path.join(deps.stateDir, 'logs', 'pods') : mkdtempSync(path.join(os.tmpdir(), 'loopkube-pods-'));
  const podDirOf = (pod: Pod): string => path.join(podsRoot, `${pod.metadata.namespace ?? 'default'}_${pod.metadata.name ?? ''}_${pod.metadata.uid ?? ''}`);
  const podsDir = deps.stateDir ? path.join(deps.stateDir, 'pods') : undefined;

  const statusSync = createPodStatusSync({
    client,
    logger,
    cached: (key) => informer.get(key),
    desired(key, current) {
      const e = entries.get(key);
      if (!e || e.runtime.uid !== current.metadata.uid) return undefined;
      return buildPodStatus(current, e.runtime.snapshot());
    },
  });

  function podLogger(pod: Pod): Logger {
    return logger.child({ namespace: pod.metadata.namespace, name: pod.metadata.name });
  }

  function ipFor(pod: Pod): { ip: string; owns: boolean } | null {
    // A host-network pod shares the node's address.
    if ((pod.spec as { hostNetwork?: boolean }).hostNetwork) return { ip: node.ip, owns: false };
    const uid = pod.metadata.uid ?? '';
    const had = pod.status?.podIP;
    if (had && inheritedIPs.get(uid) === had) {
      inheritedIPs.delete(uid);
      return { ip: had, owns: true };
    }
    if (had && allocator.reserve(had)) return { ip: had, owns: true };
    if (pod.metadata.deletionTimestamp) return { ip: had ?? '', owns: false };
    try {
      const ip = allocator.allocate();
      if (deps.stateDir) {
        const err = writeLastReservedIP(deps.stateDir, ip);
        if (err) logger.debug({ err: err.message }, 'could not record the last pod IP handed out');
      }
      return { ip, owns: true };
    } catch (err) {
      if (!(err instanceof PodCidrExhaustedError)) throw err;
      const key = objectKey(pod.metadata);
      if (!waitingForIP.has(key)) {
        waitingForIP.add(key);
        podLogger(pod).warn({ podCIDR: node.podCIDR }, err.message);
        deps.events.warning(pod, 'FailedCreatePodSandBox', `Failed to create pod sandbox: failed to allocate for range 0: ${err.message}`);
      }
      return null;
    }
  }

  function start(pod: Pod): void {
    const key = objectKey(pod.metadata);
    const got = ipFor(pod);
    if (!got) return;
    waitingForIP.delete(key);
    const plog = podLogger(pod);
    plog.info({ podIP: got.ip, uid: pod.metadata.uid }, 'starting pod');
    const runtime = createPodRuntime({
      pod,
      podIP: got.ip,
      node: { name: node.name, ip: node.ip },
      events: deps.events,
      logger: plog,
      backoff: deps.backoff,
      podDir: podDirOf(pod),
      ...(deps.dns ? { dns: deps.dns } : {}),
      msPerSecond: deps.msPerSecond,
      onStatusChange: () => {
        statusSync.markDirty(key);
        releaseIfFinished(key);
      },
      confirmDeletion: (p) => confirmPodDeletion(client, p, plog, { isStopped: () => stopped }),
      sources: deps.sources,
      capacity: node.capacity,
      podsDir,
      ...(deps.hostProcesses && deps.stateDir ? { hostProcesses: { nodeDir: deps.stateDir, backoff: deps.hostProcesses.backoff } } : {}),
    });
    entries.set(key, { runtime, ownsIP: got.owns });
    statusSync.markDirty(key);
  }

  /**
   * A pod whose containers all ended keeps its object (and its IP in its status, as kubelet
   * leaves it) until it is deleted, but its sandbox is gone: the IP goes back to the pool, so
   * finished Job pods never exhaust a node's podCIDR.
   */
  function releaseIfFinished(key: string): void {
    const e = entries.get(key);
    if (!e || !e.ownsIP || !e.runtime.podIP || !e.runtime.finished()) return;
    e.ownsIP = false;
    allocator.release(e.runtime.podIP);
    startWaitingForIP();
  }

  /** An IP came free: pods that waited for one may start now. */
  function startWaitingForIP(): void {
    for (const k of [...waitingForIP]) {
      const p = informer.get(k);
      if (p) sync(p);
      else waitingForIP.delete(k);
    }
  }

  function remove(key: string): void {
    const e = entries.get(key);
    if (!e) {
      waitingForIP.delete(key);
      return;
    }
    entries.delete(key);
    e.runtime.kill();
    // The pod is gone: so are its logs, as kubelet removes /var/log/pods/<pod> with the pod.
    rmSync(podDirOf(e.runtime.pod()), { recursive: true, force: true });
    // the pod is gone from the API: its folder (volumes) goes too, as kubelet cleans up orphans
    if (podsDir && e.runtime.uid) rmSync(path.join(podsDir, e.runtime.uid), { recursive: true, force: true });
    statusSync.forget(key);
    if (e.ownsIP && e.runtime.podIP) allocator.release(e.runtime.podIP);
    logger.info({ namespace: e.runtime.pod().metadata.namespace, name: e.runtime.pod().metadata.name, podIP: e.runtime.podIP }, 'pod removed');
    startWaitingForIP();
  }

  function sync(pod: Pod): void {
    if (stopped) return;
    const key = objectKey(pod.metadata);
    const e = entries.get(key);
    if (e && e.runtime.uid !== pod.metadata.uid) remove(key); // same name, new pod
    const current = entries.get(key);
    if (current) {
      current.runtime.update(pod);
      statusSync.markDirty(key);
      return;
    }
    // A finished pod has nothing left to run here.
    if (isTerminal(pod)) return;
    start(pod);
  }

  const synced = informer.synced().then(() => {
    if (stopped) return;
    const lastIP = deps.stateDir ? readLastReservedIP(deps.stateDir) : undefined;
    if (lastIP) allocator.resumeAfter(lastIP);
    // Take back the IPs pods already had before handing out any new one.
    for (const p of informer.list()) {
      const ip = p.status?.podIP;
      if (ip && !isTerminal(p) && allocator.reserve(ip)) inheritedIPs.set(p.metadata.uid ?? '', ip);
    }
    informer.addHandlers({
      add: sync,
      update: (_old, pod) => sync(pod),
      delete: (pod) => {
        const key = objectKey(pod.metadata);
        const e = entries.get(key);
        if (!e || e.runtime.uid === pod.metadata.uid) remove(key);
      },
    });
    // folders of pods that vanished while this process was down go, as kubelet's orphan cleanup does
    if (podsDir) {
      for (const uid of removeOrphanPodDirs(podsDir, new Set(informer.list().map((p) => p.metadata.uid ?? '')))) logger.info({ uid }, 'removed the folder of a pod that is gone');
    }
    // IPs of pods that vanished while this process was down go back to the pool.
    for (const ip of inheritedIPs.values()) allocator.release(ip);
    inheritedIPs.clear();
    logger.info({ pods: entries.size }, 'pods of this node synced');
  });

  return {
    synced: () => synced,
    runtime: (key) => entries.get(key)?.runtime,
    runtimes: () => [...entries.values()].map((e) => e.runtime),
    count: () => entries.size,
    statusSync,
    stop() {
      stopped = true;
      informer.stop();
      statusSync.stop();
      for (const e of entries.values()) e.runtime.kill();
      entries.clear();
      if (ownPodsRoot) rmSync(podsRoot, { recursive: true, force: true });
    },
  };
}

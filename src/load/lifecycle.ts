// What happened to a Service's pods and endpoints while a load ran, as seen through the API:
// each pod's readiness, the moment it began terminating (deletionTimestamp) and the moment it was
// gone; each endpoint's ready / serving / terminating conditions in the Service's EndpointSlices
// and its removal. Times are this process's clock when the change arrived over the watch (epoch
// milliseconds), so they can be joined with the load's failures. Works for any pod owner (an RC
// today, a Deployment's ReplicaSets, a StatefulSet): it follows the Service's selector.
import { performance } from 'node:perf_hooks';
import { resourcePath } from '../api/paths.js';
import { podVersion } from '../api/pod-version.js';
import type { Container, EndpointSlice, Pod, Service } from '../api/types.js';
import type { ApiClient } from '../client/client.js';
import { createInformer, type Informer } from '../client/informer.js';
import { ENDPOINT_SLICES as SLICES } from '../kinds/endpointslice/resource.js';
import { PODS } from '../kinds/pod/resource.js';


export interface PodHistory {
  pod: string;
  node: string;
  /** pod-template-hash, controller-revision-hash, else the first container's image tag. */
  version: string;
  /** Epoch ms when each arrived over the watch. */
  firstSeen: number;
  /** For readyAt and terminatingAt, -Infinity: so already before the watch began; null: not seen. */
  readyAt: number | null;
  terminatingAt: number | null;
  deletedAt: number | null;
  /** Deleted with no graceful termination seen (a force delete, grace period 0). */
  forced: boolean;
  readinessProbe: boolean;
  /** The preStop hook's sleep in seconds (sleep action or `sleep N` exec), 0 without one, null for another kind of hook. */
  preStopSleepSeconds: number | null;
  gracePeriodSeconds: number;
}

export interface EndpointState {
  t: number;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  /** false: the endpoint left the slices. */
  present: boolean;
}

export interface Lifecycle {
  pods: Map<string, PodHistory>;
  /** By pod name: each observed change of its endpoint. */
  endpoints: Map<string, EndpointState[]>;
  /** Ready endpoints of the Service over time (one entry per change). */
  readyEndpoints: Array<{ t: number; ready: number }>;
}

export interface LifecycleWatch {
  readonly record: Lifecycle;
  /** Resolves once both lists are in. */
  synced(): Promise<void>;
  stop(): void;
}

type LifecycleHandler = { sleep?: { seconds?: number }; exec?: { command?: string[] }; httpGet?: unknown; tcpSocket?: unknown };
type WithLifecycle = Container & { lifecycle?: { preStop?: LifecycleHandler } };

/** The seconds a preStop hook waits before the container is signalled (null when it is not a plain wait). */
export function preStopSleep(c: Container): number | null {
  const h = (c as WithLifecycle).lifecycle?.preStop;
  if (!h) return 0;
  if (h.sleep) return h.sleep.seconds ?? 0;
  const cmd = h.exec?.command ?? [];
  const line = cmd[0] === 'sh' || cmd[0] === '/bin/sh' ? (cmd[2] ?? '') : cmd.join(' ');
  const m = /^\s*sleep\s+(\d+(?:\.\d+)?)\s*$/.exec(line);
  return m ? Number(m[1]) : null;
}

const isReady = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

export function selectorString(selector: Record<string, string>): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export function watchLifecycle(client: ApiClient, service: Service, clock: () => number = () => performance.timeOrigin + performance.now()): LifecycleWatch {
  const ns = service.metadata.namespace ?? 'default';
  const name = service.metadata.name ?? '';
  const record: Lifecycle = { pods: new Map(), endpoints: new Map(), readyEndpoints: [] };
  const informers: Array<Informer<Pod> | Informer<EndpointSlice>> = [];
  /** The first lists are in: what they held was so before the watch began. */
  let listed = false;

  const selector = service.spec.selector;
  if (selector && Object.keys(selector).length > 0) {
    const pods = createInformer<Pod>(client, { path: resourcePath(PODS, ns), labelSelector: selectorString(selector) });
    const seen = (p: Pod): void => {
      const podName = p.metadata.name ?? '';
      const now = clock();
      let h = record.pods.get(podName);
      if (!h) {
        const first = p.spec.containers[0];
        h = {
          pod: podName,
          node: p.spec.nodeName ?? '',
          version: podVersion(p.metadata.labels, first?.image),
          firstSeen: now,
          readyAt: null,
          terminatingAt: null,
          deletedAt: null,
          forced: false,
          readinessProbe: p.spec.containers.some((c) => c.readinessProbe !== undefined),
          preStopSleepSeconds: first ? preStopSleep(first) : 0,
          gracePeriodSeconds: p.spec.terminationGracePeriodSeconds ?? 30,
        };
        record.pods.set(podName, h);
      }
      if (!h.node && p.spec.nodeName) h.node = p.spec.nodeName;
      if (h.readyAt === null && isReady(p)) h.readyAt = listed ? now : -Infinity;
      if (h.terminatingAt === null && p.metadata.deletionTimestamp) h.terminatingAt = listed ? now : -Infinity;
    };
    pods.addHandlers({
      add: seen,
      update: (_old, p) => seen(p),
      delete: (p) => {
        seen(p);
        const h = record.pods.get(p.metadata.name ?? '');
        if (h && h.deletedAt === null) {
          h.deletedAt = clock();
          // A pod deleted at once (grace 0) began terminating when it went.
          if (h.terminatingAt === null) {
            h.terminatingAt = h.deletedAt;
            h.forced = true;
          }
        }
      },
    });
    informers.push(pods);
  }

  const slices = createInformer<EndpointSlice>(client, { path: resourcePath(SLICES, ns), labelSelector: `kubernetes.io/service-name=${name}` });
  const current = new Map<string, Omit<EndpointState, 't'>>();
  const resync = (): void => {
    const now = clock();
    const next = new Map<string, Omit<EndpointState, 't'>>();
    for (const s of slices.list()) {
      for (const e of s.endpoints ?? []) {
        const key = e.targetRef?.kind === 'Pod' && e.targetRef.name ? e.targetRef.name : (e.addresses[0] ?? '');
        const ready = e.conditions?.ready ?? true;
        next.set(key, { ready, serving: e.conditions?.serving ?? ready, terminating: e.conditions?.terminating ?? false, present: true });
      }
    }
    for (const [key, state] of next) {
      const before = current.get(key);
      if (!before || before.ready !== state.ready || before.serving !== state.serving || before.terminating !== state.terminating) {
        const list = record.endpoints.get(key) ?? [];
        list.push({ t: now, ...state });
        record.endpoints.set(key, list);
      }
    }
    for (const key of current.keys()) {
      if (!next.has(key)) record.endpoints.get(key)?.push({ t: now, ready: false, serving: false, terminating: false, present: false });
    }
    const ready = [...next.values()].filter((s) => s.ready).length;
    const last = record.readyEndpoints[record.readyEndpoints.length - 1];
    if (!last || last.ready !== ready) record.readyEndpoints.push({ t: now, ready });
    current.clear();
    for (const [k, v] of next) current.set(k, v);
  };
  slices.addHandlers({ add: resync, update: resync, delete: resync });
  informers.push(slices);

  return {
    record,
    synced: async () => {
      await Promise.all(informers.map((i) => i.synced()));
      listed = true;
    },
    stop() {
      for (const i of informers) i.stop();
    },
  };
}

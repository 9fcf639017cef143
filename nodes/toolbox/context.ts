import type { Readable } from 'node:stream';
import type { Pod } from '../../src/api/types.js';
import type { ContainerView } from '../container-view.js';
import { toolboxFs, type ToolboxFs } from './filesystem.js';
// What a toolbox command sees of its pod: identity, env, the generated /etc files, where the
// cluster DNS answers, and its standard streams. Network calls leave from the pod's IP.
export interface ToolboxPod {
  name: string;
  namespace: string;
  podIP: string;
  hostname: string;
  /** The container's environment (spec env with literal values, and the pod's own variables). */
  env: Record<string, string>;
  /** The cluster DNS (cluster.json `dns`); undefined when the cluster has none. */
  dns?: { ip: string; port: number };
  clusterDomain: string;
  /** Its files: the generated /etc ones and the mounts over the container's writable layer. */
  files: ToolboxFs;
}

/** Where the container's files are: its volume mounts, and its writable layer on the node. */
export interface ContainerLayers {
  view?: ContainerView;
  rootfs?: string;
}

export interface ToolIO {
  out(text: string | Buffer): void;
  err(text: string): void;
  /** The session's stdin, when it has one (exec -i). */
  stdin?: Readable;
  /** Cancelled by Ctrl-C (tty) or the session ending. */
  signal: AbortSignal;
}

/** What every container's process sees before its own env: the image's PATH, HOSTNAME, HOME. */
function baseEnv(hostname: string): Record<string, string> {
  return { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOSTNAME: hostname, HOME: '/root' };
}

/**
 * The pod as the toolbox sees it. env: what the container started with, as the node resolved it
 * (valueFrom, envFrom, the downward API, Service links: nodes/env-resolver.ts); before its first
 * start, the spec's literal values.
 */
export function toolboxPodOf(
  pod: Pod,
  podIP: string,
  container: string,
  dns: ToolboxPod['dns'],
  clusterDomain: string,
  resolved?: ReadonlyArray<readonly [string, string]>,
  layers: ContainerLayers = {},
): ToolboxPod {
  const spec = pod.spec.containers.find((c) => c.name === container);
  const hostname = pod.spec.hostname || pod.metadata.name || '';
  const env = baseEnv(hostname);
  for (const e of spec?.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
  const identity = { name: pod.metadata.name ?? '', namespace: pod.metadata.namespace ?? 'default', podIP, hostname, env, ...(dns ? { dns } : {}), clusterDomain };
  const literal: ToolboxPod = { ...identity, files: toolboxFs(podFiles(identity), layers.view, layers.rootfs) };
  return resolved ? withContainerEnv(literal, resolved) : literal;
}

/** The same pod with the container's resolved env in place of the literal one. */
export function withContainerEnv(pod: ToolboxPod, resolved: ReadonlyArray<readonly [string, string]>): ToolboxPod {
  const env = baseEnv(pod.hostname);
  for (const [k, v] of resolved) env[k] = v;
  return { ...pod, env };
}

export type ToolCommand = (args: string[], pod: ToolboxPod, io: ToolIO) => Promise<number>;

type PodIdentity = Omit<ToolboxPod, 'files'>;

/** The pod's /etc/resolv.conf, as kubelet writes it for dnsPolicy ClusterFirst. */
export function resolvConf(pod: PodIdentity): string {
  const d = pod.clusterDomain;
  const server = pod.dns ? pod.dns.ip : '127.96.0.10';
  const port = pod.dns && pod.dns.port !== 53 ? `# the cluster DNS answers on port ${pod.dns.port} (not 53): this toolbox asks it there\n` : '';
  return `${port}search ${pod.namespace}.svc.${d} svc.${d} ${d}\nnameserver ${server}\noptions ndots:5\n`;
}

/** The pod's /etc/hosts, as kubelet's managed hosts file. */
export function etcHosts(pod: PodIdentity): string {
  return (
    '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n' +
    `fe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n${pod.podIP}\t${pod.hostname}\n`
  );
}

/** The files `cat` and `ls` know. */
export function podFiles(pod: PodIdentity): Record<string, string> {
  return { '/etc/resolv.conf': resolvConf(pod), '/etc/hosts': etcHosts(pod), '/etc/hostname': `${pod.hostname}\n` };
}

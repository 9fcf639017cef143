// The Node object a node agent registers, and the conditions it heartbeats, as kubelet reports
// them: labels (hostname, os, arch), podCIDR, taints, addresses, capacity = allocatable,
// nodeInfo, daemonEndpoints, and the four conditions with kubelet's reasons and messages.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Node, NodeCondition } from '../src/api/types.js';
import type { NodeConfig } from '../src/cluster/config.js';

export const KUBELET_VERSION = 'v1.32.0-loopkube';
export const CONTAINER_RUNTIME_VERSION = 'loopkube://0.1';
/** The port kubelet reports for itself (loopkube serves only its health port, 10248). */
export const KUBELET_PORT = 10250;

/** Go's GOARCH for this machine. */
export function goArch(arch: string = process.arch): string {
  switch (arch) {
    case 'x64':
      return 'amd64';
    case 'ia32':
      return '386';
    case 'arm':
      return 'arm';
    case 'arm64':
      return 'arm64';
    case 'ppc64':
      return 'ppc64le';
    default:
      return arch;
  }
}

function osImage(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text);
    if (m?.[1]) return m[1];
  } catch {
    // not Linux, or no os-release
  }
  return `${os.type()} ${os.release()}`;
}

function machineId(): string {
  for (const f of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    try {
      const id = readFileSync(f, 'utf8').trim();
      if (id) return id;
    } catch {
      // try the next
    }
  }
  return '';
}

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}

export function nodeInfo(): Record<string, string> {
  return {
    machineID: machineId(),
    systemUUID: machineId(),
    bootID: bootId(),
    kernelVersion: os.release(),
    osImage: osImage(),
    containerRuntimeVersion: CONTAINER_RUNTIME_VERSION,
    kubeletVersion: KUBELET_VERSION,
    operatingSystem: 'linux',
    architecture: goArch(),
  };
}

export function nodeLabels(config: NodeConfig): Record<string, string> {
  const arch = goArch();
  return {
    'beta.kubernetes.io/arch': arch,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': arch,
    'kubernetes.io/hostname': config.name,
    'kubernetes.io/os': 'linux',
    ...config.labels,
  };
}

/** The four conditions of a healthy kubelet, with transition times kept from `previous` when unchanged. */
export function nodeConditions(previous: NodeCondition[] | undefined, now: string): NodeCondition[] {
  const healthy: Array<Pick<NodeCondition, 'type' | 'status' | 'reason' | 'message'>> = [
    { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
    { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
    { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
  ];
  return healthy.map((c) => {
    const prev = previous?.find((p) => p.type === c.type);
    const lastTransitionTime = prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : now;
    return { ...c, lastHeartbeatTime: now, lastTransitionTime };
  });
}

/** The whole Node object as registered (metadata, spec, status). */
export function buildNode(config: NodeConfig, now: string): Node {
  const capacity = { cpu: config.capacity.cpu, memory: config.capacity.memory, pods: config.capacity.pods };
  const node: Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: config.name,
      labels: nodeLabels(config),
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: { podCIDR: config.podCIDR, podCIDRs: [config.podCIDR] },
    status: {
      capacity,
      allocatable: { ...capacity },
      conditions: nodeConditions(undefined, now),
      addresses: [
        { type: 'InternalIP', address: config.ip },
        { type: 'Hostname', address: config.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: KUBELET_PORT } },
      nodeInfo: nodeInfo(),
    },
  };
  if (config.taints.length > 0) node.spec!.taints = config.taints.map((t) => ({ ...t }));
  return node;
}

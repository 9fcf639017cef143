// A cluster's resolved settings, written by `loopkube up` to `<home>/cluster.json` and read by
// every process of the cluster. One file, so every process sees the same address plan.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Taint } from '../api/types.js';
import type { Propagation } from './propagation.js';
import type { EtcdMember } from '../store/etcd/members.js';

export type BalancingMode = 'round-robin' | 'random' | 'least-connections';

/** How the proxy moves connections (proxy/data-plane/): libuv splice, net.Socket, the kernel's nftables. */
export type DataPlaneName = 'splice' | 'socket' | 'nftables';
export const DATA_PLANES: readonly DataPlaneName[] = ['splice', 'socket', 'nftables'];
/** The data plane of a cluster whose cluster file does not choose one. */
export const DEFAULT_DATA_PLANE: DataPlaneName = 'splice';

export interface NodeConfig {
  /** `node-1` ... */
  name: string;
  /** InternalIP, `127.10.0.N`. */
  ip: string;
  /** `127.244.N.0/24`. */
  podCIDR: string;
  /** capacity (also allocatable): cpu (`4`, `500m`), memory (`8Gi`), pods (`110`). */
  capacity: { cpu: string; memory: string; pods: string };
  labels: Record<string, string>;
  taints: Taint[];
}

export interface ClusterConfig {
  name: string;
  /** `$LOOPKUBE_HOME/NAME`, absolute. */
  home: string;
  apiServer: { host: string; port: number };
  /** `embedded`, or `redis://HOST:PORT/DB`. */
  store: string;
  /** Started and owned by this cluster (`loopkube up --redis`). */
  managedRedis?: { port: number };
  /** Started and owned by this cluster (`loopkube up --etcd[=N]`); store is then `etcd://<members>/`. */
  managedEtcd?: { members: EtcdMember[] };
  /**
   * Several API servers (`loopkube up --control-planes N`, N > 1): each its own process on its
   * own address; `apiServer` is then their front end (what the kubeconfig points at).
   */
  controlPlanes?: ControlPlaneConfig[];
  /** How the control planes elect the one that runs the controllers (with controlPlanes). */
  leaderElection?: LeaderElectionConfig;
  serviceCIDR: string;
  nodePortRange: { min: number; max: number };
  loadBalancerPool: string;
  proxy: {
    mode: BalancingMode;
    metricsPort: number;
    /** Absent in clusters made before it existed: the default (splice). */
    dataPlane?: DataPlaneName;
  };
  nodes: NodeConfig[];
  nodeLifecycle: { nodeMonitorGracePeriodSeconds: number; podEvictionTimeoutSeconds: number };
  /** How fast changes reach the data plane (propagation.ts); absent in clusters made before it existed: instant. */
  propagation?: Propagation;
  dns: { ip: string; port: number };
  dashboard: { port: number };
  /**
   * Run containers' `command`/`args` as real processes of their node (`up --host-processes`, the
   * cluster file's `hostProcesses: true`). Asked for at each `up`, never kept from a run before:
   * absent or false, no command from a manifest ever runs (the built-in app serves instead).
   */
  hostProcesses?: boolean;
}

export interface ControlPlaneConfig {
  /** `control-plane-1` ... (its process name). */
  name: string;
  /** `127.0.0.11` ... */
  host: string;
  port: number;
}

/** client-go's leaderelection settings (LeaseDuration, RenewDeadline, RetryPeriod). */
export interface LeaderElectionConfig {
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
}

/** The API servers of a cluster: its control planes, or the one at apiServer. */
export function apiServerEndpoints(config: ClusterConfig): ControlPlaneConfig[] {
  if (config.controlPlanes && config.controlPlanes.length > 0) return config.controlPlanes;
  return [{ name: 'control-plane', host: config.apiServer.host, port: config.apiServer.port }];
}

/** Control plane N's address: 127.0.0.(10+N), on the API port (the front end has 127.0.0.1). */
export function controlPlaneHost(n: number): string {
  return `127.0.0.${10 + n}`;
}

export interface ClusterPaths {
  home: string;
  config: string;
  kubeconfig: string;
  token: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  storeDir: string;
  /** The data of a cluster's own etcd (one folder per member). */
  etcdDir: string;
  logsDir: string;
  pidsDir: string;
  supervisorPid: string;
  supervisorState: string;
}

export function loopkubeHome(): string {
  return process.env.LOOPKUBE_HOME ?? path.join(os.homedir(), '.loopkube');
}

export function clusterHome(name: string): string {
  return path.resolve(loopkubeHome(), name);
}

export function clusterPaths(home: string): ClusterPaths {
  return {
    home,
    config: path.join(home, 'cluster.json'),
    kubeconfig: path.join(home, 'kubeconfig'),
    token: path.join(home, 'pki', 'token'),
    caCert: path.join(home, 'pki', 'ca.crt'),
    caKey: path.join(home, 'pki', 'ca.key'),
    serverCert: path.join(home, 'pki', 'apiserver.crt'),
    serverKey: path.join(home, 'pki', 'apiserver.key'),
    storeDir: path.join(home, 'store'),
    etcdDir: path.join(home, 'etcd'),
    logsDir: path.join(home, 'logs'),
    pidsDir: path.join(home, 'pids'),
    supervisorPid: path.join(home, 'pids', 'supervisor.pid'),
    supervisorState: path.join(home, 'supervisor.json'),
  };
}

export function readClusterConfig(home: string): ClusterConfig {
  return JSON.parse(readFileSync(clusterPaths(home).config, 'utf8')) as ClusterConfig;
}

export const DEFAULTS = {
  apiPort: 6443,
  serviceCIDR: '127.96.0.0/12',
  nodePortRange: { min: 30000, max: 32767 },
  loadBalancerPool: '127.200.0.0/24',
  dnsIP: '127.96.0.10',
  kubernetesServiceIP: '127.96.0.1',
  nodeCapacity: { cpu: '4', memory: '8Gi', pods: '110' },
  nodeMonitorGracePeriodSeconds: 4,
  podEvictionTimeoutSeconds: 6,
  /** client-go's leaderelection defaults, as kube-controller-manager and kube-scheduler use them. */
  leaderElection: { leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 },
} as const;

/** node-N's InternalIP and pod CIDR, per the address plan. */
export function nodeAddresses(n: number): { ip: string; podCIDR: string } {
  return { ip: `127.10.0.${n}`, podCIDR: `127.244.${n}.0/24` };
}

/** The `kubernetes` Service's ClusterIP: the first address of the service CIDR (127.96.0.1). */
export function kubernetesServiceIP(serviceCIDR: string): string {
  const [base] = serviceCIDR.split('/');
  const o = base!.split('.').map(Number);
  return `${o[0]}.${o[1]}.${o[2]}.${o[3]! + 1}`;
}

/** The cluster DNS Service's ClusterIP: the tenth address of the service CIDR (127.96.0.10). */
export function clusterDNSIP(serviceCIDR: string): string {
  const [base] = serviceCIDR.split('/');
  const o = base!.split('.').map(Number);
  return `${o[0]}.${o[1]}.${o[2]}.${o[3]! + 10}`;
}

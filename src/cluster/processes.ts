// The OS processes of a cluster, as the supervisor starts and watches them: what to run, where
// it listens, and how to tell it is healthy. The supervisor starts the store's own servers first
// (`redis`, or the `etcd-N` members) and waits for them, then the control plane(s), the API
// front end, the nodes, the proxy and the cluster DNS together (they retry the API until it answers).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLUSTER_DOMAIN } from '../dns/records.js';
import { ETCD_BINARY, etcdMemberArgs } from '../store/etcd/members.js';
import { apiServerEndpoints, clusterPaths, type ClusterConfig } from './config.js';
import { managedRedisPaths } from './managed-redis.js';
import { INGRESS_METRICS_PORT, expectedIngressPorts, ingressAddress } from '../ingress/address.js';

export type ProcessComponent = 'control-plane' | 'api-frontend' | 'node' | 'proxy' | 'dns' | 'ingress' | 'redis' | 'etcd';

export type HealthCheck =
  | { kind: 'https'; url: string }
  | { kind: 'http'; url: string }
  | { kind: 'tcp'; host: string; port: number }
  /** A DNS query over UDP; healthy when answered NOERROR or NXDOMAIN (SERVFAIL: not synced yet). */
  | { kind: 'dns'; host: string; port: number; name: string };

export interface ProcessSpec {
  name: string;
  component: ProcessComponent;
  command: string;
  args: string[];
  /** Where it serves, as `status` shows it: `127.0.0.1:6443`, `127.10.0.1`. */
  address: string;
  health: HealthCheck;
  /**
   * The supervisor holds this process's listening sockets across its restarts (an IPC channel
   * carries them: src/supervisor/socket-keeper.ts), so a restart refuses no connection.
   */
  keepsSockets?: boolean;
  /**
   * The supervisor keeps a second process of this spec booted (`--standby`: modules loaded,
   * informers synced, no listener) and promotes it when the active one dies, handing it the
   * held sockets: a restart then costs milliseconds instead of a process start.
   */
  standby?: boolean;
}

/** Port of every node agent's health endpoint (kubelet's healthz port), on the node's IP. */
export const NODE_HEALTH_PORT = 10248;

/**
 * Where the processes' compiled entry points live. LOOPKUBE_PROCESS_ROOT overrides it: the CLI
 * tests point it at a folder of stand-in processes so they do not depend on the real ones.
 */
export function processRoot(): string {
  return process.env.LOOPKUBE_PROCESS_ROOT ?? packageRoot();
}

/** The folder holding loopkube's package.json (from src/ under vitest, or from dist/src/). */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'loopkube') return dir;
      } catch {
        // not ours; keep looking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find loopkube's package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export function clusterProcesses(config: ClusterConfig, root = processRoot()): ProcessSpec[] {
  const home = config.home;
  const node = process.execPath;
  const specs: ProcessSpec[] = [];

  if (config.managedRedis) {
    const port = config.managedRedis.port;
    // everything, the password included, is in its config file (written by `up`): src/cluster/managed-redis.ts
    specs.push({
      name: 'redis',
      component: 'redis',
      command: 'redis-server',
      args: [managedRedisPaths(home).conf],
      address: `127.0.0.1:${port}`,
      health: { kind: 'tcp', host: '127.0.0.1', port },
    });
  }

  if (config.managedEtcd) {
    const members = config.managedEtcd.members;
    for (const m of members) {
      specs.push({
        name: m.name,
        component: 'etcd',
        command: ETCD_BINARY,
        args: etcdMemberArgs(m, members, { dataDir: clusterPaths(home).etcdDir, clusterToken: `loopkube-${config.name}` }),
        address: `127.0.0.1:${m.clientPort}`,
        // 200 once the member has a leader (a member of three alone answers 503)
        health: { kind: 'http', url: `http://127.0.0.1:${m.clientPort}/health` },
      });
    }
  }

  const several = (config.controlPlanes?.length ?? 0) > 1;
  for (const cp of apiServerEndpoints(config)) {
    specs.push({
      name: cp.name,
      component: 'control-plane',
      command: node,
      args: [path.join(root, 'dist/src/controlplane/main.js'), '--home', home, ...(several ? ['--name', cp.name] : [])],
      address: `${cp.host}:${cp.port}`,
      health: { kind: 'https', url: `https://${cp.host}:${cp.port}/readyz` },
    });
  }
  if (several) {
    const { host, port } = config.apiServer;
    specs.push({
      name: 'api-frontend',
      component: 'api-frontend',
      command: node,
      args: [path.join(root, 'dist/src/controlplane/frontend-main.js'), '--home', home],
      address: `${host}:${port}`,
      health: { kind: 'https', url: `https://${host}:${port}/readyz` },
    });
  }

  // The node agents arrive with issue 3 and the proxy with issue 4: until their entry points
  // exist, a cluster is its control plane alone. (To be removed once both have landed.)
  const nodesMain = path.join(root, 'dist/nodes/main.js');
  if (existsSync(nodesMain)) {
    for (const n of config.nodes) {
      specs.push({
        name: n.name,
        component: 'node',
        command: node,
        args: [nodesMain, '--home', home, '--node', n.name],
        address: n.ip,
        health: { kind: 'http', url: `http://${n.ip}:${NODE_HEALTH_PORT}/healthz` },
      });
    }
  }
  const proxyMain = path.join(root, 'dist/proxy/main.js');
  if (existsSync(proxyMain)) {
    const metrics = config.proxy.metricsPort;
    specs.push({
      name: 'proxy',
      component: 'proxy',
      command: node,
      args: [proxyMain, '--home', home],
      address: `127.0.0.1:${metrics}`,
      health: { kind: 'http', url: `http://127.0.0.1:${metrics}/healthz` },
      keepsSockets: true,
      standby: true,
    });
  }
  // The cluster DNS is a workload of its own, as CoreDNS is: a control-plane restart costs no lookup.
  const dnsMain = path.join(root, 'dist/src/dns/main.js');
  if (existsSync(dnsMain) && config.dns.port > 0) {
    specs.push({
      name: 'dns',
      component: 'dns',
      command: node,
      args: [dnsMain, '--home', home],
      address: `${config.dns.ip}:${config.dns.port}`,
      health: { kind: 'dns', host: config.dns.ip, port: config.dns.port, name: `kubernetes.default.svc.${CLUSTER_DOMAIN}` },
      standby: true,
    });
  }
  // The ingress controller (class loopkube), on the LoadBalancer pool's last address.
  const ingressMain = path.join(root, 'dist/src/ingress/main.js');
  const ingressIP = ingressAddress(config.loadBalancerPool);
  if (ingressIP && existsSync(ingressMain)) {
    specs.push({
      name: 'ingress',
      component: 'ingress',
      command: node,
      args: [ingressMain, '--home', home],
      // the port it serves HTTP on: 80, or the fallback 8080 for a user who may not bind it
      address: `${ingressIP}:${expectedIngressPorts().http}`,
      health: { kind: 'http', url: `http://${ingressIP}:${INGRESS_METRICS_PORT}/healthz` },
    });
  }
  return specs;
}

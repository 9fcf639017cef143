// A real control plane for a test: a fresh cluster home (cluster.json with its own address
// block, credentials from src/pki), `node dist/src/controlplane/main.js --home HOME` on a free
// port, and a client for it. stop() kills the process and removes the home, and is safe to call
// more than once (call it in afterAll / finally so a failing test still cleans up).
//
//   const cp = await startTestControlPlane({ nodeLifecycle: { nodeMonitorGracePeriodSeconds: 2 } });
//   try { await cp.client.list('/api/v1/pods'); } finally { await cp.stop(); }
import { claimAddressBlock } from './address-block.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { clusterDNSIP, clusterPaths, DEFAULTS, type ClusterConfig, type NodeConfig } from '../../src/cluster/config.js';
import { CLUSTER_HOME_ENV, PROCESS_NAME_ENV, SUPERVISOR_PID_ENV } from '../../src/cluster/parent-watch.js';
import { createApiClient, type ApiClient } from '../../src/client/client.js';
import type { ClientConfig } from '../../src/client/config.js';
import { ensureClusterPki } from '../../src/pki/cluster-pki.js';
import { writeKubeconfig } from '../../src/pki/kubeconfig.js';
import { apiServerAltNames } from '../../src/pki/serving-cert.js';

export { REPO, freePort, waitFor } from './wait.js';
import { REPO, freePort, requireBuilt, waitFor } from './wait.js';
export const CONTROL_PLANE_MAIN = path.join(REPO, 'dist/src/controlplane/main.js');

export interface TestControlPlaneOptions {
  /** Cluster name (default: `test-<random>`). */
  name?: string;
  nodeLifecycle?: Partial<ClusterConfig['nodeLifecycle']>;
  /** Written into cluster.json (the control plane does not start nodes; tests make their own Node objects). */
  nodes?: NodeConfig[];
  /** Anything else to override in cluster.json. */
  config?: Partial<Omit<ClusterConfig, 'home' | 'apiServer'>>;
  /** Extra environment for the process (e.g. LOOPKUBE_LOG_LEVEL=debug). */
  env?: Record<string, string>;
  /** How long to wait for /readyz (default 30 s). */
  readyTimeoutMs?: number;
}

export interface TestControlPlane {
  home: string;
  config: ClusterConfig;
  clientConfig: ClientConfig;
  client: ApiClient;
  /** `<home>/kubeconfig`, for kubectl or @kubernetes/client-node. */
  kubeconfig: string;
  /** `<home>/logs/control-plane.log`: the process's stdout and stderr. */
  logFile: string;
  /** The process (for tests that kill it on purpose). */
  process: ChildProcess;
  stop(): Promise<void>;
}

const randomInt = (min: number, max: number): number => min + Math.floor(Math.random() * (max - min + 1));


/** An address block of its own (claimed: see address-block.ts), so test clusters running at once never collide. */
export function randomAddressPlan(): Pick<ClusterConfig, 'serviceCIDR' | 'loadBalancerPool'> & { nodeSubnet: string; podSubnet: string; release(): void } {
  const block = claimAddressBlock();
  return {
    nodeSubnet: block.nodeSubnet,
    podSubnet: block.podSubnet,
    serviceCIDR: block.serviceSubnet,
    loadBalancerPool: block.loadBalancerPool,
    release: () => block.release(),
  };
}

/** dist/ holds the control plane (test/support/global-setup.ts builds it once per run). */
export function ensureControlPlaneBuilt(): void {
  requireBuilt(CONTROL_PLANE_MAIN);
}

function probeReady(cfg: ClientConfig): Promise<boolean> {
  const url = new URL('/readyz', cfg.server);
  return new Promise((resolve) => {
    const req = https.get(url, { ca: cfg.ca, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

function writeClusterConfig(home: string, port: number, opts: TestControlPlaneOptions): ClusterConfig {
  const plan = randomAddressPlan();
  const config: ClusterConfig = {
    name: opts.name ?? `test-${randomInt(10000, 99999)}`,
    home,
    apiServer: { host: '127.0.0.1', port },
    store: 'embedded',
    serviceCIDR: plan.serviceCIDR,
    nodePortRange: { ...DEFAULTS.nodePortRange },
    loadBalancerPool: plan.loadBalancerPool,
    proxy: { mode: 'round-robin', metricsPort: 0 },
    nodes: opts.nodes ?? [],
    nodeLifecycle: {
      nodeMonitorGracePeriodSeconds: opts.nodeLifecycle?.nodeMonitorGracePeriodSeconds ?? DEFAULTS.nodeMonitorGracePeriodSeconds,
      podEvictionTimeoutSeconds: opts.nodeLifecycle?.podEvictionTimeoutSeconds ?? DEFAULTS.podEvictionTimeoutSeconds,
    },
    dns: { ip: clusterDNSIP(plan.serviceCIDR), port: 0 },
    dashboard: { port: 0 },
    ...opts.config,
  };
  writeFileSync(clusterPaths(home).config, `${JSON.stringify(config, null, 2)}\n`);
  return config;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killed = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
  if (!killed) {
    child.kill('SIGKILL');
    await exited;
  }
}

export async function startTestControlPlane(opts: TestControlPlaneOptions = {}): Promise<TestControlPlane> {
  ensureControlPlaneBuilt();
  const home = mkdtempSync(path.join(os.tmpdir(), 'loopkube-cp-'));
  const paths = clusterPaths(home);
  mkdirSync(paths.logsDir, { recursive: true });
  const logFile = path.join(paths.logsDir, 'control-plane.log');
  let lastError: Error | undefined;
  try {
    ensureClusterPki(paths, apiServerAltNames(DEFAULTS.kubernetesServiceIP));
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const config = writeClusterConfig(home, port, opts);
      const clientConfig: ClientConfig = {
        server: `https://127.0.0.1:${port}`,
        token: readFileSync(paths.token, 'utf8').trim(),
        ca: readFileSync(paths.caCert, 'utf8'),
      };
      writeKubeconfig(paths.kubeconfig, { clusterName: config.name, server: clientConfig.server, caCertPem: clientConfig.ca, token: clientConfig.token });
      const log = createWriteStream(logFile, { flags: 'a' });
      const child = spawn(process.execPath, [CONTROL_PLANE_MAIN, '--home', home], {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          // The control plane exits by itself if this test process dies.
          [SUPERVISOR_PID_ENV]: String(process.pid),
          [CLUSTER_HOME_ENV]: home,
          [PROCESS_NAME_ENV]: 'control-plane',
          ...opts.env,
        },
      });
      child.stdout?.pipe(log);
      child.stderr?.pipe(log);
      const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
      let ready = false;
      while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
        if (await probeReady(clientConfig)) {
          ready = true;
          break;
        }
        await sleep(100);
      }
      if (!ready) {
        await stopProcess(child);
        const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-20).join('\n') : '';
        lastError = new Error(`control plane did not become ready (attempt ${attempt + 1}); log tail:\n${tail}`);
        continue;
      }
      const client = createApiClient(clientConfig);
      let stopped = false;
      return {
        home,
        config,
        clientConfig,
        client,
        kubeconfig: paths.kubeconfig,
        logFile,
        process: child,
        async stop() {
          if (stopped) return;
          stopped = true;
          client.close();
          await stopProcess(child);
          log.end();
          if (!process.env.LOOPKUBE_KEEP_TEST_HOME) rmSync(home, { recursive: true, force: true });
        },
      };
    }
  } catch (err) {
    rmSync(home, { recursive: true, force: true });
    throw err;
  }
  if (!process.env.LOOPKUBE_KEEP_TEST_HOME) rmSync(home, { recursive: true, force: true });
  throw lastError ?? new Error('control plane did not start');
}


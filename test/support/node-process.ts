// A real node agent process for a test: `node dist/nodes/main.js --home HOME --node NAME`, its
// output in <home>/logs/NAME.log, and stop()/kill() that are safe to call more than once (call
// stop in afterAll/finally so a failing test still cleans up). Also: a node address plan of its
// own per test, so test clusters running at once never collide.
import { claimAddressBlock } from './address-block.js';
import { requireBuilt } from './wait.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { clusterPaths, type NodeConfig } from '../../src/cluster/config.js';
import { CLUSTER_HOME_ENV, PROCESS_NAME_ENV, SUPERVISOR_PID_ENV } from '../../src/cluster/parent-watch.js';
import { REPO } from './control-plane.js';

export const NODES_MAIN = path.join(REPO, 'dist/nodes/main.js');


/** `count` nodes in an address block of their own (claimed until this process exits). */
export function testNodeConfigs(count: number, over: Partial<NodeConfig> = {}): NodeConfig[] {
  const block = claimAddressBlock();
  return Array.from({ length: count }, (_, i) => ({
    name: `node-${i + 1}`,
    ip: block.nodeIP(i + 1),
    podCIDR: block.podCIDR(i + 1),
    capacity: { cpu: '4', memory: '8Gi', pods: '110' },
    labels: {},
    taints: [],
    ...over,
  }));
}

/** dist/ holds the node agent (test/support/global-setup.ts builds it once per run). */
export function ensureNodesBuilt(): void {
  requireBuilt(NODES_MAIN);
}

export interface NodeProcess {
  name: string;
  process: ChildProcess;
  logFile: string;
  /** SIGTERM, wait for the exit (SIGKILL after 5 s); resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, as a crash. */
  kill(): Promise<void>;
}

export function startNodeProcess(home: string, name: string, env: Record<string, string> = {}): NodeProcess {
  ensureNodesBuilt();
  const logsDir = clusterPaths(home).logsDir;
  mkdirSync(logsDir, { recursive: true });
  const logFile = path.join(logsDir, `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [NODES_MAIN, '--home', home, '--node', name], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      // The node exits by itself if this test process dies.
      [SUPERVISOR_PID_ENV]: String(process.pid),
      [CLUSTER_HOME_ENV]: home,
      [PROCESS_NAME_ENV]: name,
      ...env,
    },
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    name,
    process: child,
    logFile,
    async stop() {
      if (running()) {
        child.kill('SIGTERM');
        const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
        if (!done) child.kill('SIGKILL');
      }
      const code = await exited;
      log.end();
      return code;
    },
    async kill() {
      if (running()) child.kill('SIGKILL');
      await exited;
      log.end();
    },
  };
}

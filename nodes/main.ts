// Entry point of a node process: `node dist/nodes/main.js --home HOME --node NAME`.
//
// Options (flags win over environment variables):
//   --restart-backoff-ms N   first crash-loop back-off window (LOOPKUBE_RESTART_BACKOFF_MS; 1000)
//   --restart-backoff-max-ms N   its cap (LOOPKUBE_RESTART_BACKOFF_MAX_MS; 30 x the first window)
//   --heartbeat-ms N         heartbeat interval (LOOPKUBE_HEARTBEAT_MS; 1000)
// kubelet's own values are 10000 and 300000; host-process containers (cluster.json hostProcesses)
// back off as kubelet does unless the back-off is set here.
// At start, whatever the host containers of this node's previous process left is killed.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readClusterConfig } from '../src/cluster/config.js';
import { followSupervisor } from '../src/cluster/parent-watch.js';
import { createApiClient } from '../src/client/client.js';
import { clientConfigFromHome } from '../src/client/config.js';
import { createLogger } from '../src/log.js';
import { kubeletClientToken } from '../src/pki/kubelet-token.js';
import { startNodeAgent } from './agent.js';
import { DEFAULT_RESTART_BACKOFF, KUBELET_RESTART_BACKOFF } from './backoff.js';
import { reapNodeLeftovers } from './host-process/reaper.js';

const { values } = parseArgs({
  options: {
    home: { type: 'string' },
    node: { type: 'string' },
    'restart-backoff-ms': { type: 'string' },
    'restart-backoff-max-ms': { type: 'string' },
    'heartbeat-ms': { type: 'string' },
  },
});

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

function positiveMs(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) fail(`--${flag}: must be a positive number of milliseconds, got ${JSON.stringify(raw)}`);
  return n;
}

if (!values.home || !values.node) fail('usage: nodes/main.js --home DIR --node NAME');
const home = values.home;
if (!existsSync(`${home}/cluster.json`)) fail(`no cluster.json in ${home}: is this a loopkube cluster's home folder?`);
const config = readClusterConfig(home);
const nodeConfig = config.nodes.find((n) => n.name === values.node);
if (!nodeConfig) fail(`node ${JSON.stringify(values.node)} is not in ${home}/cluster.json (nodes: ${config.nodes.map((n) => n.name).join(', ') || 'none'})`);

const logger = createLogger('node', { node: nodeConfig.name });
const follower = followSupervisor({ log: (msg, fields) => logger.info(fields ?? {}, msg) });

const baseMs = positiveMs('restart-backoff-ms', values['restart-backoff-ms'] ?? process.env.LOOPKUBE_RESTART_BACKOFF_MS, DEFAULT_RESTART_BACKOFF.baseMs);
const maxMs = positiveMs('restart-backoff-max-ms', values['restart-backoff-max-ms'] ?? process.env.LOOPKUBE_RESTART_BACKOFF_MAX_MS, baseMs * 30);
const backoffAsked = (values['restart-backoff-ms'] ?? process.env.LOOPKUBE_RESTART_BACKOFF_MS ?? values['restart-backoff-max-ms'] ?? process.env.LOOPKUBE_RESTART_BACKOFF_MAX_MS) !== undefined;
const heartbeatMs = positiveMs('heartbeat-ms', values['heartbeat-ms'] ?? process.env.LOOPKUBE_HEARTBEAT_MS, 1000);

process.on('uncaughtException', (err) => {
  logger.fatal({ err }, 'uncaught exception');
  process.exit(1);
});
// A promise nobody waited for went wrong: log it, and keep the pods serving.
process.on('unhandledRejection', (err) => {
  logger.error({ err }, 'unhandled rejection');
});

const stateDir = path.join(home, 'nodes', nodeConfig.name);
const reaped = reapNodeLeftovers(stateDir);
if (reaped.killed || reaped.pidFiles) logger.info(reaped, 'killed what the host containers of the previous node process left');
if (config.hostProcesses) logger.info('host processes allowed: containers with a command run it as a process of this node');

const clientConfig = clientConfigFromHome(home);
const client = createApiClient(clientConfig);
try {
  const agent = await startNodeAgent({
    node: nodeConfig,
    client,
    logger,
    restartBackoff: { baseMs, maxMs: Math.max(maxMs, baseMs) },
    heartbeatIntervalMs: heartbeatMs,
    stateDir,
    ...(config.hostProcesses ? { hostProcesses: { backoff: backoffAsked ? { baseMs, maxMs: Math.max(maxMs, baseMs) } : KUBELET_RESTART_BACKOFF } } : {}),
    kubelet: { token: kubeletClientToken(clientConfig.token) },
    ...(config.dns?.port ? { dns: { ip: config.dns.ip, port: config.dns.port } } : {}),
  });
  logger.info({ ip: nodeConfig.ip, podCIDR: nodeConfig.podCIDR }, 'node agent started');
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    follower.stop();
    logger.info({ signal }, 'stopping; pods stay bound to this node');
    const force = setTimeout(() => process.exit(0), 3000);
    force.unref();
    void agent.stop().finally(() => {
      client.close();
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  void agent.ready().then(() => logger.info('node ready'));
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  const why = e.code === 'EADDRINUSE' ? ` (is another process of node ${nodeConfig.name} running?)` : '';
  logger.fatal({ err }, `node agent failed to start${why}`);
  process.exit(1);
}

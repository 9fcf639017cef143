// `loopkube node stop|start NAME`: kill a node's process as a crash would (the supervisor then
// leaves it down, and the control plane sees its heartbeats stop), or bring it back.
import { sendSupervisorRequest, supervisorSocket } from '../supervisor/control.js';
import type { SupervisorState } from '../supervisor/state.js';
import { CliError, UsageError, durationFlag, parseFlags } from './args.js';
import { nameFlag, notRunningMessage, selectCluster } from './cluster-home.js';
import { ensureSupervisor } from './supervisor-start.js';
import { waitUntilHealthy } from './wait-ready.js';

export const NODE_HELP = `Stop or start a node's process.

Usage:
  loopkube node stop NODE [--name CLUSTER]
  loopkube node start NODE [--name CLUSTER] [--wait DURATION]

  stop    kills the node's process with SIGKILL, as a crash would; the supervisor leaves it down
  start   starts it again and waits until it is healthy (default: 30s)

Options:
  --name CLUSTER     cluster name (default: the only running cluster, else the one 'up' started last)
  --wait DURATION    how long 'start' waits for the node to be healthy (default: 30s)
  -h, --help         show this help
`;

export async function node(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('node', argv, { name: { type: 'string' }, wait: { type: 'string' } } as const, true);
  if (values.help) {
    process.stdout.write(NODE_HELP);
    return 0;
  }
  const [action, nodeName, ...extra] = positionals;
  if (action !== 'stop' && action !== 'start') {
    throw new UsageError('node', action === undefined ? 'a subcommand is required: stop or start' : `unknown subcommand "${action}": use stop or start`);
  }
  if (!nodeName) throw new UsageError('node', `node ${action} needs the name of a node, e.g. loopkube node ${action} node-1`);
  if (extra.length) throw new UsageError('node', `unexpected argument "${extra[0]}"`);
  const waitMs = durationFlag('node', '--wait', values.wait) ?? 30_000;

  const loc = selectCluster(values.name);
  const supervisorPid = await ensureSupervisor(loc);
  if (supervisorPid === null) throw new CliError(notRunningMessage(loc.name));
  const socket = supervisorSocket(loc.home);

  const current = await ask(loc.name, socket, { op: 'status' });
  const nodes = current.processes.filter((p) => p.component === 'node');
  const target = nodes.find((p) => p.name === nodeName);
  if (!target) {
    throw new CliError(
      `node "${nodeName}" not found in cluster "${loc.name}"` +
        (nodes.length ? `; its nodes are: ${nodes.map((p) => p.name).join(', ')}` : '; it runs no node processes'),
    );
  }

  if (action === 'stop') {
    if (target.state === 'stopped') {
      process.stdout.write(`node/${nodeName} is already stopped\n`);
      return 0;
    }
    await ask(loc.name, socket, { op: 'stop-process', name: nodeName });
    process.stdout.write(
      `node/${nodeName} stopped (process ${target.pid ?? '-'} killed); it stays down until: loopkube node start ${nodeName}${nameFlag(loc.name)}\n`,
    );
    return 0;
  }

  const after = await ask(loc.name, socket, { op: 'start-process', name: nodeName });
  const started = after.processes.find((p) => p.name === nodeName);
  const ready = await waitUntilHealthy(loc, supervisorPid, { timeoutMs: waitMs, only: [nodeName] });
  if (!ready.ok) {
    throw new CliError(`node/${nodeName} was started (pid ${started?.pid ?? '-'}) but is not healthy after ${waitMs / 1000}s; see ${loc.paths.logsDir}/${nodeName}.log`);
  }
  const pid = ready.state?.processes.find((p) => p.name === nodeName)?.pid ?? started?.pid;
  process.stdout.write(`node/${nodeName} started (pid ${pid ?? '-'})\n`);
  return 0;
}

async function ask(cluster: string, socket: string, request: Parameters<typeof sendSupervisorRequest>[1]): Promise<SupervisorState> {
  let reply;
  try {
    reply = await sendSupervisorRequest(socket, request, 10_000);
  } catch (err) {
    throw new CliError(`the supervisor of cluster "${cluster}" does not answer: ${(err as Error).message}`);
  }
  if (!reply.ok) throw new CliError(reply.error);
  return reply.state;
}

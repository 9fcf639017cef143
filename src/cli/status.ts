// `loopkube status`: each process of a running cluster, its pid, address, state and live health.
import { existsSync } from 'node:fs';
import { readClusterConfig } from '../cluster/config.js';
import { describeFailures, fetchListenerReport, type ListenerFailureReport } from '../observe/listener-problems.js';
import { sendSupervisorRequest, supervisorSocket } from '../supervisor/control.js';
import { probeHealth } from '../supervisor/health.js';
import type { SupervisorState } from '../supervisor/state.js';
import { CliError, parseFlags } from './args.js';
import { notRunningMessage, probeOptionsFor, selectCluster } from './cluster-home.js';
import { ensureSupervisor } from './supervisor-start.js';
import { formatTable } from './table.js';

export const STATUS_HELP = `Show each process of a cluster: component, pid, address, state and health.

Usage:
  loopkube status [--name NAME] [--json]

Options:
  --name NAME   cluster name (default: the only running cluster, else the one 'up' started last)
  --json        print JSON: { cluster, home, kubeconfig, supervisorPid,
                processes: [{ name, component, pid, address, state, healthy, restarts }],
                failedListeners: [{ address, kind, namespace, service, port, node, code, reason, fix, message }] }
                (failedListeners is null when the proxy does not answer)
  -h, --help    show this help

Below the table: every Service address the proxy could not open (a port below 1024 as a user
other than root, an address taken by another program), why, and the fix.

Exits with 1 when the cluster is not running.
`;

export interface StatusJson {
  cluster: string;
  home: string;
  kubeconfig: string;
  supervisorPid: number;
  processes: Array<{
    name: string;
    component: string;
    pid: number | null;
    address: string;
    state: string;
    healthy: boolean;
    restarts: number;
  }>;
  /** What the proxy could not open, as it reports it now; null when it did not answer. */
  failedListeners: ListenerFailureReport[] | null;
}

export async function status(argv: string[]): Promise<number> {
  const { values } = parseFlags('status', argv, { name: { type: 'string' }, json: { type: 'boolean' } } as const);
  if (values.help) {
    process.stdout.write(STATUS_HELP);
    return 0;
  }
  const loc = selectCluster(values.name);
  const supervisorPid = await ensureSupervisor(loc);
  if (supervisorPid === null) throw new CliError(notRunningMessage(loc.name));
  let state: SupervisorState;
  try {
    const reply = await sendSupervisorRequest(supervisorSocket(loc.home), { op: 'status' }, 5000);
    if (!reply.ok) throw new Error(reply.error);
    state = reply.state;
  } catch (err) {
    throw new CliError(`the supervisor of cluster "${loc.name}" (pid ${supervisorPid}) does not answer: ${(err as Error).message}`);
  }
  const probe = probeOptionsFor(loc);
  const processes = await Promise.all(
    state.processes.map(async (p) => ({
      name: p.name,
      component: p.component,
      pid: p.pid,
      address: p.address,
      state: p.state,
      healthy: p.state === 'running' && (await probeHealth(p.health, { ...probe, timeoutMs: 1000 })),
      restarts: p.restarts,
    })),
  );
  const proxyRunning = processes.some((p) => p.component === 'proxy' && p.state === 'running');
  const report = proxyRunning && existsSync(loc.paths.config) ? await fetchListenerReport(readClusterConfig(loc.home)) : null;
  const failedListeners = report?.failed ?? null;
  if (values.json) {
    const out: StatusJson = { cluster: loc.name, home: loc.home, kubeconfig: loc.paths.kubeconfig, supervisorPid, processes, failedListeners };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(
    `${formatTable(
      ['NAME', 'COMPONENT', 'PID', 'ADDRESS', 'STATE', 'HEALTH', 'RESTARTS'],
      processes.map((p) => [p.name, p.component, p.pid ?? '-', p.address, p.state, p.state === 'running' ? (p.healthy ? 'healthy' : 'unhealthy') : '-', p.restarts]),
    )}\n`,
  );
  if (failedListeners?.length) {
    process.stdout.write(
      `\nThe proxy could not open ${failedListeners.length === 1 ? 'this address' : `these ${failedListeners.length} addresses`} (it retries every 2 s; connections to them are refused):\n` +
        `${describeFailures(failedListeners)}\n`,
    );
  }
  return 0;
}

// Pods as `kubectl get pods` shows them: NAME READY STATUS RESTARTS AGE (+ IP NODE
// NOMINATED NODE READINESS GATES), with STATUS and RESTARTS computed as upstream's printPod.
import type { ContainerState, KubeObject, Pod } from '../../api/types.js';
import { fieldDescription } from '../../apiserver/schema/registry.js';
import { ageColumn, asArray, asNumber, asString, humanDuration, isRecord, nameColumn, parseTime, since } from '../../apiserver/printers/format.js';
import { column, type KindPrinter, type PrintedRow, type TableRowCondition } from '../../apiserver/printers/table.js';

const POD_SPEC = 'io.k8s.api.core.v1.PodSpec';
const POD_STATUS = 'io.k8s.api.core.v1.PodStatus';

/** The reason a node controller gives pods of a node that stopped reporting (node.NodeUnreachablePodReason). */
const NODE_UNREACHABLE_POD_REASON = 'NodeLost';

interface ContainerStatusView {
  name: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  state: ContainerState;
  lastTerminatedAt: number | undefined;
}

function containerStatuses(v: unknown): ContainerStatusView[] {
  return asArray(v)
    .filter(isRecord)
    .map((s) => {
      const lastState = isRecord(s.lastState) ? s.lastState : {};
      const lastTerminated = isRecord(lastState.terminated) ? lastState.terminated : undefined;
      return {
        name: asString(s.name),
        ready: s.ready === true,
        started: s.started === true,
        restartCount: asNumber(s.restartCount),
        state: (isRecord(s.state) ? s.state : {}) as ContainerState,
        lastTerminatedAt: lastTerminated ? parseTime(lastTerminated.finishedAt) : undefined,
      };
    });
}

function later(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b > a ? b : a;
}

function hasCondition(pod: Pod, type: string): boolean {
  return asArray(pod.status?.conditions).some((c) => isRecord(c) && c.type === type && c.status === 'True');
}

const SUCCEEDED: TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
const FAILED: TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];

function terminatedReason(t: NonNullable<ContainerState['terminated']> & { signal?: number }, prefix: string): string {
  if (t.reason) return prefix + t.reason;
  if (t.signal) return `${prefix}Signal:${t.signal}`;
  return `${prefix}ExitCode:${asNumber(t.exitCode)}`;
}

export function printPod(obj: KubeObject, now: Date): PrintedRow {
  const pod = obj as Pod;
  const spec = isRecord(pod.spec) ? pod.spec : ({ containers: [] } as Pod['spec']);
  const status = isRecord(pod.status) ? pod.status : {};
  const containers = asArray(spec.containers);
  const initContainers = asArray(spec.initContainers).filter(isRecord);

  let restarts = 0;
  let restartableInitRestarts = 0;
  let totalContainers = containers.length;
  let readyContainers = 0;
  let lastRestart: number | undefined;
  let lastRestartableInitRestart: number | undefined;

  const phase = asString(status.phase);
  let reason = asString(status.reason) || phase;
  for (const c of asArray(status.conditions)) {
    if (isRecord(c) && c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const row: PrintedRow = { cells: [] };
  if (phase === 'Succeeded') row.conditions = SUCCEEDED;
  else if (phase === 'Failed') row.conditions = FAILED;

  // Init containers with restartPolicy Always are sidecars: they count as containers of the pod.
  const restartable = new Set<string>();
  for (const c of initContainers) {
    if (c.restartPolicy === 'Always') {
      restartable.add(asString(c.name));
      totalContainers++;
    }
  }

  let initializing = false;
  const initStatuses = containerStatuses(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i] as ContainerStatusView;
    restarts += c.restartCount;
    lastRestart = later(lastRestart, c.lastTerminatedAt);
    const isSidecar = restartable.has(c.name);
    if (isSidecar) {
      restartableInitRestarts += c.restartCount;
      lastRestartableInitRestart = later(lastRestartableInitRestart, c.lastTerminatedAt);
    }
    const terminated = c.state.terminated;
    const waiting = c.state.waiting;
    if (terminated && asNumber(terminated.exitCode) === 0) continue;
    if (isSidecar && c.started) {
      if (c.ready) readyContainers++;
      continue;
    }
    if (terminated) reason = terminatedReason(terminated, 'Init:');
    else if (waiting?.reason && waiting.reason !== 'PodInitializing') reason = `Init:${waiting.reason}`;
    else reason = `Init:${i}/${initContainers.length}`;
    initializing = true;
    break;
  }

  if (!initializing || hasCondition(pod, 'Initialized')) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses = containerStatuses(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i] as ContainerStatusView;
      restarts += c.restartCount;
      lastRestart = later(lastRestart, c.lastTerminatedAt);
      const { waiting, terminated, running } = c.state;
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated) reason = terminatedReason(terminated, '');
      else if (c.ready && running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A pod whose last container completed but another still runs is Running (or NotReady).
    if (reason === 'Completed' && hasRunning) reason = hasCondition(pod, 'Ready') ? 'Running' : 'NotReady';
  }

  if (pod.metadata?.deletionTimestamp && status.reason === NODE_UNREACHABLE_POD_REASON) reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  const restartsCell = restarts !== 0 && lastRestart !== undefined ? `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)` : String(restarts);

  const podIP = asString(status.podIP) || asString(asArray(status.podIPs).filter(isRecord)[0]?.ip) || '<none>';
  const nodeName = asString(spec.nodeName) || '<none>';
  const nominated = asString(status.nominatedNodeName) || '<none>';
  let readinessGates = '<none>';
  const gates = asArray((spec as unknown as Record<string, unknown>).readinessGates).filter(isRecord);
  if (gates.length > 0) {
    let trueConditions = 0;
    for (const gate of gates) {
      const cond = asArray(status.conditions).find((c) => isRecord(c) && c.type === gate.conditionType);
      if (isRecord(cond) && cond.status === 'True') trueConditions++;
    }
    readinessGates = `${trueConditions}/${gates.length}`;
  }

  row.cells = [
    pod.metadata?.name ?? '',
    `${readyContainers}/${totalContainers}`,
    reason,
    restartsCell,
    since(pod.metadata?.creationTimestamp, now),
    podIP,
    nodeName,
    nominated,
    readinessGates,
  ];
  return row;
}

export const podPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'string', 'The aggregate status of the containers in this pod.'),
    column('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    ageColumn(),
    column('IP', 'string', fieldDescription(POD_STATUS, 'podIP'), 1),
    column('Node', 'string', fieldDescription(POD_SPEC, 'nodeName'), 1),
    column('Nominated Node', 'string', fieldDescription(POD_STATUS, 'nominatedNodeName'), 1),
    column('Readiness Gates', 'string', fieldDescription(POD_SPEC, 'readinessGates'), 1),
  ],
  print: printPod,
};

// Nodes as `kubectl get nodes` shows them: NAME STATUS ROLES AGE VERSION (+ INTERNAL-IP
// EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME).
import type { KubeObject, Node } from '../../api/types.js';
import { fieldDescription } from '../../apiserver/schema/registry.js';
import { ageColumn, asArray, asString, isRecord, nameColumn, since } from '../../apiserver/printers/format.js';
import { column, type KindPrinter, type PrintedRow } from '../../apiserver/printers/table.js';

const NODE_STATUS = 'io.k8s.api.core.v1.NodeStatus';
const NODE_INFO = 'io.k8s.api.core.v1.NodeSystemInfo';
const ROLE_LABEL_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

/** `Ready`, `NotReady`, `Unknown`, with `,SchedulingDisabled` for a cordoned node. */
function nodeStatus(node: Node): string {
  const status: string[] = [];
  const ready = asArray(node.status?.conditions).find((c) => isRecord(c) && c.type === 'Ready');
  if (isRecord(ready)) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  if (status.length === 0) status.push('Unknown');
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

/** Roles from `node-role.kubernetes.io/<role>` labels and the `kubernetes.io/role` label, sorted. */
function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith(ROLE_LABEL_PREFIX)) {
      const role = k.slice(ROLE_LABEL_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === ROLE_LABEL && v) {
      roles.add(v);
    }
  }
  return roles.size > 0 ? [...roles].sort().join(',') : '<none>';
}

function address(node: Node, type: string): string {
  const a = asArray(node.status?.addresses).find((x) => isRecord(x) && x.type === type);
  return isRecord(a) ? asString(a.address) : '<none>';
}

export function printNode(obj: KubeObject, now: Date): PrintedRow {
  const node = obj as Node;
  const info = node.status?.nodeInfo ?? {};
  return {
    cells: [
      node.metadata?.name ?? '',
      nodeStatus(node),
      nodeRoles(node),
      since(node.metadata?.creationTimestamp, now),
      asString(info.kubeletVersion),
      address(node, 'InternalIP'),
      address(node, 'ExternalIP'),
      asString(info.osImage) || '<unknown>',
      asString(info.kernelVersion) || '<unknown>',
      asString(info.containerRuntimeVersion) || '<unknown>',
    ],
  };
}

export const nodePrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Status', 'string', 'The status of the node'),
    column('Roles', 'string', 'The roles of the node'),
    ageColumn(),
    column('Version', 'string', fieldDescription(NODE_INFO, 'kubeletVersion')),
    column('Internal-IP', 'string', fieldDescription(NODE_STATUS, 'addresses'), 1),
    column('External-IP', 'string', fieldDescription(NODE_STATUS, 'addresses'), 1),
    column('OS-Image', 'string', fieldDescription(NODE_INFO, 'osImage'), 1),
    column('Kernel-Version', 'string', fieldDescription(NODE_INFO, 'kernelVersion'), 1),
    column('Container-Runtime', 'string', fieldDescription(NODE_INFO, 'containerRuntimeVersion'), 1),
  ],
  print: printNode,
};

// Deployments as `kubectl get deploy` shows them: NAME READY UP-TO-DATE AVAILABLE AGE (+
// CONTAINERS IMAGES SELECTOR).
import type { Deployment } from '../../api/apps.js';
import { formatLabelSelector } from '../../api/label-selector.js';
import type { KubeObject } from '../../api/types.js';
import { ageColumn, asNumber, containerCells, nameColumn, since } from '../../apiserver/printers/format.js';
import { column, type KindPrinter, type PrintedRow } from '../../apiserver/printers/table.js';
import { fieldDescription } from '../../apiserver/schema/registry.js';

const STATUS = 'io.k8s.api.apps.v1.DeploymentStatus';
const SPEC = 'io.k8s.api.apps.v1.DeploymentSpec';

export function printDeployment(obj: KubeObject, now: Date): PrintedRow {
  const d = obj as Deployment;
  const [names, images] = containerCells(d.spec?.template?.spec?.containers);
  const desired = typeof d.spec?.replicas === 'number' ? d.spec.replicas : 1;
  return {
    cells: [
      d.metadata.name ?? '',
      `${asNumber(d.status?.readyReplicas)}/${desired}`,
      asNumber(d.status?.updatedReplicas),
      asNumber(d.status?.availableReplicas),
      since(d.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(d.spec?.selector),
    ],
  };
}

export const deploymentPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Ready', 'string', 'Number of the pod with ready state'),
    column('Up-to-date', 'string', fieldDescription(STATUS, 'updatedReplicas')),
    column('Available', 'string', fieldDescription(STATUS, 'availableReplicas')),
    ageColumn(),
    column('Containers', 'string', 'Names of each container in the template.', 1),
    column('Images', 'string', 'Images referenced by each container in the template.', 1),
    column('Selector', 'string', fieldDescription(SPEC, 'selector'), 1),
  ],
  print: printDeployment,
};

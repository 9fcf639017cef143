// CronJobs as `kubectl get cronjobs` shows them (1.32): NAME SCHEDULE TIMEZONE SUSPEND ACTIVE
// LAST SCHEDULE AGE (+ CONTAINERS IMAGES SELECTOR).
import type { CronJob } from '../../api/batch.js';
import { formatLabelSelector } from '../../api/label-selector.js';
import type { KubeObject } from '../../api/types.js';
import { ageColumn, containerCells, nameColumn, since } from '../../apiserver/printers/format.js';
import { column, type KindPrinter, type PrintedRow } from '../../apiserver/printers/table.js';
import { fieldDescription } from '../../apiserver/schema/registry.js';

const SPEC = 'io.k8s.api.batch.v1.CronJobSpec';
const STATUS = 'io.k8s.api.batch.v1.CronJobStatus';

export function printCronJob(obj: KubeObject, now: Date): PrintedRow {
  const cj = obj as CronJob;
  const last = cj.status?.lastScheduleTime ? since(cj.status.lastScheduleTime, now) : '<none>';
  // printBoolPtr
  const suspend = cj.spec?.suspend === undefined ? '<unset>' : cj.spec.suspend ? 'True' : 'False';
  const [names, images] = containerCells(cj.spec?.jobTemplate?.spec?.template?.spec?.containers);
  const selector = cj.spec?.jobTemplate?.spec?.selector;
  return {
    cells: [cj.metadata.name ?? '', cj.spec?.schedule ?? '', cj.spec?.timeZone ?? '<none>', suspend, (cj.status?.active ?? []).length, last, since(cj.metadata.creationTimestamp, now), names, images, selector ? formatLabelSelector(selector) : '<none>'],
  };
}

export const cronJobPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Schedule', 'string', fieldDescription(SPEC, 'schedule')),
    column('Timezone', 'string', fieldDescription(SPEC, 'timeZone')),
    column('Suspend', 'boolean', fieldDescription(SPEC, 'suspend')),
    column('Active', 'integer', fieldDescription(STATUS, 'active')),
    column('Last Schedule', 'date', fieldDescription(STATUS, 'lastScheduleTime')),
    ageColumn(),
    column('Containers', 'string', 'Names of each container in the template.', 1),
    column('Images', 'string', 'Images referenced by each container in the template.', 1),
    column('Selector', 'string', fieldDescription('io.k8s.api.batch.v1.JobSpec', 'selector'), 1),
  ],
  print: printCronJob,
};

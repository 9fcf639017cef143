// Jobs as `kubectl get jobs` shows them (1.32): NAME STATUS COMPLETIONS DURATION AGE
// (+ CONTAINERS IMAGES SELECTOR).
import type { Job } from '../../api/batch.js';
import { formatLabelSelector } from '../../api/label-selector.js';
import type { KubeObject } from '../../api/types.js';
import { ageColumn, containerCells, humanDuration, nameColumn, parseTime, since } from '../../apiserver/printers/format.js';
import { column, type KindPrinter, type PrintedRow } from '../../apiserver/printers/table.js';
import { fieldDescription } from '../../apiserver/schema/registry.js';

const SPEC = 'io.k8s.api.batch.v1.JobSpec';
const STATUS = 'io.k8s.api.batch.v1.JobStatus';

/** hasJobCondition: the first condition of the type decides. */
function hasCondition(job: Job, type: string): boolean {
  const c = job.status?.conditions?.find((x) => x.type === type);
  return c?.status === 'True';
}

/** printJob's STATUS column. */
export function jobStatusText(job: Job): string {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

export function printJob(obj: KubeObject, now: Date): PrintedRow {
  const job = obj as Job;
  const succeeded = job.status?.succeeded ?? 0;
  let completions: string;
  if (typeof job.spec?.completions === 'number') completions = `${succeeded}/${job.spec.completions}`;
  else {
    const parallelism = job.spec?.parallelism ?? 0;
    completions = parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
  }
  const start = parseTime(job.status?.startTime);
  const end = parseTime(job.status?.completionTime);
  const duration = start === undefined ? '' : humanDuration((end ?? now.getTime()) - start);
  const [names, images] = containerCells(job.spec?.template?.spec?.containers);
  return {
    cells: [job.metadata.name ?? '', jobStatusText(job), completions, duration, since(job.metadata.creationTimestamp, now), names, images, formatLabelSelector(job.spec?.selector)],
  };
}

export const jobPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Status', 'string', 'Status of the job.'),
    column('Completions', 'string', fieldDescription(STATUS, 'succeeded')),
    column('Duration', 'string', 'Time required to complete the job.'),
    ageColumn(),
    column('Containers', 'string', 'Names of each container in the template.', 1),
    column('Images', 'string', 'Images referenced by each container in the template.', 1),
    column('Selector', 'string', fieldDescription(SPEC, 'selector'), 1),
  ],
  print: printJob,
};

// batch/v1 Job: pods that run to completion. The Job controller (src/controllers/job/) creates
// them, counts them and writes the Job's status; the TTL-after-finished controller deletes a
// finished Job once its ttlSecondsAfterFinished has passed. A delete through batch/v1 that names
// no propagation orphans the pods, as upstream keeps it for compatibility (kubectl asks for
// Background).
import { fieldOr } from '../../api/fields.js';
import type { KindDefinition } from '../kind.js';
import { admitJob } from './admission.js';
import { jobPrinter } from './printer.js';
import { JOBS } from './resource.js';

export const jobKind: KindDefinition = {
  resource: JOBS,
  printer: jobPrinter,
  fieldSelectors: { 'status.successful': fieldOr('status.succeeded', 0) },
  protobufMessage: 'batch.v1.Job',
  strategy: {
    tracksGeneration: true,
    initialStatus: () => ({}),
    admit: admitJob,
    defaultPropagation: 'Orphan',
  },
};

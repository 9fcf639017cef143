// apps/v1 DaemonSet: one pod of a template on every eligible node (src/controllers/daemonset/),
// its history in ControllerRevisions, generation tracking.
import type { KindDefinition } from '../kind.js';
import { admitDaemonSet } from './admission.js';
import { daemonSetPrinter } from './printer.js';
import { DAEMON_SETS } from './resource.js';

export const daemonSetKind: KindDefinition = {
  resource: DAEMON_SETS,
  printer: daemonSetPrinter,
  protobufMessage: 'apps.v1.DaemonSet',
  strategy: {
    tracksGeneration: true,
    initialStatus: () => ({ currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 }),
    admit: admitDaemonSet,
  },
};

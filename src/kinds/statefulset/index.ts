// apps/v1 StatefulSet: pods with stable names `<name>-<ordinal>` made in order
// (src/controllers/statefulset/), its history in ControllerRevisions, generation tracking and the
// scale subresource.
import type { StatefulSet } from '../../api/apps.js';
import { formatLabelSelector } from '../../api/label-selector.js';
import type { KindDefinition } from '../kind.js';
import { scaleSubresource } from '../shared/scale.js';
import { admitStatefulSet } from './admission.js';
import { statefulSetPrinter } from './printer.js';
import { STATEFUL_SETS } from './resource.js';

export const statefulSetKind: KindDefinition = {
  resource: STATEFUL_SETS,
  printer: statefulSetPrinter,
  protobufMessage: 'apps.v1.StatefulSet',
  subresources: {
    scale: scaleSubresource<StatefulSet>({
      specReplicas: (s) => s.spec.replicas ?? 1,
      setSpecReplicas: (s, n) => {
        s.spec.replicas = n;
      },
      statusReplicas: (s) => s.status?.replicas ?? 0,
      selector: (s) => formatLabelSelector(s.spec.selector).replace(/^<none>$/, ''),
    }),
  },
  strategy: {
    tracksGeneration: true,
    initialStatus: () => ({ replicas: 0, availableReplicas: 0 }),
    admit: admitStatefulSet,
  },
};

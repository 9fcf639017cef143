// core/v1 Pod: defaulting and validation (admission.ts), graceful deletion (deletion.ts), the
// scheduler's binding (binding.ts), evictions that honour disruption budgets (eviction.ts), status
// written by the node agent.
import type { KindDefinition } from '../kind.js';
import { admitPod } from './admission.js';
import { bindingSubresource } from './binding.js';
import { podReadyToRemove, preparePodDelete } from './deletion.js';
import { evictionSubresource } from './eviction.js';
import { logSubresource } from './log.js';
import { attachSubresource, execSubresource, portForwardSubresource } from './streams.js';
import { POD_FIELDS } from './fields.js';
import { podPrinter } from './printer.js';
import { PODS } from './resource.js';

export const podKind: KindDefinition = {
  resource: PODS,
  printer: podPrinter,
  fieldSelectors: POD_FIELDS,
  protobufMessage: 'core.v1.Pod',
  subresources: { binding: bindingSubresource, eviction: evictionSubresource, log: logSubresource, exec: execSubresource, attach: attachSubresource, portforward: portForwardSubresource },
  strategy: {
    returnDeletedObject: true,
    initialStatus: () => ({ phase: 'Pending' }),
    admit: admitPod,
    prepareDelete: preparePodDelete,
    readyToRemove: podReadyToRemove,
  },
};

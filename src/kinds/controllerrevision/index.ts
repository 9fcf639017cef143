// apps/v1 ControllerRevision: an immutable snapshot of a DaemonSet's or StatefulSet's pod template
// (the strategic-merge patch kubectl rollout undo applies), written by their controllers.
import type { KindDefinition } from '../kind.js';
import { admitControllerRevision } from './admission.js';
import { controllerRevisionPrinter } from './printer.js';
import { CONTROLLER_REVISIONS } from './resource.js';

export const controllerRevisionKind: KindDefinition = {
  resource: CONTROLLER_REVISIONS,
  printer: controllerRevisionPrinter,
  protobufMessage: 'apps.v1.ControllerRevision',
  strategy: { admit: admitControllerRevision },
};

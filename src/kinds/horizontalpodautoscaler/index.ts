// autoscaling/v2 HorizontalPodAutoscaler (scaled by src/controllers/horizontal-pod-autoscaler.ts
// through its target's scale subresource), and autoscaling/v1 served for `kubectl autoscale`:
// a v1 write is converted and stored as v2.
import type { KindDefinition } from '../kind.js';
import { admitHPA, admitHPAV1, hpaV2ToV1 } from './admission.js';
import { hpaPrinter } from './printer.js';
import { HORIZONTAL_POD_AUTOSCALERS, HORIZONTAL_POD_AUTOSCALERS_V1 } from './resource.js';

export const horizontalPodAutoscalerKind: KindDefinition = {
  resource: HORIZONTAL_POD_AUTOSCALERS,
  printer: hpaPrinter,
  protobufMessage: 'autoscaling.v2.HorizontalPodAutoscaler',
  strategy: { tracksGeneration: true, initialStatus: () => ({}), admit: admitHPA },
};

export const horizontalPodAutoscalerV1Kind: KindDefinition = {
  resource: HORIZONTAL_POD_AUTOSCALERS_V1,
  printer: hpaPrinter,
  protobufMessage: 'autoscaling.v1.HorizontalPodAutoscaler',
  garbageCollected: false, // the v2 entry watches the same objects
  strategy: { tracksGeneration: true, initialStatus: () => ({}), admit: admitHPAV1, present: hpaV2ToV1 },
};

// core/v1 ConfigMap: configuration for pods, by env (configMapKeyRef, envFrom) or volume; the
// node agent waits for the ones a pod names (nodes/pod-sources.ts).
import type { KindDefinition } from '../kind.js';
import { admitConfigMap } from './admission.js';
import { configMapPrinter } from './printer.js';
import { CONFIG_MAPS } from './resource.js';

export const configMapKind: KindDefinition = {
  resource: CONFIG_MAPS,
  printer: configMapPrinter,
  protobufMessage: 'core.v1.ConfigMap',
  strategy: { admit: admitConfigMap },
};

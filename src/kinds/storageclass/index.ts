// storage.k8s.io/v1 StorageClass: which provisioner makes a claim's volume, when (Immediate or
// WaitForFirstConsumer) and what happens to it once released. The cluster's default class,
// `standard`, is the built-in local-path provisioner's, as kind ships it.
import type { KindDefinition } from '../kind.js';
import { admitStorageClass } from './admission.js';
import { storageClassPrinter } from './printer.js';
import { STORAGE_CLASSES } from './resource.js';

export const storageClassKind: KindDefinition = {
  resource: STORAGE_CLASSES,
  printer: storageClassPrinter,
  protobufMessage: 'storage.v1.StorageClass',
  strategy: { admit: admitStorageClass },
};

// StorageClasses as `kubectl get sc` shows them (kubectl 1.32's printStorageClass): NAME (with
// " (default)" for the default class) PROVISIONER RECLAIMPOLICY VOLUMEBINDINGMODE
// ALLOWVOLUMEEXPANSION AGE.
import type { KubeObject } from '../../api/types.js';
import { ageColumn, nameColumn, since } from '../../apiserver/printers/format.js';
import { column, type KindPrinter, type PrintedRow } from '../../apiserver/printers/table.js';
import { fieldDescription } from '../../apiserver/schema/registry.js';
import { isDefaultClass, type StorageClass } from './types.js';

const SC = 'io.k8s.api.storage.v1.StorageClass';

export function printStorageClass(obj: KubeObject, now: Date): PrintedRow {
  const sc = obj as StorageClass;
  return {
    cells: [
      `${sc.metadata.name ?? ''}${isDefaultClass(sc) ? ' (default)' : ''}`,
      sc.provisioner ?? '',
      sc.reclaimPolicy ?? 'Delete',
      sc.volumeBindingMode ?? 'Immediate',
      sc.allowVolumeExpansion ?? false,
      since(sc.metadata.creationTimestamp, now),
    ],
  };
}

export const storageClassPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Provisioner', 'string', fieldDescription(SC, 'provisioner')),
    column('ReclaimPolicy', 'string', fieldDescription(SC, 'reclaimPolicy')),
    column('VolumeBindingMode', 'string', fieldDescription(SC, 'volumeBindingMode')),
    column('AllowVolumeExpansion', 'string', fieldDescription(SC, 'allowVolumeExpansion')),
    ageColumn(),
  ],
  print: printStorageClass,
};

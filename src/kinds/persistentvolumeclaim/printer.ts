// PersistentVolumeClaims as `kubectl get pvc` shows them (kubectl 1.32's
// printPersistentVolumeClaim): NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS
// VOLUMEATTRIBUTESCLASS AGE (+ VOLUMEMODE); capacity and access modes once bound, from the status.
import type { KubeObject } from '../../api/types.js';
import { ageColumn, nameColumn, since } from '../../apiserver/printers/format.js';
import { column, type KindPrinter, type PrintedRow } from '../../apiserver/printers/table.js';
import { fieldDescription } from '../../apiserver/schema/registry.js';
import { accessModesAsString } from '../persistentvolume/access-modes.js';
import { quantityCell } from '../persistentvolume/printer.js';
import { ANN_BETA_STORAGE_CLASS, type PersistentVolumeClaim } from '../persistentvolume/types.js';

const SPEC = 'io.k8s.api.core.v1.PersistentVolumeClaimSpec';
const STATUS = 'io.k8s.api.core.v1.PersistentVolumeClaimStatus';

/** GetPersistentVolumeClaimClass: the beta annotation, else spec.storageClassName. */
export function claimClass(pvc: PersistentVolumeClaim): string {
  return pvc.metadata.annotations?.[ANN_BETA_STORAGE_CLASS] ?? pvc.spec?.storageClassName ?? '';
}

export function printPersistentVolumeClaim(obj: KubeObject, now: Date): PrintedRow {
  const pvc = obj as PersistentVolumeClaim;
  const phase = pvc.metadata.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? '');
  const bound = Boolean(pvc.spec?.volumeName);
  return {
    cells: [
      pvc.metadata.name ?? '',
      phase,
      pvc.spec?.volumeName ?? '',
      bound ? quantityCell(pvc.status?.capacity?.['storage']) : '',
      bound ? accessModesAsString(pvc.status?.accessModes) : '',
      claimClass(pvc),
      pvc.spec?.volumeAttributesClassName || '<unset>',
      since(pvc.metadata.creationTimestamp, now),
      pvc.spec?.volumeMode ?? '<unset>',
    ],
  };
}

export const persistentVolumeClaimPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Status', 'string', fieldDescription(STATUS, 'phase')),
    column('Volume', 'string', fieldDescription(SPEC, 'volumeName')),
    column('Capacity', 'string', fieldDescription(STATUS, 'capacity')),
    column('Access Modes', 'string', fieldDescription(STATUS, 'accessModes')),
    column('StorageClass', 'string', 'StorageClass of the pvc'),
    column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    ageColumn(),
    column('VolumeMode', 'string', fieldDescription(SPEC, 'volumeMode'), 1),
  ],
  print: printPersistentVolumeClaim,
};

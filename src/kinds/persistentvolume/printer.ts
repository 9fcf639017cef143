// PersistentVolumes as `kubectl get pv` shows them (kubectl 1.32's printPersistentVolume): NAME
// CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS VOLUMEATTRIBUTESCLASS REASON AGE
// (+ VOLUMEMODE); a volume being deleted is Terminating.
import type { KubeObject } from '../../api/types.js';
import { canonicalQuantity } from '../../api/quantity.js';
import { ageColumn, nameColumn, since } from '../../apiserver/printers/format.js';
import { column, type KindPrinter, type PrintedRow } from '../../apiserver/printers/table.js';
import { fieldDescription } from '../../apiserver/schema/registry.js';
import { accessModesAsString } from './access-modes.js';
import { ANN_BETA_STORAGE_CLASS, type PersistentVolume } from './types.js';

const SPEC = 'io.k8s.api.core.v1.PersistentVolumeSpec';
const STATUS = 'io.k8s.api.core.v1.PersistentVolumeStatus';

/** A quantity as Quantity.String() prints it (a missing one is 0). */
export function quantityCell(q: string | undefined): string {
  if (q === undefined || q === '') return '0';
  try {
    return canonicalQuantity(q);
  } catch {
    return q;
  }
}

export function printPersistentVolume(obj: KubeObject, now: Date): PrintedRow {
  const pv = obj as PersistentVolume;
  const ref = pv.spec?.claimRef;
  const claim = ref ? `${ref.namespace ?? ''}/${ref.name ?? ''}` : '';
  const phase = pv.metadata.deletionTimestamp ? 'Terminating' : (pv.status?.phase ?? '');
  const klass = pv.metadata.annotations?.[ANN_BETA_STORAGE_CLASS] ?? pv.spec?.storageClassName ?? '';
  return {
    cells: [
      pv.metadata.name ?? '',
      quantityCell(pv.spec?.capacity?.['storage']),
      accessModesAsString(pv.spec?.accessModes),
      pv.spec?.persistentVolumeReclaimPolicy ?? '',
      phase,
      claim,
      klass,
      pv.spec?.volumeAttributesClassName ?? '<unset>',
      pv.status?.reason ?? '',
      since(pv.metadata.creationTimestamp, now),
      pv.spec?.volumeMode ?? '<unset>',
    ],
  };
}

export const persistentVolumePrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Capacity', 'string', fieldDescription(SPEC, 'capacity')),
    column('Access Modes', 'string', fieldDescription(SPEC, 'accessModes')),
    column('Reclaim Policy', 'string', fieldDescription(SPEC, 'persistentVolumeReclaimPolicy')),
    column('Status', 'string', fieldDescription(STATUS, 'phase')),
    column('Claim', 'string', fieldDescription(SPEC, 'claimRef')),
    column('StorageClass', 'string', 'StorageClass of the pv'),
    column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    column('Reason', 'string', fieldDescription(STATUS, 'reason')),
    ageColumn(),
    column('VolumeMode', 'string', fieldDescription(SPEC, 'volumeMode'), 1),
  ],
  print: printPersistentVolume,
};

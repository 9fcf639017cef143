// ConfigMaps as `kubectl get cm` shows them: NAME DATA AGE (DATA counts data and binaryData keys).
import type { ConfigMap } from '../../api/config.js';
import type { KubeObject } from '../../api/types.js';
import { ageColumn, isRecord, nameColumn, since } from '../../apiserver/printers/format.js';
import { column, type KindPrinter, type PrintedRow } from '../../apiserver/printers/table.js';
import { fieldDescription } from '../../apiserver/schema/registry.js';

export const keyCount = (m: unknown): number => (isRecord(m) ? Object.keys(m).length : 0);

export function printConfigMap(obj: KubeObject, now: Date): PrintedRow {
  const cm = obj as ConfigMap;
  return { cells: [cm.metadata.name ?? '', keyCount(cm.data) + keyCount(cm.binaryData), since(cm.metadata.creationTimestamp, now)] };
}

export const configMapPrinter: KindPrinter = {
  columns: [nameColumn(), column('Data', 'string', fieldDescription('io.k8s.api.core.v1.ConfigMap', 'data')), ageColumn()],
  print: printConfigMap,
};

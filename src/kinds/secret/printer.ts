// Secrets as `kubectl get secret` shows them: NAME TYPE DATA AGE.
import type { Secret } from '../../api/config.js';
import type { KubeObject } from '../../api/types.js';
import { ageColumn, asString, nameColumn, since } from '../../apiserver/printers/format.js';
import { column, type KindPrinter, type PrintedRow } from '../../apiserver/printers/table.js';
import { fieldDescription } from '../../apiserver/schema/registry.js';
import { keyCount } from '../configmap/printer.js';

const SECRET = 'io.k8s.api.core.v1.Secret';

export function printSecret(obj: KubeObject, now: Date): PrintedRow {
  const s = obj as Secret;
  return { cells: [s.metadata.name ?? '', asString(s.type), keyCount(s.data), since(s.metadata.creationTimestamp, now)] };
}

export const secretPrinter: KindPrinter = {
  columns: [nameColumn(), column('Type', 'string', fieldDescription(SECRET, 'type')), column('Data', 'string', fieldDescription(SECRET, 'data')), ageColumn()],
  print: printSecret,
};

// Namespaces as `kubectl get namespaces` shows them: NAME STATUS AGE.
import type { KubeObject, Namespace } from '../../api/types.js';
import { ageColumn, asString, nameColumn, since } from '../../apiserver/printers/format.js';
import { column, type KindPrinter, type PrintedRow } from '../../apiserver/printers/table.js';

export function printNamespace(obj: KubeObject, now: Date): PrintedRow {
  const ns = obj as Namespace;
  return { cells: [ns.metadata?.name ?? '', asString(ns.status?.phase), since(ns.metadata?.creationTimestamp, now)] };
}

export const namespacePrinter: KindPrinter = {
  columns: [nameColumn(), column('Status', 'string', 'The status of the namespace'), ageColumn()],
  print: printNamespace,
};

// ControllerRevisions as `kubectl get controllerrevisions` shows them: NAME CONTROLLER REVISION AGE
// (the controller as `<kind>.<group>/<name>`, printControllerRevision).
import type { ControllerRevision } from '../../api/apps.js';
import type { KubeObject } from '../../api/types.js';
import { ageColumn, nameColumn, since } from '../../apiserver/printers/format.js';
import { column, type KindPrinter, type PrintedRow } from '../../apiserver/printers/table.js';

function controllerName(cr: ControllerRevision): string {
  const ref = cr.metadata.ownerReferences?.find((r) => r.controller);
  if (!ref) return '<none>';
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
  return `${ref.kind.toLowerCase()}${group ? `.${group}` : ''}/${ref.name}`;
}

export function printControllerRevision(obj: KubeObject, now: Date): PrintedRow {
  const cr = obj as ControllerRevision;
  return { cells: [cr.metadata.name ?? '', controllerName(cr), cr.revision ?? 0, since(cr.metadata.creationTimestamp, now)] };
}

export const controllerRevisionPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Controller', 'string', 'Controller of the object'),
    column('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'),
    ageColumn(),
  ],
  print: printControllerRevision,
};

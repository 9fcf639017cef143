// IngressClasses as `kubectl get ingressclass` shows them: NAME CONTROLLER PARAMETERS AGE, the
// parameters as `Kind.apiGroup/name` (kubectl 1.32's printIngressClass).
import type { IngressClass } from '../../api/networking.js';
import type { KubeObject } from '../../api/types.js';
import { ageColumn, nameColumn, since } from '../../apiserver/printers/format.js';
import { column, type KindPrinter, type PrintedRow } from '../../apiserver/printers/table.js';

export function printIngressClass(obj: KubeObject, now: Date): PrintedRow {
  const c = obj as IngressClass;
  const p = c.spec?.parameters;
  const parameters = p ? `${p.kind}${typeof p.apiGroup === 'string' ? `.${p.apiGroup}` : ''}/${p.name}` : '<none>';
  return { cells: [c.metadata.name ?? '', c.spec?.controller ?? '', parameters, since(c.metadata.creationTimestamp, now)] };
}

export const ingressClassPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Controller', 'string', 'Controller that is responsible for handling this class'),
    column('Parameters', 'string', 'A reference to an object with additional parameters'),
    ageColumn(),
  ],
  print: printIngressClass,
};

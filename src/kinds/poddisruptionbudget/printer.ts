// PodDisruptionBudgets as `kubectl get pdb` shows them: NAME MIN AVAILABLE MAX UNAVAILABLE
// ALLOWED DISRUPTIONS AGE.
import type { PodDisruptionBudget } from '../../api/policy.js';
import type { KubeObject } from '../../api/types.js';
import { ageColumn, asNumber, nameColumn, since } from '../../apiserver/printers/format.js';
import { column, type KindPrinter, type PrintedRow } from '../../apiserver/printers/table.js';
import { fieldDescription } from '../../apiserver/schema/registry.js';

const SPEC = 'io.k8s.api.policy.v1.PodDisruptionBudgetSpec';
const STATUS = 'io.k8s.api.policy.v1.PodDisruptionBudgetStatus';

export function printPodDisruptionBudget(obj: KubeObject, now: Date): PrintedRow {
  const pdb = obj as PodDisruptionBudget;
  const orNA = (v: number | string | undefined): string => (v === undefined ? 'N/A' : String(v));
  return {
    cells: [
      pdb.metadata.name ?? '',
      orNA(pdb.spec?.minAvailable),
      orNA(pdb.spec?.maxUnavailable),
      asNumber(pdb.status?.disruptionsAllowed),
      since(pdb.metadata.creationTimestamp, now),
    ],
  };
}

export const podDisruptionBudgetPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Min Available', 'string', fieldDescription(SPEC, 'minAvailable')),
    column('Max Unavailable', 'string', fieldDescription(SPEC, 'maxUnavailable')),
    column('Allowed Disruptions', 'integer', fieldDescription(STATUS, 'disruptionsAllowed')),
    ageColumn(),
  ],
  print: printPodDisruptionBudget,
};

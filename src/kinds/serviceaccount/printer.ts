// ServiceAccounts as `kubectl get sa` shows them: NAME SECRETS AGE.
import type { ServiceAccount } from '../../api/config.js';
import type { KubeObject } from '../../api/types.js';
import { ageColumn, asArray, nameColumn, since } from '../../apiserver/printers/format.js';
import { column, type KindPrinter, type PrintedRow } from '../../apiserver/printers/table.js';
import { fieldDescription } from '../../apiserver/schema/registry.js';

export function printServiceAccount(obj: KubeObject, now: Date): PrintedRow {
  const sa = obj as ServiceAccount;
  return { cells: [sa.metadata.name ?? '', asArray(sa.secrets).length, since(sa.metadata.creationTimestamp, now)] };
}

export const serviceAccountPrinter: KindPrinter = {
  columns: [nameColumn(), column('Secrets', 'string', fieldDescription('io.k8s.api.core.v1.ServiceAccount', 'secrets')), ageColumn()],
  print: printServiceAccount,
};

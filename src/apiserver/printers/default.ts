// The Table of a kind without its own printer: NAME and CREATED AT, as kube-apiserver's
// default table convertor prints any object.
import type { KubeObject } from '../../api/types.js';
import { fieldDescription } from '../schema/registry.js';
import { nameColumn } from './format.js';
import { column, type KindPrinter, type PrintedRow } from './table.js';

export function printDefault(obj: KubeObject): PrintedRow {
  return { cells: [obj.metadata?.name ?? '', obj.metadata?.creationTimestamp ?? null] };
}

export const defaultPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Created At', 'date', fieldDescription('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'creationTimestamp')),
  ],
  print: printDefault,
};

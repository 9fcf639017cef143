// Server-side printing: objects of a served resource as a meta.k8s.io/v1 Table with kubectl's
// standard columns for the kind (wide ones included, priority 1: kubectl shows them with -o wide).
import type { ResourceInfo } from '../../api/resources.js';
import type { KubeObject, ListMeta } from '../../api/types.js';
import { kindOf } from '../../kinds/catalog.js';
import { defaultPrinter } from './default.js';
import type { KindPrinter, Table, TableRow } from './table.js';

export type { KindPrinter, PartialObjectMetadata, Table, TableColumnDefinition, TableRow, TableRowCondition } from './table.js';
export { humanDuration } from './format.js';

/** The printer of a resource's kind (the default NAME / CREATED AT one for kinds without their own). */
export function printerFor(info: ResourceInfo): KindPrinter {
  return kindOf(info).printer ?? defaultPrinter;
}

export interface TableOptions {
  /** What each row's `object` holds: nothing, PartialObjectMetadata (the default, as upstream), or the object. */
  includeObject?: 'None' | 'Metadata' | 'Object';
  /** The list's metadata (resourceVersion, continue); `{}` when not given. */
  listMeta?: ListMeta;
  /** The clock AGE columns are computed against. */
  now?: Date;
  /** Leave columnDefinitions empty (TableOptions.noHeaders, used for watch events after the first). */
  noHeaders?: boolean;
}

/** `objects` as a Table, one row each, in order. */
export function toTable(info: ResourceInfo, objects: KubeObject[], opts: TableOptions = {}): Table {
  const printer = printerFor(info);
  const now = opts.now ?? new Date();
  const includeObject = opts.includeObject ?? 'Metadata';
  const rows = objects.map((obj): TableRow => {
    const printed = printer.print(obj, now);
    const row: TableRow = { cells: printed.cells };
    if (printed.conditions) row.conditions = printed.conditions;
    if (includeObject === 'Object') row.object = obj;
    else if (includeObject === 'Metadata') row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: opts.listMeta ?? {},
    columnDefinitions: opts.noHeaders ? [] : printer.columns.map((c) => ({ ...c })),
    rows,
  };
}

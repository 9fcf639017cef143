// meta.k8s.io/v1 Table: what kube-apiserver answers when a client asks for
// `application/json;as=Table;v=v1;g=meta.k8s.io` (kubectl get does), and the shape of a
// per-kind printer (pkg/printers/internalversion/printers.go upstream).
import type { KubeObject, ListMeta, ObjectMeta } from '../../api/types.js';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  /** 0 for standard columns, 1 for the ones kubectl shows only with `-o wide`. */
  priority: number;
}

export interface TableRowCondition {
  type: 'Completed';
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface PartialObjectMetadata {
  kind: 'PartialObjectMetadata';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ObjectMeta;
}

export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  object?: PartialObjectMetadata | KubeObject;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ListMeta;
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

/** The cells of one row (all columns, wide ones included: the server always prints wide). */
export interface PrintedRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
}

export interface KindPrinter {
  columns: TableColumnDefinition[];
  print(obj: KubeObject, now: Date): PrintedRow;
}

export function column(name: string, type: string, description: string, priority = 0, format = ''): TableColumnDefinition {
  return { name, type, format, description, priority };
}

// NodeMetrics and PodMetrics as metrics-server's table convertor prints them (pkg/api/table.go):
// NAME, one column per resource (cpu, memory; a pod's summed over its containers), WINDOW.
import { formatQuantity, parseQuantityExact, type Quantity } from '../api/quantity.js';
import type { KubeObject } from '../api/types.js';
import { column, type KindPrinter, type PrintedRow } from '../apiserver/printers/table.js';

type UsageMap = Record<string, string>;

function sum(values: string[], format: Quantity['format']): string {
  let nanos = 0n;
  for (const v of values) {
    const q = parseQuantityExact(v);
    // value = digits * 10^-scale
    nanos += q.scale <= 9 ? q.digits * 10n ** BigInt(9 - q.scale) : q.digits / 10n ** BigInt(q.scale - 9);
  }
  return formatQuantity({ digits: nanos, scale: 9, format });
}

function usageOf(obj: KubeObject): UsageMap {
  const o = obj as KubeObject & { usage?: UsageMap; containers?: Array<{ usage?: UsageMap }> };
  if (o.usage) return o.usage;
  const cs = o.containers ?? [];
  return {
    cpu: sum(cs.map((c) => c.usage?.cpu ?? '0'), 'DecimalSI'),
    memory: sum(cs.map((c) => c.usage?.memory ?? '0'), 'BinarySI'),
  };
}

export const metricsPrinter: KindPrinter = {
  columns: [
    column('Name', 'string', 'Name of the resource', 0, 'name'),
    column('cpu', 'string', '', 0, 'quantity'),
    column('memory', 'string', '', 0, 'quantity'),
    column('Window', 'string', '', 0, 'duration'),
  ],
  print(obj: KubeObject): PrintedRow {
    const u = usageOf(obj);
    return { cells: [obj.metadata.name ?? '', u.cpu ?? '', u.memory ?? '', (obj as KubeObject & { window?: string }).window ?? ''] };
  },
};

// HorizontalPodAutoscalers as `kubectl get hpa` shows them (pkg/printers/internalversion
// printHorizontalPodAutoscaler): NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE; TARGETS as
// formatHPAMetrics writes them (`cpu: 42%/50%`, `cpu: <unknown>/50%`, at most 3, then `+ N more...`).
import type { KubeObject } from '../../api/types.js';
import { ageColumn, nameColumn, since } from '../../apiserver/printers/format.js';
import { column, type KindPrinter, type PrintedRow } from '../../apiserver/printers/table.js';
import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus } from './types.js';

function target(spec: MetricSpec, current: MetricStatus | undefined): string {
  const r = spec.type === 'Resource' ? spec.resource : spec.type === 'ContainerResource' ? spec.containerResource : undefined;
  if (!r) return `<unknown>/<unknown>`;
  const cur = current?.resource?.current;
  if (r.target.type === 'Utilization' && typeof r.target.averageUtilization === 'number') {
    const now = typeof cur?.averageUtilization === 'number' ? `${cur.averageUtilization}%` : '<unknown>';
    return `${r.name}: ${now}/${r.target.averageUtilization}%`;
  }
  const want = r.target.averageValue ?? r.target.value ?? '<unknown>';
  return `${r.name}: ${cur?.averageValue ?? cur?.value ?? '<unknown>'}/${want}`;
}

export function formatHPAMetrics(h: HorizontalPodAutoscaler): string {
  const specs = h.spec?.metrics ?? [];
  if (specs.length === 0) return '<none>';
  const current = h.status?.currentMetrics ?? [];
  const shown = specs.slice(0, 3).map((m, i) => target(m, current[i]));
  const more = specs.length > 3 ? ` + ${specs.length - 3} more...` : '';
  return `${shown.join(', ')}${more}`;
}

export function printHPA(obj: KubeObject, now: Date): PrintedRow {
  const h = obj as HorizontalPodAutoscaler;
  const ref = h.spec?.scaleTargetRef;
  return {
    cells: [
      h.metadata.name ?? '',
      `${ref?.kind ?? ''}/${ref?.name ?? ''}`,
      formatHPAMetrics(h),
      typeof h.spec?.minReplicas === 'number' ? String(h.spec.minReplicas) : '<unset>',
      h.spec?.maxReplicas ?? 0,
      h.status?.currentReplicas ?? 0,
      since(h.metadata.creationTimestamp, now),
    ],
  };
}

export const hpaPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Reference', 'string', 'reference to the object being scaled'),
    column('Targets', 'string', 'the metrics used for scaling and their current values'),
    column('MinPods', 'string', 'the minimum number of pods'),
    column('MaxPods', 'integer', 'the maximum number of pods'),
    column('Replicas', 'integer', 'the current number of replicas'),
    ageColumn(),
  ],
  print: printHPA,
};

// Formatting helpers shared by the printers, as upstream's printers format things
// (k8s.io/apimachinery/pkg/util/duration, labels.FormatLabels, the "+ N more..." lists).
import { fieldDescription } from '../schema/registry.js';
import { column, type TableColumnDefinition } from './table.js';

/**
 * duration.HumanDuration: `45s`, `3m2s`, `15m`, `5h3m`, `20h`, `2d3h`, `30d`, `2y10d`, `9y`.
 * Slightly negative durations (clock skew under 2s) read `0s`; more negative ones `<invalid>`.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    const years = Math.floor(hours / 24 / 365);
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** Parses a timestamp; undefined for a missing or unparseable one (Go's zero time). */
export function parseTime(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

/** translateTimestampSince: the age of a timestamp, `<unknown>` when there is none. */
export function since(timestamp: unknown, now: Date): string {
  const t = parseTime(timestamp);
  return t === undefined ? '<unknown>' : humanDuration(now.getTime() - t);
}

/** labels.FormatLabels: `app=web,tier=front` with sorted keys, `<none>` when empty. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${(labels as Record<string, string>)[k]}`).join(',');
}

/** listWithMoreString: `a,b,c + 2 more...`, `<unset>` for an empty list. */
export function listWithMore(list: string[], more: boolean, count: number, max: number): string {
  const joined = list.join(',');
  if (more) return `${joined} + ${count - max} more...`;
  return joined === '' ? '<unset>' : joined;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function asString(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function asNumber(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** The Name column every kind starts with. */
export function nameColumn(priority = 0): TableColumnDefinition {
  return column('Name', 'string', fieldDescription(OBJECT_META, 'name'), priority, 'name');
}

/** The Age column. */
export function ageColumn(): TableColumnDefinition {
  return column('Age', 'string', fieldDescription(OBJECT_META, 'creationTimestamp'));
}

/** layoutContainerCells: container names and images, each comma-separated. */
export function containerCells(containers: unknown): [string, string] {
  const list = asArray(containers).filter(isRecord);
  return [list.map((c) => asString(c.name)).join(','), list.map((c) => asString(c.image)).join(',')];
}

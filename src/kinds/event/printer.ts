// Events as `kubectl get events` shows them: LAST SEEN TYPE REASON OBJECT MESSAGE
// (+ SUBOBJECT SOURCE FIRST SEEN COUNT NAME).
import type { Event, KubeObject } from '../../api/types.js';
import { fieldDescription } from '../../apiserver/schema/registry.js';
import { asNumber, asString, isRecord, nameColumn, parseTime, since } from '../../apiserver/printers/format.js';
import { column, type KindPrinter, type PrintedRow } from '../../apiserver/printers/table.js';

const EVENT = 'io.k8s.api.core.v1.Event';
const OBJECT_REFERENCE = 'io.k8s.api.core.v1.ObjectReference';

/** formatEventSource: `component, host`, falling back to reportingComponent / reportingInstance. */
function eventSource(ev: Event): string {
  const component = asString(ev.source?.component) || asString(ev.reportingComponent);
  const host = asString(ev.source?.host) || asString(ev.reportingInstance);
  return host ? `${component}, ${host}` : component;
}

export function printEvent(obj: KubeObject, now: Date): PrintedRow {
  const ev = obj as Event;
  const firstSeen = parseTime(ev.firstTimestamp) !== undefined ? since(ev.firstTimestamp, now) : since(ev.eventTime, now);
  let lastSeen = parseTime(ev.lastTimestamp) !== undefined ? since(ev.lastTimestamp, now) : firstSeen;
  let count = asNumber(ev.count);
  const series = (ev as Record<string, unknown>).series;
  if (isRecord(series)) {
    lastSeen = since(series.lastObservedTime, now);
    count = asNumber(series.count);
  } else if (count === 0) {
    count = 1; // singleton events of the events.k8s.io API carry no count
  }
  const involved = ev.involvedObject ?? {};
  const kind = asString(involved.kind).toLowerCase();
  const target = asString(involved.name) ? `${kind}/${asString(involved.name)}` : kind;
  return {
    cells: [
      lastSeen,
      asString(ev.type),
      asString(ev.reason),
      target,
      asString(involved.fieldPath),
      eventSource(ev),
      asString(ev.message).trim(),
      firstSeen,
      count,
      ev.metadata?.name ?? '',
    ],
  };
}

export const eventPrinter: KindPrinter = {
  columns: [
    column('Last Seen', 'string', fieldDescription(EVENT, 'lastTimestamp')),
    column('Type', 'string', fieldDescription(EVENT, 'type')),
    column('Reason', 'string', fieldDescription(EVENT, 'reason')),
    column('Object', 'string', fieldDescription(EVENT, 'involvedObject')),
    column('Subobject', 'string', fieldDescription(OBJECT_REFERENCE, 'fieldPath'), 1),
    column('Source', 'string', fieldDescription(EVENT, 'source'), 1),
    column('Message', 'string', fieldDescription(EVENT, 'message')),
    column('First Seen', 'string', fieldDescription(EVENT, 'firstTimestamp'), 1),
    column('Count', 'string', fieldDescription(EVENT, 'count'), 1),
    nameColumn(1),
  ],
  print: printEvent,
};

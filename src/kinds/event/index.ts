// core/v1 Event: written by every component's event recorder; the client's fields are kept.
import { fieldAt } from '../../api/fields.js';
import type { KindDefinition } from '../kind.js';
import { admitEvent } from './admission.js';
import { eventPrinter } from './printer.js';
import { EVENTS } from './resource.js';

const involved = (field: string): [string, ReturnType<typeof fieldAt>] => [`involvedObject.${field}`, fieldAt(`involvedObject.${field}`)];

export const eventKind: KindDefinition = {
  resource: EVENTS,
  printer: eventPrinter,
  fieldSelectors: {
    ...Object.fromEntries(['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'].map(involved)),
    reason: fieldAt('reason'),
    reportingComponent: fieldAt('reportingComponent'),
    source: fieldAt('source.component'),
    type: fieldAt('type'),
  },
  protobufMessage: 'core.v1.Event',
  strategy: { admit: admitEvent },
  garbageCollected: false,
};

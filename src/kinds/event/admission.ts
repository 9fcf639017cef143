// core/v1 Events (core validation's legacyValidateEvent): the involved object's namespace must
// match the event's, and events carrying an eventTime need their reporting fields.
import type { Event, KubeObject } from '../../api/types.js';
import type { FieldError } from '../../admission/field-errors.js';
import { invalid, invalidObject, required } from '../../admission/field-errors.js';
import { isQualifiedName } from '../../admission/labels.js';
import { isDNS1123Subdomain, nameIsDNSSubdomain } from '../../admission/names.js';
import { carrySystemMeta, validateObjectMeta, validateObjectMetaUpdate } from '../../admission/object-meta.js';
import type { AdmissionRequest } from '../kind.js';

const LIMITS = { reportingInstance: 128, action: 128, reason: 128, message: 1024 };

function validateEvent(ev: Event): FieldError[] {
  const errs: FieldError[] = [];
  const ns = ev.metadata.namespace ?? '';
  const involvedNs = ev.involvedObject?.namespace ?? '';
  const mismatch = (): FieldError => invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace');
  if (!ev.eventTime) {
    if (!involvedNs) {
      if (ns !== '' && ns !== 'default') errs.push(mismatch());
    } else if (ns !== involvedNs) {
      errs.push(mismatch());
    }
  } else {
    if (!involvedNs && ns !== 'default' && ns !== 'kube-system') errs.push(mismatch());
    const controller = (ev as Event & { reportingController?: string }).reportingController ?? '';
    if (!controller) errs.push(required('reportingController', ''));
    errs.push(...isQualifiedName(controller).map((m) => invalid('reportingController', controller, m)));
    const instance = ev.reportingInstance ?? '';
    if (!instance) errs.push(required('reportingInstance', ''));
    if (instance.length > LIMITS.reportingInstance) errs.push(invalid('reportingInstance', '', `can have at most ${LIMITS.reportingInstance} characters`));
    const action = ev.action ?? '';
    if (!action) errs.push(required('action', ''));
    if (action.length > LIMITS.action) errs.push(invalid('action', '', `can have at most ${LIMITS.action} characters`));
    const reason = ev.reason ?? '';
    if (!reason) errs.push(required('reason', ''));
    if (reason.length > LIMITS.reason) errs.push(invalid('reason', '', `can have at most ${LIMITS.reason} characters`));
    if ((ev.message ?? '').length > LIMITS.message) errs.push(invalid('message', '', `can have at most ${LIMITS.message} characters`));
  }
  errs.push(...isDNS1123Subdomain(ns).map((m) => invalid('namespace', ns, m)));
  return errs;
}

export function admitEvent(req: AdmissionRequest): KubeObject {
  const ev = structuredClone(req.object) as Event;
  const errs: FieldError[] = [];
  if (req.operation === 'UPDATE' && req.oldObject) {
    carrySystemMeta(ev.metadata, req.oldObject.metadata);
    errs.push(...validateObjectMetaUpdate(ev.metadata, req.oldObject.metadata));
  } else {
    // v1 events skip ObjectMeta validation upstream, but the store still needs a valid name.
    errs.push(...validateObjectMeta(ev.metadata, true, nameIsDNSSubdomain));
  }
  errs.push(...validateEvent(ev));
  if (errs.length) throw invalidObject('Event', '', ev.metadata.name ?? '', errs);
  return ev;
}

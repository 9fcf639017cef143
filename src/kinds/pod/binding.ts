// pods/binding (upstream's BindingREST): the scheduler's Binding assigns a pending pod to a node.
// The Binding is validated first (target.kind is a Node's or empty, target.name is given), then
// the pod gets spec.nodeName and its PodScheduled condition.
import { badRequest, conflict, methodNotSupported, statusSuccess } from '../../api/errors.js';
import type { Binding, Pod, PodCondition } from '../../api/types.js';
import { invalidObject, notSupported, required, type FieldError } from '../../admission/field-errors.js';
import { isPlainObject } from '../../api/json.js';
import { nowRfc3339 } from '../../api/time.js';
import { writeJson } from '../../apiserver/respond.js';
import type { SubresourceDefinition } from '../kind.js';

/** ValidatePodBinding. */
export function validateBinding(binding: Binding): FieldError[] {
  const errs: FieldError[] = [];
  const kind = binding.target?.kind ?? '';
  if (kind && kind !== 'Node') errs.push(notSupported('target.kind', kind, ['Node', '<empty>']));
  if (!binding.target?.name) errs.push(required('target.name', ''));
  return errs;
}

export const bindingSubresource: SubresourceDefinition = {
  verbs: ['create'],
  kind: { group: '', version: 'v1', kind: 'Binding' },
  protobufRequests: { 'v1/Binding': 'core.v1.Binding' },
  async serve(r) {
    if (r.verb !== 'create') throw methodNotSupported('pods/binding', r.verb);
    const body = await r.body();
    if (!isPlainObject(body)) throw badRequest('not a Binding object');
    const binding = body as unknown as Binding;
    if (binding.metadata?.name !== r.name) throw badRequest('name in URL does not match name in Binding object');
    // upstream returns these as an aggregate (a 500); they are the client's mistakes: 422
    const errs = validateBinding(binding);
    if (errs.length) throw invalidObject('Binding', '', binding.metadata?.name ?? '', errs);
    const target = binding.target.name;
    await r.registry.mutate(r.info, r.namespace, r.name, 'binding', (cur) => {
      const pod = cur as Pod;
      if (pod.metadata.deletionTimestamp) throw conflict('pods/binding', '', r.name, `pod ${r.name} is being deleted, cannot be assigned to a host`);
      if (pod.spec.nodeName) throw conflict('pods/binding', '', r.name, `pod ${r.name} is already assigned to node "${pod.spec.nodeName}"`);
      pod.spec.nodeName = target;
      const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      const scheduled: PodCondition = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowRfc3339() };
      pod.status = { ...(pod.status ?? {}), conditions: [...conditions, scheduled] };
      return pod;
    });
    // upstream fills in the create's 201 as the Status's code
    writeJson(r.res, 201, { ...statusSuccess(), code: 201 });
  },
};

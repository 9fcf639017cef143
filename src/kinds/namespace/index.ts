// core/v1 Namespace: `kubernetes` finalizer and the name label on create (admission.ts), a
// delete that marks it Terminating until the namespace controller has emptied and finalized it.
import { fieldAt } from '../../api/fields.js';
import { forbidden } from '../../api/errors.js';
import type { Namespace } from '../../api/types.js';
import type { KindDefinition } from '../kind.js';
import { admitNamespace } from './admission.js';
import { finalizeSubresource } from './finalize.js';
import { namespacePrinter } from './printer.js';
import { NAMESPACES } from './resource.js';

/** Namespaces the system needs; deleting them is forbidden, as upstream forbids it. */
export const PROTECTED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

export const namespaceKind: KindDefinition = {
  resource: NAMESPACES,
  printer: namespacePrinter,
  fieldSelectors: { 'status.phase': fieldAt('status.phase') },
  protobufMessage: 'core.v1.Namespace',
  subresources: { finalize: finalizeSubresource },
  strategy: {
    returnDeletedObject: true,
    initialStatus: () => ({ phase: 'Active' }),
    admit: admitNamespace,
    prepareDelete(obj, _options, ctx) {
      const name = obj.metadata.name ?? '';
      if (PROTECTED_NAMESPACES.has(name)) throw forbidden(`namespaces "${name}" is forbidden: this namespace may not be deleted`);
      obj.metadata.deletionTimestamp ??= ctx.now();
      (obj as Namespace).status = { phase: 'Terminating' };
    },
    // The `kubernetes` finalizer in spec.finalizers holds it until the controller finalizes it.
    readyToRemove: (obj) => ((obj as Namespace).spec?.finalizers ?? []).length === 0,
  },
};

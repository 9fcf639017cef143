// namespaces/finalize (upstream's FinalizeREST): the namespace controller clears spec.finalizers
// once the namespace is empty; the API server then removes it.
import { methodNotSupported } from '../../api/errors.js';
import { isPlainObject } from '../../api/json.js';
import { writeJson } from '../../apiserver/respond.js';
import type { SubresourceDefinition } from '../kind.js';

export const finalizeSubresource: SubresourceDefinition = {
  verbs: ['update'],
  async serve(r) {
    if (r.verb !== 'update') throw methodNotSupported('namespaces/finalize', r.verb);
    const body = await r.body();
    const wanted = isPlainObject(body) && isPlainObject(body.spec) && Array.isArray(body.spec.finalizers) ? (body.spec.finalizers as string[]) : [];
    const updated = await r.registry.mutate(r.info, undefined, r.name, 'finalize', (cur) => {
      (cur as { spec?: { finalizers?: string[] } }).spec = { finalizers: wanted };
      return cur;
    });
    writeJson(r.res, 200, updated);
  },
};

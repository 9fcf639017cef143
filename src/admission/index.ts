// Admission: each kind's defaulting and validation (src/kinds/<kind>/admission.ts), in
// Kubernetes' own words. The API server calls admit() after it has resolved the name and
// namespace and set uid/creationTimestamp, and stores what admit() returns. The rest of this
// folder is the validation library the kinds share (names, labels, object metadata, pod specs,
// containers, probes, resources).
import type { KubeObject } from '../api/types.js';
import { kindOf } from '../kinds/catalog.js';
import type { Admission, AdmissionDeps, AdmissionRequest } from '../kinds/kind.js';

export type { Admission, AdmissionDeps, AdmissionOperation, AdmissionRequest } from '../kinds/kind.js';

export function createAdmission(deps: AdmissionDeps): Admission {
  return {
    async admit(req: AdmissionRequest): Promise<KubeObject> {
      const admit = kindOf(req.info).strategy.admit;
      return admit ? admit(req, deps) : req.object;
    },
  };
}

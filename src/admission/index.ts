// Admission: defaulting and validation of every served kind, in Kubernetes' own words, and the
// ClusterIP / NodePort allocators. The API server calls admit() after it has resolved the name
// and namespace and set uid/creationTimestamp, and stores what admit() returns.
import type { KubeObject } from '../api/types.js';
import { admitEndpointSlice } from './endpoint-slice.js';
import { admitEndpoints } from './endpoints.js';
import { admitEvent } from './event.js';
import { admitNamespace } from './namespace.js';
import { admitNode } from './node.js';
import { admitPod } from './pod.js';
import { admitReplicationController } from './replication-controller.js';
import type { Admission, AdmissionDeps, AdmissionRequest } from './request.js';
import { admitService } from './service.js';

export type { Admission, AdmissionDeps, AdmissionOperation, AdmissionRequest } from './request.js';

export function createAdmission(deps: AdmissionDeps): Admission {
  return {
    async admit(req: AdmissionRequest): Promise<KubeObject> {
      switch (req.info.kind) {
        case 'Pod':
          return admitPod(req);
        case 'Service':
          return admitService(req, deps);
        case 'ReplicationController':
          return admitReplicationController(req);
        case 'Namespace':
          return admitNamespace(req);
        case 'Node':
          return admitNode(req);
        case 'Endpoints':
          return admitEndpoints(req);
        case 'EndpointSlice':
          return admitEndpointSlice(req);
        case 'Event':
          return admitEvent(req);
        default:
          return req.object;
      }
    },
  };
}

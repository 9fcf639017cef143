// The `scale` subresource (upstream's ScaleREST): an autoscaling/v1 Scale view of a workload's
// replicas. Each workload kind says where its replicas and selector are; get, update and patch
// (any patch type: a Scale has no merge keys) are the same for all of them.
import { badRequest, conflict, fieldErr, invalid, methodNotSupported } from '../../api/errors.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { KubeObject, Scale } from '../../api/types.js';
import { writeJson } from '../../apiserver/respond.js';
import { applyPatch, isPatchContentType } from '../../apiserver/patch/index.js';
import type { SubresourceDefinition, SubresourceRequest } from '../kind.js';

export interface ScaleAccess<T extends KubeObject> {
  /** spec.replicas (its default when unset). */
  specReplicas(obj: T): number;
  setSpecReplicas(obj: T, replicas: number): void;
  statusReplicas(obj: T): number;
  /** The selector as a label-selector string (`app=web,tier in (a,b)`). */
  selector(obj: T): string;
}

export function toScale<T extends KubeObject>(obj: T, access: ScaleAccess<T>): Scale {
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: access.specReplicas(obj) },
    status: { replicas: access.statusReplicas(obj), selector: access.selector(obj) },
  };
}

function scaleFrom<T extends KubeObject>(r: SubresourceRequest, current: T, body: unknown, access: ScaleAccess<T>, info: ResourceInfo): Scale {
  if (r.verb === 'patch') {
    if (!isPatchContentType(r.mediaType)) throw badRequest(`unsupported patch type ${r.mediaType}`);
    return applyPatch(toScale(current, access), body, r.mediaType) as Scale;
  }
  const scale = body as Scale;
  if (scale?.metadata?.resourceVersion && scale.metadata.resourceVersion !== current.metadata.resourceVersion) {
    throw conflict(info.resource, info.group, r.name);
  }
  return scale;
}

/** The scale subresource of a workload kind. */
export function scaleSubresource<T extends KubeObject>(access: ScaleAccess<T>): SubresourceDefinition {
  return {
    verbs: ['get', 'patch', 'update'],
    kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
    protobufRequests: { 'autoscaling/v1/Scale': 'autoscaling.v1.Scale' },
    async serve(r) {
      const { info } = r;
      if (r.verb === 'get') {
        writeJson(r.res, 200, toScale((await r.registry.get(info, r.namespace, r.name)) as T, access));
        return;
      }
      if (r.verb !== 'update' && r.verb !== 'patch') throw methodNotSupported(`${info.resource}/scale`, r.verb);
      const body = await r.body();
      const updated = await r.registry.mutate(info, r.namespace, r.name, 'scale', (cur) => {
        const obj = cur as T;
        const scale = scaleFrom(r, obj, body, access, info);
        // Go clients omit replicas when it is 0 (omitempty): missing means 0.
        const replicas = scale?.spec?.replicas ?? 0;
        if (typeof replicas !== 'number' || !Number.isInteger(replicas)) throw badRequest('Scale.spec.replicas must be an integer');
        if (replicas < 0) throw invalid('Scale', 'autoscaling', r.name, [fieldErr.invalid('spec.replicas', replicas, 'must be greater than or equal to 0')]);
        access.setSpecReplicas(obj, replicas);
        return obj;
      });
      writeJson(r.res, 200, toScale(updated as T, access));
    },
  };
}

// What a request is about, from its path and method, as upstream's RequestInfoFactory reads it:
// /api/v1/namespaces/{ns}/{resource}/{name}/{subresource}, /apis/{group}/{version}/..., and the
// legacy /api/v1/watch/... prefix.
import { badRequest } from '../api/errors.js';
import type { ResourceInfo } from '../api/resources.js';
import { findResource } from '../kinds/catalog.js';
import { NAMESPACES } from '../kinds/namespace/resource.js';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface ResourceRequest {
  type: 'resource';
  info: ResourceInfo;
  verb: Verb;
  namespace?: string;
  name?: string;
  subresource: string;
}

export interface OtherRequest {
  /** `method-not-allowed`: a served path that does not take this method (405, as go-restful answers). */
  type: 'discovery' | 'openapi' | 'health' | 'version' | 'metrics' | 'unknown-resource' | 'not-found' | 'method-not-allowed';
  path: string;
  group?: string;
  version?: string;
  resource?: string;
}

export type RequestInfo = ResourceRequest | OtherRequest;

/** /namespaces/{name}/{sub} is the namespace's subresource, not a resource inside it. */
const NAMESPACE_SUBRESOURCES = new Set(NAMESPACES.subresources);

export function parseRequestInfo(method: string, pathname: string, watchParam: boolean): RequestInfo {
  const parts = pathname.split('/').filter((p) => p.length > 0).map((p) => decodePathSegment(p));
  if (parts.length === 0) return { type: 'discovery', path: '/' };
  const head = parts[0];
  if (head === 'healthz' || head === 'readyz' || head === 'livez') return { type: 'health', path: pathname };
  if (head === 'version') return { type: 'version', path: pathname };
  if (head === 'metrics') return { type: 'metrics', path: pathname };
  if (head === 'openapi') return { type: 'openapi', path: pathname };

  let group: string;
  let rest: string[];
  if (head === 'api') {
    if (parts.length === 1) return { type: 'discovery', path: pathname };
    group = '';
    rest = parts.slice(1);
  } else if (head === 'apis') {
    if (parts.length <= 2) return { type: 'discovery', path: pathname, group: parts[1] };
    group = parts[1]!;
    rest = parts.slice(2);
  } else {
    return { type: 'not-found', path: pathname };
  }
  const version = rest[0]!;
  if (rest.length === 1) return { type: 'discovery', path: pathname, group, version };
  let segs = rest.slice(1);
  let isWatch = watchParam;
  if (segs[0] === 'watch') {
    isWatch = true;
    segs = segs.slice(1);
  }
  let namespace: string | undefined;
  if (segs[0] === 'namespaces' && segs.length >= 2) {
    namespace = segs[1];
    if (segs.length > 2 && !NAMESPACE_SUBRESOURCES.has(segs[2]!)) {
      segs = segs.slice(2);
    } else {
      // the namespace object itself: /namespaces/{name}[/status|finalize]
      namespace = undefined;
      segs = ['namespaces', ...segs.slice(1)];
    }
  }
  const [resource, name, subresource = '', ...extra] = segs;
  if (!resource) return { type: 'not-found', path: pathname };
  const info = findResource(group, version, resource);
  if (!info) return { type: 'unknown-resource', path: pathname, group, version, resource };
  if (extra.length > 0) return { type: 'not-found', path: pathname };
  if (subresource && !info.subresources.includes(subresource)) return { type: 'not-found', path: pathname };
  if (!info.namespaced && namespace !== undefined) return { type: 'not-found', path: pathname };

  const notAllowed: OtherRequest = { type: 'method-not-allowed', path: pathname, group, version, resource };
  let verb: Verb;
  switch (method) {
    case 'GET':
    case 'HEAD':
      verb = name === undefined ? (isWatch ? 'watch' : 'list') : isWatch ? 'watch' : 'get';
      break;
    case 'POST':
      // a collection takes creates; an object only through a subresource (pods/binding)
      if (name !== undefined && !subresource) return notAllowed;
      verb = 'create';
      break;
    case 'PUT':
      if (name === undefined) return notAllowed;
      verb = 'update';
      break;
    case 'PATCH':
      if (name === undefined) return notAllowed;
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name === undefined ? 'deletecollection' : 'delete';
      break;
    default:
      return notAllowed;
  }
  // A namespaced resource across namespaces (/api/v1/pods) is for list and watch only.
  if (info.namespaced && namespace === undefined && verb !== 'list' && verb !== 'watch') return notAllowed;
  if (name === undefined && verb === 'watch' && !isWatch) verb = 'list';
  const out: ResourceRequest = { type: 'resource', info, verb, subresource };
  if (namespace !== undefined) out.namespace = namespace;
  if (name !== undefined) out.name = name;
  return out;
}

/** A path segment, percent-decoded; a malformed escape is the client's error (400), as Go's URL parser has it. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`invalid URL escape ${JSON.stringify(segment)}`);
  }
}

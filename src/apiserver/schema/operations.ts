// The REST operations loopkube serves, per path, described once and rendered by ../openapi.ts as
// OpenAPI v3 (what kubectl reads) and Swagger 2.0. Named and shaped as kube-apiserver names
// them (operationId `patchCoreV1NamespacedPod`, x-kubernetes-action `patch`, ...), because
// kubectl finds an operation by its x-kubernetes-group-version-kind and reads its parameters:
// a PATCH listing `fieldValidation` is how it learns the server validates fields itself.
import type { ResourceInfo } from '../../api/resources.js';
import { RESOURCES } from '../../kinds/catalog.js';
import type { GroupVersionKind } from './openapi-schema.js';
import { schemaNameFor } from './registry.js';

export type HttpMethod = 'get' | 'put' | 'post' | 'patch' | 'delete';

export interface ParameterSpec {
  name: string;
  in: 'query' | 'path';
  description: string;
  type: 'string' | 'boolean' | 'integer';
  required?: boolean;
}

export interface OperationSpec {
  method: HttpMethod;
  operationId: string;
  description: string;
  tag: string;
  /** x-kubernetes-action: get, list, watch, watchlist, post, put, patch, delete, deletecollection. */
  action?: string;
  gvk?: GroupVersionKind;
  parameters: ParameterSpec[];
  /** Component name of the request body and the media types accepted for it. */
  body?: { schema: string; contentTypes: string[] };
  responses: Array<{ code: string; description: string; schema?: string }>;
  produces: string[];
}

export interface PathSpec {
  path: string;
  parameters: ParameterSpec[];
  operations: OperationSpec[];
}

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const JSON_YAML = ['application/json', 'application/yaml'];
const WATCH_STREAM = ['application/json', 'application/yaml', 'application/json;stream=watch'];
export const PATCH_CONTENT_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

const q = (name: string, type: ParameterSpec['type'], description: string): ParameterSpec => ({ name, in: 'query', type, description });

const P = {
  pretty: q('pretty', 'string', "If 'true', the output is pretty printed."),
  dryRun: q('dryRun', 'string', 'When present, the modification is not persisted. The only valid value is All.'),
  fieldManager: q('fieldManager', 'string', 'Name of the actor making the change, recorded in managedFields.'),
  fieldValidation: q(
    'fieldValidation',
    'string',
    'How the server treats fields of the request body it does not know, or that appear twice: Ignore drops them silently; Warn drops them and answers with a Warning header for each; Strict fails the request with an error naming each one.',
  ),
  force: q('force', 'boolean', 'Force an apply request over conflicts. Only for apply patches.'),
  gracePeriodSeconds: q('gracePeriodSeconds', 'integer', 'Seconds before the object is deleted; 0 deletes immediately.'),
  orphanDependents: q('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy.'),
  propagationPolicy: q('propagationPolicy', 'string', 'Whether and how garbage collection is performed: Orphan, Background or Foreground.'),
  allowWatchBookmarks: q('allowWatchBookmarks', 'boolean', 'Ask for BOOKMARK events in a watch.'),
  continue: q('continue', 'string', 'Token from a previous chunked list, to get the next page.'),
  fieldSelector: q('fieldSelector', 'string', 'Restrict the returned objects by their fields, e.g. `spec.nodeName=node-1`.'),
  labelSelector: q('labelSelector', 'string', 'Restrict the returned objects by their labels, e.g. `app=web,tier in (a,b)`.'),
  limit: q('limit', 'integer', 'Maximum number of items of a list page.'),
  resourceVersion: q('resourceVersion', 'string', 'The store revision to list or watch from.'),
  resourceVersionMatch: q('resourceVersionMatch', 'string', 'How resourceVersion applies to a list: Exact or NotOlderThan.'),
  sendInitialEvents: q('sendInitialEvents', 'boolean', 'Start a watch with synthetic ADDED events for the current state.'),
  timeoutSeconds: q('timeoutSeconds', 'integer', 'Timeout of a list or watch call.'),
  watch: q('watch', 'boolean', 'Watch for changes and return them as a stream of events.'),
};

const LIST_PARAMS = [
  P.allowWatchBookmarks,
  P.continue,
  P.fieldSelector,
  P.labelSelector,
  P.limit,
  P.resourceVersion,
  P.resourceVersionMatch,
  P.sendInitialEvents,
  P.timeoutSeconds,
  P.watch,
];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy];

function pathParam(name: string, description: string): ParameterSpec {
  return { name, in: 'path', type: 'string', description, required: true };
}

/** `CoreV1`, `DiscoveryV1`, `AutoscalingV1`: the infix of upstream operation ids. */
function groupVersionId(group: string, version: string): string {
  const g = group === '' ? 'core' : (group.split('.')[0] as string);
  return g.charAt(0).toUpperCase() + g.slice(1) + version.charAt(0).toUpperCase() + version.slice(1);
}

function tagOf(group: string, version: string): string {
  return `${group === '' ? 'core' : (group.split('.')[0] as string)}_${version}`;
}

function schemaOf(gvk: GroupVersionKind): string {
  const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
  const name = schemaNameFor(apiVersion, gvk.kind);
  if (!name) throw new Error(`no schema for ${apiVersion} ${gvk.kind}`);
  return name;
}

const ok = (schema: string, code = '200', description = 'OK') => ({ code, description, schema });
const UNAUTHORIZED = { code: '401', description: 'Unauthorized' };

interface Subject {
  info: ResourceInfo;
  gvk: GroupVersionKind;
  listGvk: GroupVersionKind;
  gvId: string;
  tag: string;
  /** `Namespaced` infix of operation ids for namespaced kinds. */
  ns: string;
}

function collectionOperations(s: Subject): OperationSpec[] {
  const kind = s.gvk.kind;
  const schema = schemaOf(s.gvk);
  return [
    {
      method: 'get',
      operationId: `list${s.gvId}${s.ns}${kind}`,
      description: `list or watch objects of kind ${kind}`,
      tag: s.tag,
      action: 'list',
      gvk: s.gvk,
      parameters: LIST_PARAMS,
      responses: [ok(schemaOf(s.listGvk)), UNAUTHORIZED],
      produces: WATCH_STREAM,
    },
    {
      method: 'post',
      operationId: `create${s.gvId}${s.ns}${kind}`,
      description: `create ${article(kind)} ${kind}`,
      tag: s.tag,
      action: 'post',
      gvk: s.gvk,
      parameters: WRITE_PARAMS,
      body: { schema, contentTypes: JSON_YAML },
      responses: [ok(schema), ok(schema, '201', 'Created'), ok(schema, '202', 'Accepted'), UNAUTHORIZED],
      produces: JSON_YAML,
    },
    {
      method: 'delete',
      operationId: `delete${s.gvId}Collection${s.ns}${kind}`,
      description: `delete collection of ${kind}`,
      tag: s.tag,
      action: 'deletecollection',
      gvk: s.gvk,
      parameters: [...DELETE_PARAMS, ...LIST_PARAMS.filter((p) => p.name !== 'watch' && p.name !== 'allowWatchBookmarks')],
      body: { schema: `${META}.DeleteOptions`, contentTypes: JSON_YAML },
      responses: [ok(`${META}.Status`), UNAUTHORIZED],
      produces: JSON_YAML,
    },
  ];
}

function itemOperations(s: Subject): OperationSpec[] {
  const kind = s.gvk.kind;
  const schema = schemaOf(s.gvk);
  return [
    {
      method: 'get',
      operationId: `read${s.gvId}${s.ns}${kind}`,
      description: `read the specified ${kind}`,
      tag: s.tag,
      action: 'get',
      gvk: s.gvk,
      parameters: [],
      responses: [ok(schema), UNAUTHORIZED],
      produces: JSON_YAML,
    },
    {
      method: 'put',
      operationId: `replace${s.gvId}${s.ns}${kind}`,
      description: `replace the specified ${kind}`,
      tag: s.tag,
      action: 'put',
      gvk: s.gvk,
      parameters: WRITE_PARAMS,
      body: { schema, contentTypes: JSON_YAML },
      responses: [ok(schema), ok(schema, '201', 'Created'), UNAUTHORIZED],
      produces: JSON_YAML,
    },
    patchOperation(`patch${s.gvId}${s.ns}${kind}`, `partially update the specified ${kind}`, s.tag, s.gvk),
    {
      method: 'delete',
      operationId: `delete${s.gvId}${s.ns}${kind}`,
      description: `delete ${article(kind)} ${kind}`,
      tag: s.tag,
      action: 'delete',
      gvk: s.gvk,
      parameters: DELETE_PARAMS,
      body: { schema: `${META}.DeleteOptions`, contentTypes: JSON_YAML },
      responses: [ok(schema), ok(schema, '202', 'Accepted'), UNAUTHORIZED],
      produces: JSON_YAML,
    },
  ];
}

function patchOperation(operationId: string, description: string, tag: string, gvk: GroupVersionKind): OperationSpec {
  const schema = schemaOf(gvk);
  return {
    method: 'patch',
    operationId,
    description,
    tag,
    action: 'patch',
    gvk,
    parameters: [...WRITE_PARAMS, P.force],
    body: { schema: `${META}.Patch`, contentTypes: PATCH_CONTENT_TYPES },
    responses: [ok(schema), ok(schema, '201', 'Created'), UNAUTHORIZED],
    produces: JSON_YAML,
  };
}

function subresourceOperations(s: Subject, sub: string): OperationSpec[] {
  const Sub = sub.charAt(0).toUpperCase() + sub.slice(1);
  const base = `${s.gvId}${s.ns}${s.gvk.kind}${Sub}`;
  const gvk = sub === 'scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : sub === 'binding' ? { group: '', version: 'v1', kind: 'Binding' } : s.gvk;
  const schema = schemaOf(gvk);
  const what = `${sub} of the specified ${s.gvk.kind}`;
  if (sub === 'binding') {
    return [
      {
        method: 'post',
        operationId: `create${base}`,
        description: `create binding of ${article(s.gvk.kind)} ${s.gvk.kind}`,
        tag: s.tag,
        action: 'post',
        gvk,
        parameters: WRITE_PARAMS,
        body: { schema, contentTypes: JSON_YAML },
        responses: [ok(schema), ok(schema, '201', 'Created'), ok(schema, '202', 'Accepted'), UNAUTHORIZED],
        produces: JSON_YAML,
      },
    ];
  }
  const replace: OperationSpec = {
    method: 'put',
    operationId: `replace${base}`,
    description: `replace ${what}`,
    tag: s.tag,
    action: 'put',
    gvk,
    parameters: WRITE_PARAMS,
    body: { schema, contentTypes: JSON_YAML },
    responses: [ok(schema), ok(schema, '201', 'Created'), UNAUTHORIZED],
    produces: JSON_YAML,
  };
  if (sub === 'finalize') return [replace];
  return [
    {
      method: 'get',
      operationId: `read${base}`,
      description: `read ${what}`,
      tag: s.tag,
      action: 'get',
      gvk,
      parameters: [],
      responses: [ok(schema), UNAUTHORIZED],
      produces: JSON_YAML,
    },
    replace,
    patchOperation(`patch${base}`, `partially update ${what}`, s.tag, gvk),
  ];
}

function watchOperation(operationId: string, description: string, s: Subject, action: 'watch' | 'watchlist'): OperationSpec {
  return {
    method: 'get',
    operationId,
    description,
    tag: s.tag,
    action,
    gvk: s.gvk,
    parameters: LIST_PARAMS,
    responses: [ok(`${META}.WatchEvent`), UNAUTHORIZED],
    produces: WATCH_STREAM,
  };
}

function article(kind: string): string {
  return /^[AEIOU]/.test(kind) ? 'an' : 'a';
}

/** Every path of a group version, e.g. ('', 'v1') for /api/v1, with its operations. */
export function pathsOf(group: string, version: string): PathSpec[] {
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const gvId = groupVersionId(group, version);
  const tag = tagOf(group, version);
  const paths: PathSpec[] = [
    {
      path: `${prefix}/`,
      parameters: [],
      operations: [
        {
          method: 'get',
          operationId: `get${gvId}APIResources`,
          description: 'get available resources',
          tag,
          parameters: [],
          responses: [ok(`${META}.APIResourceList`), UNAUTHORIZED],
          produces: JSON_YAML,
        },
      ],
    },
  ];
  for (const info of RESOURCES.filter((r) => r.group === group && r.version === version)) {
    const s: Subject = {
      info,
      gvk: { group, version, kind: info.kind },
      listGvk: { group, version, kind: info.listKind },
      gvId,
      tag,
      ns: info.namespaced ? 'Namespaced' : '',
    };
    const nsParam = pathParam('namespace', 'object name and auth scope, such as for teams and projects');
    const nameParam = pathParam('name', `name of the ${info.kind}`);
    const scope = info.namespaced ? `${prefix}/namespaces/{namespace}/${info.resource}` : `${prefix}/${info.resource}`;
    const scopeParams = info.namespaced ? [nsParam, P.pretty] : [P.pretty];
    const watchScope = info.namespaced ? `${prefix}/watch/namespaces/{namespace}/${info.resource}` : `${prefix}/watch/${info.resource}`;
    paths.push({ path: scope, parameters: scopeParams, operations: collectionOperations(s) });
    paths.push({ path: `${scope}/{name}`, parameters: [nameParam, ...scopeParams], operations: itemOperations(s) });
    for (const sub of info.subresources) {
      paths.push({ path: `${scope}/{name}/${sub}`, parameters: [nameParam, ...scopeParams], operations: subresourceOperations(s, sub) });
    }
    paths.push({
      path: watchScope,
      parameters: scopeParams,
      operations: [watchOperation(`watch${gvId}${s.ns}${info.kind}List`, `watch individual changes to a list of ${info.kind}`, s, 'watchlist')],
    });
    paths.push({
      path: `${watchScope}/{name}`,
      parameters: [nameParam, ...scopeParams],
      operations: [watchOperation(`watch${gvId}${s.ns}${info.kind}`, `watch changes to an object of kind ${info.kind}`, s, 'watch')],
    });
    if (info.namespaced) {
      paths.push({
        path: `${prefix}/${info.resource}`,
        parameters: [P.pretty],
        operations: [
          {
            method: 'get',
            operationId: `list${gvId}${info.kind}ForAllNamespaces`,
            description: `list or watch objects of kind ${info.kind}`,
            tag,
            action: 'list',
            gvk: s.gvk,
            parameters: LIST_PARAMS,
            responses: [ok(schemaOf(s.listGvk)), UNAUTHORIZED],
            produces: WATCH_STREAM,
          },
        ],
      });
      paths.push({
        path: `${prefix}/watch/${info.resource}`,
        parameters: [P.pretty],
        operations: [watchOperation(`watch${gvId}${info.kind}ListForAllNamespaces`, `watch individual changes to a list of ${info.kind}`, s, 'watchlist')],
      });
    }
  }
  return paths.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The discovery endpoints outside any group version: `api`, `apis`, `apis/<group>`, `version`. */
export function discoveryPaths(docPath: string): PathSpec[] | undefined {
  const get = (path: string, operationId: string, description: string, schema: string, tag: string): PathSpec => ({
    path,
    parameters: [],
    operations: [{ method: 'get', operationId, description, tag, parameters: [], responses: [ok(schema), UNAUTHORIZED], produces: JSON_YAML }],
  });
  if (docPath === 'api') return [get('/api/', 'getCoreAPIVersions', 'get available API versions', `${META}.APIVersions`, 'core')];
  if (docPath === 'apis') return [get('/apis/', 'getAPIVersions', 'get available API versions', `${META}.APIGroupList`, 'apis')];
  if (docPath === 'version') return [get('/version/', 'getCodeVersion', 'get the version information for this server', 'io.k8s.apimachinery.pkg.version.Info', 'version')];
  const m = /^apis\/([^/]+)$/.exec(docPath);
  const group = m?.[1];
  if (group && RESOURCES.some((r) => r.group === group)) {
    const g = group.split('.')[0] as string;
    return [get(`/apis/${group}/`, `get${g.charAt(0).toUpperCase()}${g.slice(1)}APIGroup`, 'get information of a group', `${META}.APIGroup`, g)];
  }
  return undefined;
}

/** The OpenAPI v3 document paths loopkube publishes: `api/v1`, `apis/discovery.k8s.io/v1`, `api`, `apis`, ... */
export function documentPaths(): string[] {
  const gvs = new Set<string>();
  const groups = new Set<string>();
  for (const r of RESOURCES) {
    gvs.add(r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`);
    if (r.group) groups.add(`apis/${r.group}`);
  }
  return ['api', ...[...gvs].sort(), 'apis', ...[...groups].sort(), 'version'];
}

/** The operations of one document path, or undefined when loopkube publishes no such document. */
export function operationsOf(docPath: string): PathSpec[] | undefined {
  const m = /^(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))$/.exec(docPath);
  if (m) {
    const group = m[2] ?? '';
    const version = (m[1] ?? m[3]) as string;
    if (!RESOURCES.some((r) => r.group === group && r.version === version)) return undefined;
    return pathsOf(group, version);
  }
  return discoveryPaths(docPath);
}

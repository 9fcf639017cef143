// The OpenAPI documents kubectl reads: /openapi/v3 (the root: one entry per document), the
// per-group-version documents /openapi/v3/api/v1 and /openapi/v3/apis/discovery.k8s.io/v1,
// and a Swagger 2.0 /openapi/v2 in JSON for older tools. All are rendered from the same
// schemas (./schema) and operations (./schema/operations.ts), once, and cached.
//
// kubectl 1.32 relies on the v3 documents for three things:
// - server-side field validation: it looks for a PATCH operation whose
//   x-kubernetes-group-version-kind is the object's kind and checks that it lists the
//   `fieldValidation` query parameter (cli-runtime query_param_verifier_v3.go); if so, it lets
//   the server validate instead of validating client-side;
// - `kubectl apply`: it computes strategic merge patches from components.schemas (the schema
//   whose x-kubernetes-group-version-kind lists the kind), once the PATCH operation accepts
//   application/strategic-merge-patch+json;
// - `kubectl explain`.
import { createHash } from 'node:crypto';
import { KUBE_GIT_VERSION } from './discovery.js';
import { SCHEMA_REF_PREFIX, type OpenAPISchema } from './schema/openapi-schema.js';
import { documentPaths, operationsOf, type OperationSpec, type ParameterSpec, type PathSpec } from './schema/operations.js';
import { reachableSchemas, SCHEMAS } from './schema/registry.js';

type Json = Record<string, unknown>;

const SECURITY_SCHEME = { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' };

function v3Parameter(p: ParameterSpec): Json {
  const out: Json = { name: p.name, in: p.in, description: p.description };
  if (p.required) out.required = true;
  out.schema = { type: p.type, uniqueItems: true };
  return out;
}

function v3Content(types: string[], schema: string): Json {
  return Object.fromEntries(types.map((t) => [t, { schema: { $ref: SCHEMA_REF_PREFIX + schema } }]));
}

function v3Operation(op: OperationSpec): Json {
  const out: Json = { tags: [op.tag], description: op.description, operationId: op.operationId };
  if (op.parameters.length) out.parameters = op.parameters.map(v3Parameter);
  if (op.body) out.requestBody = { content: v3Content(op.body.contentTypes, op.body.schema), required: true };
  out.responses = Object.fromEntries(
    op.responses.map((r) => [r.code, r.schema ? { description: r.description, content: v3Content(op.produces, r.schema) } : { description: r.description }]),
  );
  if (op.action) out['x-kubernetes-action'] = op.action;
  if (op.gvk) out['x-kubernetes-group-version-kind'] = { group: op.gvk.group, kind: op.gvk.kind, version: op.gvk.version };
  return out;
}

function schemaRefsOf(paths: PathSpec[]): string[] {
  const names = new Set<string>();
  for (const p of paths) {
    for (const op of p.operations) {
      if (op.body) names.add(op.body.schema);
      for (const r of op.responses) if (r.schema) names.add(r.schema);
    }
  }
  return [...names];
}

function renderV3(paths: PathSpec[]): Json {
  const rendered: Json = {};
  for (const p of paths) {
    const item: Json = {};
    for (const op of p.operations) item[op.method] = v3Operation(op);
    if (p.parameters.length) item.parameters = p.parameters.map(v3Parameter);
    rendered[p.path] = item;
  }
  const schemas = Object.fromEntries(reachableSchemas(schemaRefsOf(paths)).map((name) => [name, SCHEMAS[name]]));
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: KUBE_GIT_VERSION },
    paths: rendered,
    components: { schemas, securitySchemes: { BearerToken: SECURITY_SCHEME } },
  };
}

interface RenderedDocument {
  doc: Json;
  hash: string;
}

const v3Documents = new Map<string, RenderedDocument | null>();

function v3Rendered(gvPath: string): RenderedDocument | undefined {
  const cached = v3Documents.get(gvPath);
  if (cached !== undefined) return cached ?? undefined;
  const paths = operationsOf(gvPath);
  const rendered = paths ? { doc: renderV3(paths), hash: '' } : null;
  if (rendered) rendered.hash = createHash('sha512').update(JSON.stringify(rendered.doc)).digest('hex').toUpperCase();
  v3Documents.set(gvPath, rendered);
  return rendered ?? undefined;
}

/** `/openapi/v3`: `{paths: {"api/v1": {serverRelativeURL: "/openapi/v3/api/v1?hash=..."}, ...}}`. */
export function openapiV3Root(): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gvPath of documentPaths()) {
    const r = v3Rendered(gvPath);
    if (r) paths[gvPath] = { serverRelativeURL: `/openapi/v3/${gvPath}?hash=${r.hash}` };
  }
  return { paths };
}

/**
 * `/openapi/v3/<gvPath>` without the query, e.g. `api/v1`, `apis/discovery.k8s.io/v1`, `api`,
 * `apis`, `version`; undefined for a document loopkube does not publish. The same object is
 * returned on every call: do not modify it.
 */
export function openapiV3Document(gvPath: string): object | undefined {
  return v3Rendered(gvPath.replace(/^\/+|\/+$/g, ''))?.doc;
}

/** The hash in the root's serverRelativeURL of a document, for ETag / Cache-Control handling. */
export function openapiV3Hash(gvPath: string): string | undefined {
  return v3Rendered(gvPath.replace(/^\/+|\/+$/g, ''))?.hash;
}

// ---- Swagger 2.0 -------------------------------------------------------------------------------

const V2_REF_PREFIX = '#/definitions/';

/** A v3 component schema as a v2 definition: `allOf: [{$ref}]` wrappers become plain `$ref`s. */
function toV2Schema(schema: OpenAPISchema): OpenAPISchema {
  const out: OpenAPISchema = { ...schema };
  if (schema.allOf?.length === 1 && schema.allOf[0]?.$ref) {
    delete out.allOf;
    out.$ref = schema.allOf[0].$ref.replace(SCHEMA_REF_PREFIX, V2_REF_PREFIX);
  } else if (schema.$ref) {
    out.$ref = schema.$ref.replace(SCHEMA_REF_PREFIX, V2_REF_PREFIX);
  }
  if (schema.properties) out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, toV2Schema(v)]));
  if (schema.items) out.items = toV2Schema(schema.items);
  if (schema.additionalProperties) out.additionalProperties = toV2Schema(schema.additionalProperties);
  return out;
}

function v2Parameter(p: ParameterSpec): Json {
  const out: Json = { uniqueItems: true, type: p.type, description: p.description, name: p.name, in: p.in };
  if (p.required) out.required = true;
  return out;
}

function v2Operation(op: OperationSpec): Json {
  const out: Json = { description: op.description, consumes: op.body ? op.body.contentTypes : ['*/*'], produces: op.produces, schemes: ['https'], tags: [op.tag], operationId: op.operationId };
  const parameters = op.parameters.map(v2Parameter);
  if (op.body) parameters.unshift({ name: 'body', in: 'body', required: true, schema: { $ref: V2_REF_PREFIX + op.body.schema } });
  if (parameters.length) out.parameters = parameters;
  out.responses = Object.fromEntries(
    op.responses.map((r) => [r.code, r.schema ? { description: r.description, schema: { $ref: V2_REF_PREFIX + r.schema } } : { description: r.description }]),
  );
  if (op.action) out['x-kubernetes-action'] = op.action;
  if (op.gvk) out['x-kubernetes-group-version-kind'] = { group: op.gvk.group, kind: op.gvk.kind, version: op.gvk.version };
  return out;
}

let v2Document: Json | undefined;

/** `/openapi/v2` as Swagger 2.0 JSON (kubectl itself asks for it in protobuf, which loopkube does not serve). */
export function openapiV2(): object {
  if (v2Document) return v2Document;
  const paths: Json = {};
  for (const docPath of documentPaths()) {
    for (const p of operationsOf(docPath) ?? []) {
      const item: Json = {};
      for (const op of p.operations) item[op.method] = v2Operation(op);
      if (p.parameters.length) item.parameters = p.parameters.map(v2Parameter);
      paths[p.path] = item;
    }
  }
  const definitions = Object.fromEntries(Object.keys(SCHEMAS).sort().map((name) => [name, toV2Schema(SCHEMAS[name] as OpenAPISchema)]));
  v2Document = {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: KUBE_GIT_VERSION },
    paths,
    definitions,
    securityDefinitions: { BearerToken: SECURITY_SCHEME },
    security: [{ BearerToken: [] }],
  };
  return v2Document;
}

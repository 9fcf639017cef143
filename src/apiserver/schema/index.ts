// The schemas of loopkube's kinds and what is derived from them: strict field validation and
// the strategic-merge-patch metadata. The OpenAPI documents (../openapi.ts) publish the same schemas.
export { findUnknownFields } from './unknown-fields.js';
export { patchSchemaFor, UNKNOWN_PATCH_SCHEMA, type PatchSchema } from './patch-schema.js';
export { SCHEMAS, schemaNameFor, schemaByName, resolveSchema, fieldDescription, reachableSchemas } from './registry.js';
export type { OpenAPISchema, GroupVersionKind } from './openapi-schema.js';

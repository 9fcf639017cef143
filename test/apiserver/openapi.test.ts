import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ResourceInfo } from '../../src/api/resources.js';
import { RESOURCES } from '../../src/kinds/catalog.js';
import { openapiV2, openapiV3Document, openapiV3Root } from '../../src/apiserver/openapi.js';

type Json = Record<string, unknown>;
interface Operation {
  operationId: string;
  parameters?: Array<{ name: string; in: string; $ref?: string }>;
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { content?: Record<string, { schema: { $ref: string } }> }>;
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string };
  'x-kubernetes-action'?: string;
}
type PathItem = Partial<Record<'get' | 'put' | 'post' | 'patch' | 'delete', Operation>> & { parameters?: unknown[] };
interface Doc {
  openapi: string;
  paths: Record<string, PathItem>;
  components: { schemas: Record<string, Json> };
}

/** What kubectl receives: the document after a trip through JSON. */
function v3(gvPath: string): Doc {
  const doc = openapiV3Document(gvPath);
  if (!doc) throw new Error(`no document ${gvPath}`);
  return JSON.parse(JSON.stringify(doc)) as Doc;
}

function gvPathOf(info: ResourceInfo): string {
  return info.group ? `apis/${info.group}/${info.version}` : `api/${info.version}`;
}

const sameGvk = (op: Operation, g: { group: string; version: string; kind: string }): boolean =>
  op['x-kubernetes-group-version-kind']?.group === g.group &&
  op['x-kubernetes-group-version-kind']?.version === g.version &&
  op['x-kubernetes-group-version-kind']?.kind === g.kind;

/** kubectl's supportsQueryParamV3 (cli-runtime query_param_verifier_v3.go): the first PATCH of the kind decides. */
function kubectlSeesFieldValidation(doc: Doc, g: { group: string; version: string; kind: string }): boolean {
  for (const item of Object.values(doc.paths)) {
    const op = item.patch;
    if (!op || !sameGvk(op, g)) continue;
    return (op.parameters ?? []).some((p) => p.name === 'fieldValidation');
  }
  return false;
}

describe('OpenAPI v3 root', () => {
  const root = openapiV3Root();

  it('lists every group version with a hashed server-relative URL', () => {
    expect(Object.keys(root.paths)).toEqual(expect.arrayContaining(['api/v1', 'apis/discovery.k8s.io/v1', 'api', 'apis']));
    for (const [gvPath, entry] of Object.entries(root.paths)) {
      expect(entry.serverRelativeURL).toMatch(new RegExp(`^/openapi/v3/${gvPath.replace(/\./g, '\\.')}\\?hash=[0-9A-F]{128}$`));
    }
  });

  it('the hash is the SHA-512 of the document served, so clients cache it safely', () => {
    const url = root.paths['api/v1']?.serverRelativeURL ?? '';
    const hash = url.split('hash=')[1];
    expect(hash).toBe(createHash('sha512').update(JSON.stringify(openapiV3Document('api/v1'))).digest('hex').toUpperCase());
  });

  it('publishes no document for a group version loopkube does not serve', () => {
    expect(openapiV3Document('apis/example.com/v1')).toBeUndefined();
    expect(openapiV3Document('api/v2')).toBeUndefined();
    expect(openapiV3Document('nonsense')).toBeUndefined();
  });
});

describe('OpenAPI v3 group-version documents', () => {
  for (const info of RESOURCES) {
    const g = { group: info.group, version: info.version, kind: info.kind };
    describe(`${info.resource}`, () => {
      const doc = v3(gvPathOf(info));
      const prefix = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
      const collection = info.namespaced ? `${prefix}/namespaces/{namespace}/${info.resource}` : `${prefix}/${info.resource}`;

      it('kubectl finds fieldValidation on its PATCH operation (server-side validation is used)', () => {
        expect(kubectlSeesFieldValidation(doc, g)).toBe(true);
      });

      it('every POST, PUT and PATCH of the kind lists fieldValidation inline, whatever path kubectl meets first', () => {
        const writes = Object.values(doc.paths).flatMap((item) => [item.post, item.put, item.patch]).filter((op): op is Operation => !!op && sameGvk(op, g));
        expect(writes.length).toBeGreaterThanOrEqual(3);
        for (const op of writes) expect(op.parameters?.map((p) => p.name), op.operationId).toContain('fieldValidation');
      });

      it('its PATCH accepts strategic merge patch (kubectl apply computes one from the schemas)', () => {
        const patches = Object.values(doc.paths).map((item) => item.patch).filter((op): op is Operation => !!op && sameGvk(op, g));
        expect(patches.length).toBeGreaterThan(0);
        for (const op of patches) expect(Object.keys(op.requestBody?.content ?? {})).toContain('application/strategic-merge-patch+json');
      });

      it('serves the collection and item paths with every verb', () => {
        expect(Object.keys(doc.paths[collection] ?? {})).toEqual(expect.arrayContaining(['get', 'post', 'delete']));
        expect(Object.keys(doc.paths[`${collection}/{name}`] ?? {})).toEqual(expect.arrayContaining(['get', 'put', 'patch', 'delete']));
        expect(doc.paths[`${collection}/{name}`]?.patch?.['x-kubernetes-action']).toBe('patch');
        if (info.namespaced) expect(doc.paths[`${prefix}/${info.resource}`]?.get?.operationId).toMatch(/ForAllNamespaces$/);
      });

      it('components hold the kind, with its group-version-kind, and everything it references', () => {
        const matches = Object.values(doc.components.schemas).filter((s) =>
          ((s['x-kubernetes-group-version-kind'] as Array<{ group: string; version: string; kind: string }>) ?? []).some(
            (k) => k.group === g.group && k.version === g.version && k.kind === g.kind,
          ),
        );
        expect(matches).toHaveLength(1);
        const refs = JSON.stringify(doc).match(/"\$ref":"#\/components\/schemas\/[^"]+"/g) ?? [];
        for (const ref of refs) {
          const name = ref.slice('"$ref":"#/components/schemas/'.length, -1);
          expect(doc.components.schemas[name], name).toBeDefined();
        }
      });
    });
  }

  it('subresources answer with their own kinds', () => {
    const doc = v3('api/v1');
    const rcScale = doc.paths['/api/v1/namespaces/{namespace}/replicationcontrollers/{name}/scale'];
    expect(rcScale?.patch?.['x-kubernetes-group-version-kind']).toEqual({ group: 'autoscaling', kind: 'Scale', version: 'v1' });
    expect(rcScale?.get?.responses['200']?.content?.['application/json']?.schema.$ref).toBe('#/components/schemas/io.k8s.api.autoscaling.v1.Scale');
    const binding = doc.paths['/api/v1/namespaces/{namespace}/pods/{name}/binding'];
    expect(binding?.post?.['x-kubernetes-group-version-kind']).toEqual({ group: '', kind: 'Binding', version: 'v1' });
    expect(Object.keys(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}/status'] ?? {})).toEqual(expect.arrayContaining(['get', 'put', 'patch']));
    expect(Object.keys(doc.paths['/api/v1/namespaces/{name}/finalize'] ?? {})).toEqual(expect.arrayContaining(['put']));
    expect(doc.paths['/api/v1/nodes/{name}/status']?.patch?.['x-kubernetes-group-version-kind']?.kind).toBe('Node');
  });

  it('names operations as kube-apiserver does', () => {
    const doc = v3('api/v1');
    expect(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}']?.patch?.operationId).toBe('patchCoreV1NamespacedPod');
    expect(doc.paths['/api/v1/namespaces/{namespace}/pods']?.delete?.operationId).toBe('deleteCoreV1CollectionNamespacedPod');
    expect(doc.paths['/api/v1/nodes/{name}']?.get?.operationId).toBe('readCoreV1Node');
    expect(doc.paths['/api/v1/pods']?.get?.operationId).toBe('listCoreV1PodForAllNamespaces');
    expect(v3('apis/discovery.k8s.io/v1').paths['/apis/discovery.k8s.io/v1/namespaces/{namespace}/endpointslices']?.post?.operationId).toBe(
      'createDiscoveryV1NamespacedEndpointSlice',
    );
  });

  it('the schemas carry upstream strategic-merge and list-type markers', () => {
    const schemas = v3('api/v1').components.schemas;
    const podSpec = schemas['io.k8s.api.core.v1.PodSpec'] as { properties: Record<string, Json> };
    expect(podSpec.properties.containers).toMatchObject({
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    });
    const svcSpec = schemas['io.k8s.api.core.v1.ServiceSpec'] as { properties: Record<string, Json> };
    expect(svcSpec.properties.ports).toMatchObject({ 'x-kubernetes-patch-merge-key': 'port', 'x-kubernetes-list-map-keys': ['port', 'protocol'] });
  });

  it('the discovery group document carries the core types it references', () => {
    expect(v3('apis/discovery.k8s.io/v1').components.schemas['io.k8s.api.core.v1.ObjectReference']).toBeDefined();
  });

  it('documents the discovery endpoints too', () => {
    expect(v3('api').paths['/api/']?.get?.operationId).toBe('getCoreAPIVersions');
    expect(v3('apis').paths['/apis/']?.get?.operationId).toBe('getAPIVersions');
  });
});

describe('Swagger 2.0', () => {
  const doc = JSON.parse(JSON.stringify(openapiV2())) as { swagger: string; paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string; schema?: { $ref: string } }>; consumes?: string[] }>>; definitions: Record<string, Json> };

  it('has the definitions, referenced the v2 way', () => {
    expect(doc.swagger).toBe('2.0');
    expect(doc.definitions['io.k8s.api.core.v1.Pod']).toBeDefined();
    const text = JSON.stringify(doc);
    expect(text).not.toContain('#/components/schemas/');
    for (const ref of text.match(/"\$ref":"#\/definitions\/[^"]+"/g) ?? []) {
      expect(doc.definitions[ref.slice('"$ref":"#/definitions/'.length, -1)], ref).toBeDefined();
    }
  });

  it('lists fieldValidation and the patch types on PATCH', () => {
    const patch = doc.paths['/api/v1/namespaces/{namespace}/services/{name}']?.patch;
    expect(patch?.parameters?.map((p) => p.name)).toContain('fieldValidation');
    expect(patch?.parameters?.find((p) => p.in === 'body')?.schema?.$ref).toBe('#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch');
    expect(patch?.consumes).toContain('application/strategic-merge-patch+json');
  });
});

// The scenarios' manifests are the files in examples/: the demo reads them from there and creates
// their objects through the API, so the walk-through a user follows with kubectl and what
// `loopkube demo` does are the same objects.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { resourcePath } from '../api/paths.js';
import type { ResourceInfo } from '../api/resources.js';
import { findResourceByKind } from '../kinds/catalog.js';
import type { KubeObject } from '../api/types.js';
import { packageRoot } from '../cluster/processes.js';
import type { DemoContext } from './types.js';

export function examplesRoot(): string {
  return path.join(packageRoot(), 'examples');
}

/** The objects in a YAML file (several documents separated by `---`). */
export function readManifests(file: string): KubeObject[] {
  const text = readFileSync(file, 'utf8');
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]!.message}`);
    const obj = doc.toJS() as KubeObject | null;
    if (obj) out.push(obj);
  }
  return out;
}

/** An example file of the scenario: `manifest(ctx, 'web.yaml')`. */
export function manifest(ctx: Pick<DemoContext, 'exampleDir'>, file: string): KubeObject[] {
  return readManifests(path.join(ctx.exampleDir, file));
}

export function resourceOf(obj: KubeObject): ResourceInfo {
  const info = findResourceByKind(obj.apiVersion ?? '', obj.kind ?? '');
  if (!info) throw new Error(`no resource serves ${obj.apiVersion}/${obj.kind}`);
  return info;
}

/** `replicationcontroller/web`, as kubectl names objects. */
export function objectName(obj: KubeObject): string {
  return `${(obj.kind ?? '').toLowerCase()}/${obj.metadata.name ?? ''}`;
}

/** Creates one object in the scenario's namespace; says so as kubectl would. */
export async function createObject<T extends KubeObject>(ctx: DemoContext, obj: KubeObject): Promise<T> {
  const info = resourceOf(obj);
  const ns = info.namespaced ? ctx.namespace : undefined;
  const created = await ctx.client.create<T>(resourcePath(info, ns), { ...obj, metadata: { ...obj.metadata, ...(ns ? { namespace: ns } : {}) } });
  ctx.out.say(`${objectName(created)} created`);
  return created;
}

/** Creates every object of an example file, in order. */
export async function applyFile(ctx: DemoContext, file: string): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const obj of manifest(ctx, file)) out.push(await createObject(ctx, obj));
  return out;
}

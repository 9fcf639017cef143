// What the API server itself sets on every object (upstream's BeforeCreate / BeforeUpdate and
// each kind's strategy): uid, name from generateName, creationTimestamp, generation, and which
// part of the object a write may change (main resource vs status subresource).
import { randomUUID, randomInt } from 'node:crypto';
import type { ResourceInfo } from '../api/resources.js';
import type { KubeObject } from '../api/types.js';
import { kindOf } from '../kinds/catalog.js';

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

/** Upstream's SimpleNameGenerator: prefix + 5 random characters (no vowels, no ambiguous digits). */
export function generateName(prefix: string): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += NAME_CHARS[randomInt(NAME_CHARS.length)];
  const base = prefix.length > 58 ? prefix.slice(0, 58) : prefix;
  return base + s;
}

import { nowRfc3339 } from '../api/time.js';

export { nowRfc3339 };

const clone = <T>(v: T): T => structuredClone(v);

function stableJson(v: unknown): string {
  return JSON.stringify(v ?? null);
}

/** Fresh metadata for a create: the caller has already resolved the name. */
export function prepareForCreate(info: ResourceInfo, obj: KubeObject): KubeObject {
  const out = clone(obj);
  const { strategy } = kindOf(info);
  out.apiVersion = info.group ? `${info.group}/${info.version}` : info.version;
  out.kind = info.kind;
  const m = out.metadata;
  m.uid = randomUUID();
  m.creationTimestamp = nowRfc3339();
  delete m.resourceVersion;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.managedFields;
  if (strategy.tracksGeneration) m.generation = 1;
  else delete m.generation;
  if (!info.namespaced) delete m.namespace;
  // The status of a new object is the system's to write, not the client's (except for kinds
  // such as Nodes and Events, whose writers are the system).
  if (strategy.initialStatus) out.status = strategy.initialStatus(out);
  return out;
}

/**
 * The object an update stores: a main-resource update keeps the old status; a status update
 * keeps everything but the status. Metadata the server owns is carried over, and generation is
 * bumped when the spec changed.
 */
export function prepareForUpdate(info: ResourceInfo, subresource: string, incoming: KubeObject, old: KubeObject): KubeObject {
  let out: KubeObject;
  if (subresource === 'status') {
    out = clone(old);
    out.status = clone(incoming.status);
    if (kindOf(info).strategy.statusUpdateKeepsAnnotations) {
      if (incoming.metadata.annotations) out.metadata.annotations = clone(incoming.metadata.annotations);
      else delete out.metadata.annotations;
    }
  } else {
    out = clone(incoming);
    if (info.subresources.includes('status') && 'status' in old) out.status = clone(old.status);
    else if (info.subresources.includes('status')) delete out.status;
  }
  out.apiVersion = old.apiVersion;
  out.kind = old.kind;
  const m = out.metadata;
  const om = old.metadata;
  m.name = om.name;
  if (om.namespace !== undefined) m.namespace = om.namespace;
  m.uid = om.uid;
  m.creationTimestamp = om.creationTimestamp;
  if (om.deletionTimestamp) {
    m.deletionTimestamp = om.deletionTimestamp;
    if (om.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = om.deletionGracePeriodSeconds;
  } else {
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
  }
  delete m.managedFields;
  if (om.generation !== undefined) {
    m.generation = om.generation;
    if (subresource === '' && stableJson(incoming.spec) !== stableJson(old.spec)) m.generation = om.generation + 1;
  }
  return out;
}

/** True when nothing but resourceVersion differs: such an update is not written (no new revision). */
export function sameObject(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): string => {
    const c = { ...o, metadata: { ...o.metadata } };
    delete c.metadata.resourceVersion;
    return JSON.stringify(c);
  };
  return strip(a) === strip(b);
}

// Field selectors (`fieldSelector=spec.nodeName=node-1,status.phase!=Running`): only the
// fields the API server indexes per kind, as upstream's GetAttrs functions expose them.
import { badRequest } from './errors.js';
import type { KubeObject } from './types.js';

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

type FieldGetter = (obj: KubeObject) => string;

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const at = (obj: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
const getter = (path: string): FieldGetter => (obj) => str(at(obj, path));

const COMMON: Record<string, FieldGetter> = {
  'metadata.name': getter('metadata.name'),
  'metadata.namespace': getter('metadata.namespace'),
};

const BY_KIND: Record<string, Record<string, FieldGetter>> = {
  Pod: {
    'spec.nodeName': getter('spec.nodeName'),
    'spec.restartPolicy': getter('spec.restartPolicy'),
    'spec.schedulerName': getter('spec.schedulerName'),
    'spec.serviceAccountName': getter('spec.serviceAccountName'),
    'spec.hostNetwork': (o) => str(at(o, 'spec.hostNetwork') ?? false),
    'status.phase': getter('status.phase'),
    'status.podIP': getter('status.podIP'),
    'status.nominatedNodeName': getter('status.nominatedNodeName'),
  },
  Event: {
    'involvedObject.kind': getter('involvedObject.kind'),
    'involvedObject.namespace': getter('involvedObject.namespace'),
    'involvedObject.name': getter('involvedObject.name'),
    'involvedObject.uid': getter('involvedObject.uid'),
    'involvedObject.apiVersion': getter('involvedObject.apiVersion'),
    'involvedObject.resourceVersion': getter('involvedObject.resourceVersion'),
    'involvedObject.fieldPath': getter('involvedObject.fieldPath'),
    reason: getter('reason'),
    reportingComponent: getter('reportingComponent'),
    source: getter('source.component'),
    type: getter('type'),
  },
  Node: { 'spec.unschedulable': (o) => str(at(o, 'spec.unschedulable') ?? false) },
  Namespace: { 'status.phase': getter('status.phase') },
  ReplicationController: { 'status.replicas': (o) => str(at(o, 'status.replicas') ?? 0) },
  Service: { 'spec.clusterIP': getter('spec.clusterIP'), 'spec.type': getter('spec.type') },
};

/** Parses a field selector for `kind`; unknown fields are a 400 as upstream words it. */
export function parseFieldSelector(kind: string, selector: string | undefined | null): FieldRequirement[] {
  if (!selector || !selector.trim()) return [];
  const reqs: FieldRequirement[] = [];
  for (const part of selector.split(',')) {
    const p = part.trim();
    if (!p) continue;
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(p);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${p}'`);
    const field = m[1]!.trim();
    if (!COMMON[field] && !BY_KIND[kind]?.[field]) {
      throw badRequest(`field label not supported: ${field}`);
    }
    reqs.push({ field, op: m[2] === '!=' ? '!=' : '=', value: m[3]!.trim() });
  }
  return reqs;
}

export function matchesFields(kind: string, reqs: FieldRequirement[], obj: KubeObject): boolean {
  for (const r of reqs) {
    const get = COMMON[r.field] ?? BY_KIND[kind]?.[r.field];
    const v = get ? get(obj) : '';
    if (r.op === '=' ? v !== r.value : v === r.value) return false;
  }
  return true;
}

// HTTP for resource requests: query parameters, bodies, Table output for kubectl, and the
// subresources (status, binding, scale, finalize). Object rules live in registry.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest, conflict, fieldErr, invalid, methodNotSupported, notFound, statusFailure, statusSuccess } from '../api/errors.js';
import { parseFieldSelector } from '../api/fields.js';
import { parseLabelSelector } from '../api/labels.js';
import type { Binding, DeleteOptions, KubeObject, ListMeta, Pod, PodCondition, ReplicationController, Scale } from '../api/types.js';
import type { Logger } from '../log.js';
import type { WatchCache } from '../store/watch-cache.js';
import { decodeBody, isPlainObject, mediaType, readBody } from './body.js';
import { applyPatch, type PatchContentType } from './patch/index.js';
import { toTable } from './printers/index.js';
import type { FieldValidation, Registry, WriteOptions } from './registry.js';
import type { ResourceRequest } from './request-info.js';
import { writeJson } from './respond.js';
import { serveWatch } from './watch.js';
import { nowRfc3339 } from './object-meta.js';

const PATCH_TYPES = new Set<string>(['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json']);

export interface HandlerContext {
  registry: Registry;
  watchCache: WatchCache;
  logger: Logger;
  watchOptions?: { bookmarkIntervalMs?: number; keepaliveIntervalMs?: number };
}

function wantsTable(req: IncomingMessage): boolean {
  const accept = String(req.headers.accept ?? '');
  return accept.split(',').some((part) => /(^|;)\s*as=Table/.test(part) && part.includes('application/json'));
}

function writeOptions(q: URLSearchParams): WriteOptions {
  const fv = q.get('fieldValidation');
  const opts: WriteOptions = {};
  if (q.getAll('dryRun').includes('All')) opts.dryRun = true;
  if (fv) {
    if (fv !== 'Strict' && fv !== 'Warn' && fv !== 'Ignore') {
      throw badRequest(`fieldValidation parameter unsupported: ${fv}; supported values are "Strict", "Warn", "Ignore"`);
    }
    opts.fieldValidation = fv as FieldValidation;
  }
  return opts;
}

function warningHeaders(warnings: string[]): Record<string, string> {
  if (warnings.length === 0) return {};
  return { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') };
}

function listKindOf(r: ResourceRequest): string {
  return r.info.listKind;
}

function apiVersionOf(r: ResourceRequest): string {
  return r.info.group ? `${r.info.group}/${r.info.version}` : r.info.version;
}

async function readObjectBody(req: IncomingMessage): Promise<unknown> {
  const raw = await readBody(req);
  return decodeBody(raw, mediaType(req));
}

async function readDeleteOptions(req: IncomingMessage, q: URLSearchParams): Promise<DeleteOptions> {
  const raw = await readBody(req);
  let opts: DeleteOptions = {};
  if (raw.length > 0 && raw.toString('utf8').trim() !== '') {
    const body = decodeBody(raw, mediaType(req));
    if (!isPlainObject(body)) throw badRequest('DeleteOptions must be an object');
    opts = body as DeleteOptions;
  }
  const grace = q.get('gracePeriodSeconds');
  if (grace !== null) {
    const n = Number(grace);
    if (!Number.isInteger(n)) throw badRequest(`invalid gracePeriodSeconds: ${grace}`);
    opts.gracePeriodSeconds = n;
  }
  const policy = q.get('propagationPolicy');
  if (policy !== null) opts.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  const orphan = q.get('orphanDependents') ?? (opts as { orphanDependents?: boolean }).orphanDependents;
  // the deprecated orphanDependents: true is Orphan, false is Background (it overrides a kind's default)
  if (opts.propagationPolicy === undefined && (orphan === 'true' || orphan === true)) opts.propagationPolicy = 'Orphan';
  if (opts.propagationPolicy === undefined && (orphan === 'false' || orphan === false)) opts.propagationPolicy = 'Background';
  if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
    throw badRequest(`DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan", "nil"`);
  }
  if (q.getAll('dryRun').includes('All')) opts.dryRun = ['All'];
  return opts;
}

function toScale(rc: ReplicationController): Scale {
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: rc.metadata.name,
      namespace: rc.metadata.namespace,
      uid: rc.metadata.uid,
      resourceVersion: rc.metadata.resourceVersion,
      creationTimestamp: rc.metadata.creationTimestamp,
    },
    spec: { replicas: rc.spec.replicas ?? 0 },
    status: {
      replicas: rc.status?.replicas ?? 0,
      selector: Object.entries(rc.spec.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(','),
    },
  };
}

export async function handleResource(req: IncomingMessage, res: ServerResponse, url: URL, r: ResourceRequest, ctx: HandlerContext): Promise<void> {
  const q = url.searchParams;
  const { registry } = ctx;
  const info = r.info;
  const table = wantsTable(req);
  const includeObject = (q.get('includeObject') ?? undefined) as 'None' | 'Metadata' | 'Object' | undefined;
  const renderOne = (obj: KubeObject, withColumns = true): unknown => {
    if (!table) return obj;
    const t = toTable(info, [obj], { includeObject: includeObject ?? 'Metadata' }) as { columnDefinitions?: unknown[] };
    if (!withColumns) t.columnDefinitions = [];
    return t;
  };
  const sub = r.subresource;

  // ---- subresources with their own shapes -------------------------------------------------
  if (sub === 'binding') {
    if (r.verb !== 'create') throw methodNotSupported('pods/binding', r.verb);
    const body = await readObjectBody(req);
    if (!isPlainObject(body)) throw badRequest('Binding must be an object');
    const binding = body as unknown as Binding;
    const target = binding.target?.name;
    if (!target) throw badRequest('Binding "" is invalid: target.name: Required value');
    await registry.mutate(info, r.namespace, r.name!, 'binding', (cur) => {
      const pod = cur as Pod;
      if (pod.metadata.deletionTimestamp) throw conflict('pods/binding', '', r.name!, `pod ${r.name} is being deleted, cannot be assigned to a host`);
      if (pod.spec.nodeName) throw conflict('pods/binding', '', r.name!, `pod ${r.name} is already assigned to node "${pod.spec.nodeName}"`);
      pod.spec.nodeName = target;
      const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      const scheduled: PodCondition = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowRfc3339() };
      pod.status = { ...(pod.status ?? {}), conditions: [...conditions, scheduled] };
      return pod;
    });
    // upstream fills in the create's 201 as the Status's code
    writeJson(res, 201, { ...statusSuccess(), code: 201 });
    return;
  }

  if (sub === 'scale') {
    if (r.verb === 'get') {
      writeJson(res, 200, toScale((await registry.get(info, r.namespace, r.name!)) as ReplicationController));
      return;
    }
    if (r.verb !== 'update' && r.verb !== 'patch') throw methodNotSupported('replicationcontrollers/scale', r.verb);
    const body = await readObjectBody(req);
    const updated = await registry.mutate(info, r.namespace, r.name!, 'scale', (cur) => {
      const rc = cur as ReplicationController;
      let scale: Scale;
      if (r.verb === 'patch') {
        const type = mediaType(req);
        if (!PATCH_TYPES.has(type)) throw badRequest(`unsupported patch type ${type}`);
        scale = applyScalePatch(toScale(rc), body, type as PatchContentType);
      } else {
        scale = body as Scale;
        if (scale.metadata?.resourceVersion && scale.metadata.resourceVersion !== rc.metadata.resourceVersion) {
          throw conflict('replicationcontrollers', '', r.name!);
        }
      }
      // Go clients omit replicas when it is 0 (omitempty): missing means 0.
      const replicas = scale.spec?.replicas ?? 0;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas)) throw badRequest('Scale.spec.replicas must be an integer');
      if (replicas < 0) {
        throw invalid('Scale', 'autoscaling', r.name!, [fieldErr.invalid('spec.replicas', replicas, 'must be greater than or equal to 0')]);
      }
      rc.spec.replicas = replicas;
      return rc;
    });
    writeJson(res, 200, toScale(updated as ReplicationController));
    return;
  }

  if (sub === 'finalize') {
    if (r.verb !== 'update') throw methodNotSupported('namespaces/finalize', r.verb);
    const body = await readObjectBody(req);
    const wanted = isPlainObject(body) && isPlainObject(body.spec) && Array.isArray(body.spec.finalizers) ? (body.spec.finalizers as string[]) : [];
    const updated = await registry.mutate(info, undefined, r.name!, 'finalize', (cur) => {
      (cur as { spec?: { finalizers?: string[] } }).spec = { finalizers: wanted };
      return cur;
    });
    writeJson(res, 200, updated);
    return;
  }

  // ---- the main resource and status -------------------------------------------------------
  switch (r.verb) {
    case 'get': {
      const obj = await registry.get(info, r.namespace, r.name!);
      writeJson(res, 200, table ? toTable(info, [obj], { includeObject: includeObject ?? 'Metadata' }) : obj);
      return;
    }
    case 'list': {
      const labels = parseLabelSelector(q.get('labelSelector'));
      const fields = parseFieldSelector(info.kind, q.get('fieldSelector'));
      const result = await registry.list(info, r.namespace, labels, fields);
      const listMeta: ListMeta = { resourceVersion: String(result.revision) };
      if (table) {
        writeJson(res, 200, toTable(info, result.items, { includeObject: includeObject ?? 'Metadata', listMeta }));
      } else {
        writeJson(res, 200, { kind: listKindOf(r), apiVersion: apiVersionOf(r), metadata: listMeta, items: result.items });
      }
      return;
    }
    case 'watch': {
      const labels = parseLabelSelector(q.get('labelSelector'));
      const fields = parseFieldSelector(info.kind, q.get('fieldSelector'));
      const timeoutSeconds = q.get('timeoutSeconds');
      await serveWatch(
        req,
        res,
        {
          info,
          ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
          ...(r.name !== undefined ? { name: r.name } : {}),
          labels,
          fields,
          resourceVersion: q.get('resourceVersion') ?? '',
          allowBookmarks: q.get('allowWatchBookmarks') === 'true',
          ...(timeoutSeconds ? { timeoutSeconds: Number(timeoutSeconds) } : {}),
          render: (obj, first) => renderOne(obj, first),
        },
        ctx.watchCache,
        registry,
        ctx.logger,
        ctx.watchOptions,
      );
      return;
    }
    case 'create': {
      if (sub) throw methodNotSupported(`${info.resource}/${sub}`, 'create');
      const opts = writeOptions(q);
      const body = await readObjectBody(req);
      const { object, warnings } = await registry.create(info, r.namespace, body, opts);
      ctx.logger.info({ verb: 'create', resource: info.resource, namespace: object.metadata.namespace, name: object.metadata.name }, 'created');
      writeJson(res, 201, object, warningHeaders(warnings));
      return;
    }
    case 'update': {
      const opts = writeOptions(q);
      const body = await readObjectBody(req);
      const { object, warnings } = await registry.update(info, r.namespace, r.name!, sub, body, opts);
      writeJson(res, 200, object, warningHeaders(warnings));
      return;
    }
    case 'patch': {
      const opts = writeOptions(q);
      const type = mediaType(req);
      if (type === 'application/apply-patch+yaml') {
        throw new ApiError(
          statusFailure(415, 'UnsupportedMediaType', 'server-side apply is not supported by loopkube yet; use client-side `kubectl apply` (without --server-side)'),
        );
      }
      if (!PATCH_TYPES.has(type)) throw badRequest(`the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`);
      const body = decodeBody(await readBody(req), 'application/json');
      const { object, warnings } = await registry.patch(info, r.namespace, r.name!, sub, body, type as PatchContentType, opts);
      writeJson(res, 200, object, warningHeaders(warnings));
      return;
    }
    case 'delete': {
      const options = await readDeleteOptions(req, q);
      const { object, removed } = await registry.delete(info, r.namespace, r.name!, options, options.dryRun ? { dryRun: true } : {});
      ctx.logger.info({ verb: 'delete', resource: info.resource, namespace: object.metadata.namespace, name: object.metadata.name, removed }, removed ? 'deleted' : 'deletion started');
      writeJson(res, 200, object);
      return;
    }
    case 'deletecollection': {
      const options = await readDeleteOptions(req, q);
      const labels = parseLabelSelector(q.get('labelSelector'));
      const fields = parseFieldSelector(info.kind, q.get('fieldSelector'));
      const result = await registry.list(info, r.namespace, labels, fields);
      const items: KubeObject[] = [];
      for (const o of result.items) {
        try {
          items.push((await registry.delete(info, o.metadata.namespace, o.metadata.name!, options, options.dryRun ? { dryRun: true } : {})).object);
        } catch (err) {
          if ((err as { code?: number }).code !== 404) throw err;
        }
      }
      writeJson(res, 200, { kind: listKindOf(r), apiVersion: apiVersionOf(r), metadata: { resourceVersion: String(result.revision) }, items });
      return;
    }
  }
  throw notFound(info.resource, info.group, r.name ?? '');
}

/** Scale has no merge keys: every patch type is applied to it as plain JSON. */
function applyScalePatch(scale: Scale, body: unknown, type: PatchContentType): Scale {
  return applyPatch(scale, body, type) as Scale;
}

// HTTP for resource requests: query parameters, bodies, Table output for kubectl, and the
// subresources (status, binding, scale, finalize). Object rules live in registry.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest, conflict, fieldErr, invalid, methodNotSupported, notFound, statusFailure, statusSuccess } from '../api/errors.js';
import { parseFieldSelector } from '../api/fields.js';
import { parseLabelSelector } from '../api/labels.js';
import type { DeleteOptions, KubeObject, ListMeta } from '../api/types.js';
import { kindOf, subresourceOf } from '../kinds/catalog.js';
import type { SubresourceRegistry } from '../kinds/kind.js';
import type { Logger } from '../log.js';
import type { WatchCache } from '../store/watch-cache.js';
import { decodeBody, isPlainObject, mediaType, readBody } from './body.js';
import { applyPatch, type PatchContentType } from './patch/index.js';
import { toTable } from './printers/index.js';
import type { FieldValidation, Registry, WriteOptions } from './registry.js';
import type { ResourceRequest } from './request-info.js';
import { queryBool } from './query.js';
import { writeJson } from './respond.js';
import { serveWatch } from './watch.js';

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

  // ---- subresources with their own REST storage (the kind's: binding, scale, finalize, ...) --
  if (sub && sub !== 'status') {
    const def = subresourceOf(info, sub);
    if (!def?.serve) throw notFound(info.resource, info.group, r.name ?? '');
    let body: Promise<unknown> | undefined;
    await def.serve({
      req,
      res,
      url,
      verb: r.verb,
      info,
      namespace: r.namespace,
      name: r.name!,
      body: () => (body ??= readObjectBody(req)),
      mediaType: mediaType(req),
      registry: subresourceRegistry(registry),
      logger: ctx.logger,
    });
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
      const fields = parseFieldSelector(kindOf(info).fieldSelectors, q.get('fieldSelector'));
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
      const fields = parseFieldSelector(kindOf(info).fieldSelectors, q.get('fieldSelector'));
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
          allowBookmarks: queryBool(q.getAll('allowWatchBookmarks')),
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
      const fields = parseFieldSelector(kindOf(info).fieldSelectors, q.get('fieldSelector'));
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

/** The registry operations a subresource's storage may use. */
function subresourceRegistry(registry: Registry): SubresourceRegistry {
  return {
    get: (info, namespace, name) => registry.get(info, namespace, name),
    mutate: (info, namespace, name, subresource, change) => registry.mutate(info, namespace, name, subresource, change),
    delete: (info, namespace, name, options) => registry.delete(info, namespace, name, options, options.dryRun ? { dryRun: true } : {}),
    list: async (info, namespace) => (await registry.list(info, namespace, parseLabelSelector(undefined), [])).items,
  };
}

// HTTP for resource requests: query parameters, bodies, Table output for kubectl, and the
// subresources (status, binding, scale, finalize). Object rules live in registry.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest, conflict, fieldErr, invalid, methodNotSupported, notFound, statusFailure, statusSuccess } from '../api/errors.js';
import { parseFieldSelector } from '../api/fields.js';
import { parseLabelSelector } from '../api/labels.js';
import type { DeleteOptions, KubeObject, ListMeta } from '../api/types.js';
import { kindOf, subresourceOf } from '../kinds/catalog.js';
import type { ReadOnlyStorage, SubresourceRegistry } from '../kinds/kind.js';
import type { Logger } from '../log.js';
import type { WatchCache } from '../store/watch-cache.js';
import { decodeBody, isPlainObject, isYamlMediaType, mediaType, readBody } from './body.js';
import { duplicateFields } from './duplicate-fields.js';
import { PROTOBUF_MEDIA_TYPE } from './protobuf/index.js';
import { applyPatch, type PatchContentType } from './patch/index.js';
import { toTable } from './printers/index.js';
import type { FieldValidation, Registry, WriteOptions } from './registry.js';
import type { ResourceRequest } from './request-info.js';
import { writeJson } from './respond.js';
import { pageOf } from './paging.js';
import {
  parseDeleteOptionsQuery,
  parseIncludeObject,
  parseListOptions,
  parseResourceVersion,
  parseWriteOptions,
  ResourceVersionError,
  validateDeleteOptions,
  watchStart,
  type ListOptions,
} from './query.js';
import { serveWatch, type WatchServerOptions } from './watch.js';

const PATCH_TYPES = new Set<string>(['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json']);

export interface HandlerContext {
  registry: Registry;
  watchCache: WatchCache;
  logger: Logger;
  watchOptions?: WatchServerOptions;
  /** What the API server presents to the kubelets (src/pki/kubelet-token.ts). */
  kubeletToken: string;
}

function wantsTable(req: IncomingMessage): boolean {
  const accept = String(req.headers.accept ?? '');
  return accept.split(',').some((part) => /(^|;)\s*as=Table/.test(part) && part.includes('application/json'));
}

/** Create/update/patch options from the query, as the handlers read and validate them (query.ts). */
function writeOptions(q: URLSearchParams, kind: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions', patchType?: string): WriteOptions {
  const o = parseWriteOptions(q, kind, patchType);
  return { ...(o.dryRun ? { dryRun: true } : {}), fieldValidation: o.fieldValidation as FieldValidation };
}

/**
 * The resourceVersion of a list or watch as the storage parses it: a bad one is upstream's 500
 * (the storage's InvalidError reaches the client unconverted).
 */
function checkResourceVersion(rv: string): void {
  try {
    parseResourceVersion(rv);
  } catch (err) {
    if (err instanceof ResourceVersionError) throw new ApiError(statusFailure(500, '', err.message));
    throw err;
  }
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

/** The body, and (for JSON, unless fieldValidation=Ignore) the fields it had twice. */
async function readObjectBody(req: IncomingMessage, opts: WriteOptions): Promise<unknown> {
  const raw = await readBody(req);
  const type = mediaType(req);
  const body = decodeBody(raw, type);
  if (opts.fieldValidation !== 'Ignore' && type !== PROTOBUF_MEDIA_TYPE && !isYamlMediaType(type)) {
    const duplicates = duplicateFields(raw.toString('utf8'));
    if (duplicates.length > 0) opts.duplicateFields = duplicates;
  }
  return body;
}

/**
 * DeleteOptions from the body, or from the query when there is no body (as upstream's handler:
 * never both), validated as ValidateDeleteOptions does; the deprecated orphanDependents becomes
 * the propagation policy it stands for.
 */
async function readDeleteOptions(req: IncomingMessage, q: URLSearchParams): Promise<DeleteOptions> {
  const raw = await readBody(req);
  let opts: DeleteOptions & { orphanDependents?: boolean | null };
  if (raw.length > 0 && raw.toString('utf8').trim() !== '') {
    const body = decodeBody(raw, mediaType(req));
    if (!isPlainObject(body)) throw badRequest('DeleteOptions must be an object');
    opts = body as DeleteOptions;
  } else {
    opts = parseDeleteOptionsQuery(q) as DeleteOptions;
  }
  validateDeleteOptions(opts);
  const orphan = opts.orphanDependents;
  delete opts.orphanDependents;
  // the deprecated orphanDependents: true is Orphan, false is Background (it overrides a kind's default)
  if (opts.propagationPolicy === undefined && orphan === true) opts.propagationPolicy = 'Orphan';
  if (opts.propagationPolicy === undefined && orphan === false) opts.propagationPolicy = 'Background';
  return opts;
}

export async function handleResource(req: IncomingMessage, res: ServerResponse, url: URL, r: ResourceRequest, ctx: HandlerContext): Promise<void> {
  const q = url.searchParams;
  const { registry } = ctx;
  const info = r.info;
  const table = wantsTable(req);
  const includeObject = table ? parseIncludeObject(q) : undefined;
  // a kind served in several versions answers in the one asked for (its strategy's present)
  const present = kindOf(info).strategy.present ?? ((o: KubeObject): KubeObject => o);
  const renderOne = (obj: KubeObject, withColumns = true): unknown => {
    if (!table) return present(obj);
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
      body: () => (body ??= readObjectBody(req, { fieldValidation: 'Ignore' })),
      mediaType: mediaType(req),
      registry: subresourceRegistry(registry),
      logger: ctx.logger,
      kubeletToken: ctx.kubeletToken,
    });
    return;
  }

  // ---- a kind computed when asked (metrics.k8s.io): its own storage, get and list only -------
  const computed = kindOf(info).storage;
  if (computed && !sub) return serveComputed(computed, res, q, r, table ? (items, listMeta) => toTable(info, items, { includeObject: includeObject ?? 'Metadata', ...(listMeta ? { listMeta } : {}) }) : undefined, ctx);

  // ---- the main resource and status -------------------------------------------------------
  switch (r.verb) {
    case 'get': {
      const obj = await registry.get(info, r.namespace, r.name!);
      writeJson(res, 200, table ? toTable(info, [obj], { includeObject: includeObject ?? 'Metadata' }) : present(obj));
      return;
    }
    case 'list': {
      const lo = parseListOptions(q);
      checkResourceVersion(lo.resourceVersion);
      const labels = parseLabelSelector(lo.labelSelector);
      const fields = parseFieldSelector(kindOf(info).fieldSelectors, lo.fieldSelector);
      const result = await registry.list(info, r.namespace, labels, fields);
      const page = pageOf(result.items, result.revision, {
        limit: lo.limit,
        continue: lo.continue,
        clusterWide: r.namespace === undefined,
        filtered: labels.length > 0 || fields.length > 0,
      });
      const listMeta: ListMeta = { resourceVersion: String(page.revision) };
      if (page.continue) listMeta.continue = page.continue;
      if (page.remainingItemCount !== undefined) listMeta.remainingItemCount = page.remainingItemCount;
      if (table) {
        writeJson(res, 200, toTable(info, page.items, { includeObject: includeObject ?? 'Metadata', listMeta }));
      } else {
        writeJson(res, 200, { kind: listKindOf(r), apiVersion: apiVersionOf(r), metadata: listMeta, items: page.items.map(present) });
      }
      return;
    }
    case 'watch': {
      // a watch reached by ?watch (the legacy /watch/ paths too): ListOptions with Watch set
      const lo: ListOptions = parseListOptions(q, true);
      checkResourceVersion(lo.resourceVersion);
      const labels = parseLabelSelector(lo.labelSelector);
      const fields = parseFieldSelector(kindOf(info).fieldSelectors, lo.fieldSelector);
      const start = watchStart(lo);
      await serveWatch(
        req,
        res,
        {
          info,
          ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
          ...(r.name !== undefined ? { name: r.name } : {}),
          labels,
          fields,
          resourceVersion: lo.resourceVersion,
          allowBookmarks: lo.allowWatchBookmarks,
          initialEvents: start.initialEvents,
          initialEventsEndBookmark: start.endBookmark,
          ...(lo.timeoutSeconds !== undefined && lo.timeoutSeconds > 0 ? { timeoutSeconds: lo.timeoutSeconds } : {}),
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
      const opts = writeOptions(q, 'CreateOptions');
      const body = await readObjectBody(req, opts);
      const { object, warnings } = await registry.create(info, r.namespace, body, opts);
      ctx.logger.info({ verb: 'create', resource: info.resource, namespace: object.metadata.namespace, name: object.metadata.name }, 'created');
      writeJson(res, 201, present(object), warningHeaders(warnings));
      return;
    }
    case 'update': {
      const opts = writeOptions(q, 'UpdateOptions');
      const body = await readObjectBody(req, opts);
      const { object, warnings } = await registry.update(info, r.namespace, r.name!, sub, body, opts);
      writeJson(res, 200, present(object), warningHeaders(warnings));
      return;
    }
    case 'patch': {
      const type = mediaType(req);
      const opts = writeOptions(q, 'PatchOptions', type);
      if (type === 'application/apply-patch+yaml') {
        throw new ApiError(
          statusFailure(415, 'UnsupportedMediaType', 'server-side apply is not supported by loopkube yet; use client-side `kubectl apply` (without --server-side)'),
        );
      }
      if (!PATCH_TYPES.has(type)) throw badRequest(`the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`);
      const body = decodeBody(await readBody(req), 'application/json');
      const { object, warnings } = await registry.patch(info, r.namespace, r.name!, sub, body, type as PatchContentType, opts);
      writeJson(res, 200, present(object), warningHeaders(warnings));
      return;
    }
    case 'delete': {
      const options = await readDeleteOptions(req, q);
      const { object, removed } = await registry.delete(info, r.namespace, r.name!, options, options.dryRun ? { dryRun: true } : {});
      ctx.logger.info({ verb: 'delete', resource: info.resource, namespace: object.metadata.namespace, name: object.metadata.name, removed }, removed ? 'deleted' : 'deletion started');
      writeJson(res, 200, removed && !kindOf(info).strategy.returnDeletedObject ? deletedStatus(info, object) : object);
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

/** get and list of a kind computed when asked (kindOf(info).storage); other verbs are 405 as upstream's. */
async function serveComputed(
  storage: ReadOnlyStorage,
  res: ServerResponse,
  q: URLSearchParams,
  r: ResourceRequest,
  table: ((items: KubeObject[], listMeta?: ListMeta) => unknown) | undefined,
  ctx: HandlerContext,
): Promise<void> {
  const rc = { registry: subresourceRegistry(ctx.registry), kubeletToken: ctx.kubeletToken, logger: ctx.logger };
  if (r.verb === 'get') {
    const obj = await storage.get(rc, r.namespace, r.name!);
    writeJson(res, 200, table ? table([obj]) : obj);
    return;
  }
  if (r.verb === 'list') {
    const labels = parseLabelSelector(q.get('labelSelector'));
    const fields = parseFieldSelector(kindOf(r.info).fieldSelectors, q.get('fieldSelector'));
    const items = await storage.list(rc, r.namespace, labels, fields);
    const listMeta: ListMeta = {};
    writeJson(res, 200, table ? table(items, listMeta) : { kind: listKindOf(r), apiVersion: apiVersionOf(r), metadata: listMeta, items });
    return;
  }
  throw new ApiError(statusFailure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}));
}

/**
 * What a kind that does not return the deleted object answers (the generic store's
 * finalizeDelete): Success naming what went, without a code.
 */
function deletedStatus(info: ResourceRequest['info'], object: KubeObject): unknown {
  const details: Record<string, string> = { name: object.metadata.name ?? '' };
  if (info.group) details.group = info.group;
  details.kind = info.resource;
  if (object.metadata.uid) details.uid = object.metadata.uid;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
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

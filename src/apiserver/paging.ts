// Chunked lists (limit and continue), as kube-apiserver's storage pages them: items in key order,
// a page of at most `limit`, and a continue token that is base64url of
// {"v":"meta.k8s.io/v1","rv":<revision of the first page>,"start":<the next key>}
// (k8s.io/apiserver/pkg/storage/continue.go), so a client can resume where the page ended.
import { badRequest } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';

export interface Page {
  items: KubeObject[];
  /** The revision the listing answers for (the first page's, for every page of one listing). */
  revision: number;
  continue?: string;
  /** Items after this page, when no selector filtered them (upstream counts only then). */
  remainingItemCount?: number;
}

const keyOf = (o: KubeObject, clusterWide: boolean): string =>
  clusterWide && o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name ?? ''}` : (o.metadata.name ?? '');

/** DecodeContinue's errors are 400 "invalid continue token: continue key is not valid...". */
function decodeContinue(token: string): { start: string; revision: number } {
  const invalid = (why: string): never => {
    throw badRequest(`invalid continue token: continue key is not valid${why}`);
  };
  if (!/^[A-Za-z0-9_-]*$/.test(token)) invalid(': illegal base64 data');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (err) {
    return invalid(`: ${(err as Error).message}`);
  }
  const t = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if (t.v !== 'meta.k8s.io/v1') return invalid(`: server does not recognize this encoded version ${String(t.v ?? '')}`);
  if (typeof t.rv !== 'number' || t.rv === 0) return invalid(': incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  if (typeof t.start !== 'string' || t.start === '') return invalid(': encoded start key empty (version meta.k8s.io/v1)');
  if (t.start.split('/').some((part) => part === '..' || part === '.')) return invalid(`: ${t.start}`);
  return { start: t.start, revision: t.rv };
}

function encodeContinue(start: string, revision: number): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: revision, start })).toString('base64url');
}

/**
 * One page of `items` (everything the selectors matched, at `revision`): all of them when limit is
 * 0 or less and no continue token is given.
 */
export function pageOf(items: KubeObject[], revision: number, opts: { limit: number; continue: string; clusterWide: boolean; filtered: boolean }): Page {
  let from = '';
  let rev = revision;
  if (opts.continue) {
    const c = decodeContinue(opts.continue);
    from = c.start;
    rev = c.revision;
  }
  if (opts.limit <= 0 && !opts.continue) return { items, revision };
  const sorted = items
    .map((o) => ({ o, key: keyOf(o, opts.clusterWide) }))
    .filter((x) => x.key >= from)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const limit = opts.limit > 0 ? opts.limit : sorted.length;
  const page = sorted.slice(0, limit);
  const rest = sorted.length - page.length;
  const out: Page = { items: page.map((x) => x.o), revision: rev };
  if (rest > 0) {
    out.continue = encodeContinue(`${(page[page.length - 1] as { key: string }).key}\u0000`, rev);
    if (!opts.filtered) out.remainingItemCount = rest;
  }
  return out;
}

// The Ingresses of our class -> one immutable routing table, and a request (host, path) -> the
// backend that serves it, as the Ingress API defines matching (networking/v1 docs, "Path types"
// and "Multiple matches") and ingress-nginx applies it across Ingresses:
// - hosts: a precise host beats a `*.` wildcard (which matches exactly one extra label), which
//   beats a rule without a host; only the most specific host group that exists is searched;
// - paths: Exact matches the whole path; Prefix (and ImplementationSpecific, which loopkube reads
//   as Prefix, as ingress-nginx does without its regex annotation) matches whole path elements
//   (`/foo` matches `/foo`, `/foo/`, `/foo/bar`, not `/foobar`; a trailing `/` is ignored);
//   the longest matching path wins, then Exact over Prefix, then the oldest Ingress;
// - no match: the oldest Ingress's defaultBackend, else none (the controller's 404).
import type { Ingress, IngressBackend } from '../api/networking.js';

export interface RouteBackend {
  namespace: string;
  service: string;
  /** The Service port, by number or by name. */
  port: number | string;
  /** `namespace/ingress` that defined it. */
  ingress: string;
  /** What matched: `host/path` as the route is named in metrics. */
  route: string;
}

interface PathRule {
  type: 'Exact' | 'Prefix';
  /** Normalized: without trailing slash for Prefix ('' for `/`). */
  path: string;
  order: number;
  backend: RouteBackend;
}

export interface RoutingTable {
  /** Precise host -> rules. */
  readonly hosts: ReadonlyMap<string, PathRule[]>;
  /** Wildcard suffix (`foo.com` of `*.foo.com`) -> rules. */
  readonly wildcards: ReadonlyMap<string, PathRule[]>;
  readonly anyHost: readonly PathRule[];
  readonly defaultBackend: RouteBackend | undefined;
  /** Every backend, for status and metrics. */
  readonly backends: readonly RouteBackend[];
}

function toBackend(b: IngressBackend | undefined, ing: Ingress, route: string): RouteBackend | undefined {
  const svc = b?.service;
  if (!svc?.name) return undefined;
  const port = svc.port?.name ? svc.port.name : svc.port?.number;
  if (port === undefined) return undefined;
  const namespace = ing.metadata.namespace ?? 'default';
  return { namespace, service: svc.name, port, ingress: `${namespace}/${ing.metadata.name ?? ''}`, route };
}

function trimSlash(p: string): string {
  return p.endsWith('/') ? p.slice(0, -1) : p;
}

function created(ing: Ingress): number {
  return Date.parse(ing.metadata.creationTimestamp ?? '') || 0;
}

/** Orders Ingresses as ingress-nginx does when rules collide: oldest first, then by namespace/name. */
export function byAge(a: Ingress, b: Ingress): number {
  const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name ?? ''}`;
  const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name ?? ''}`;
  return created(a) - created(b) || (ka < kb ? -1 : ka > kb ? 1 : 0);
}

export function buildRoutingTable(ingresses: readonly Ingress[]): RoutingTable {
  const hosts = new Map<string, PathRule[]>();
  const wildcards = new Map<string, PathRule[]>();
  const anyHost: PathRule[] = [];
  const backends: RouteBackend[] = [];
  let defaultBackend: RouteBackend | undefined;
  let order = 0;
  for (const ing of [...ingresses].sort(byAge)) {
    const def = toBackend(ing.spec?.defaultBackend, ing, '*/');
    if (def) {
      backends.push(def);
      defaultBackend ??= def;
    }
    for (const rule of ing.spec?.rules ?? []) {
      const host = (rule.host ?? '').toLowerCase();
      const list = host === '' ? anyHost : host.startsWith('*.') ? getOrAdd(wildcards, host.slice(2)) : getOrAdd(hosts, host);
      for (const p of rule.http?.paths ?? []) {
        const raw = p.path || '/';
        const backend = toBackend(p.backend, ing, `${host || '*'}${raw}`);
        if (!backend) continue;
        backends.push(backend);
        const type = p.pathType === 'Exact' ? 'Exact' : 'Prefix';
        const path = type === 'Exact' ? raw : trimSlash(raw);
        list.push({ type, path, order: order++, backend });
      }
    }
  }
  return { hosts, wildcards, anyHost, defaultBackend, backends };
}

function getOrAdd(m: Map<string, PathRule[]>, k: string): PathRule[] {
  let list = m.get(k);
  if (!list) {
    list = [];
    m.set(k, list);
  }
  return list;
}

/** The host of a Host header: lower case, without the port. */
export function hostOnly(header: string | undefined): string {
  const h = (header ?? '').toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

function matches(rule: PathRule, path: string): boolean {
  if (rule.type === 'Exact') return path === rule.path;
  if (rule.path === '') return true;
  return path === rule.path || path.startsWith(`${rule.path}/`);
}

/** Longer paths first; at equal length Exact before Prefix; then the older rule. */
function better(a: PathRule, b: PathRule): boolean {
  const la = a.type === 'Exact' ? trimSlash(a.path).length : a.path.length;
  const lb = b.type === 'Exact' ? trimSlash(b.path).length : b.path.length;
  if (la !== lb) return la > lb;
  if (a.type !== b.type) return a.type === 'Exact';
  return a.order < b.order;
}

function bestRule(rules: readonly PathRule[], path: string): PathRule | undefined {
  let best: PathRule | undefined;
  for (const r of rules) if (matches(r, path) && (!best || better(r, best))) best = r;
  return best;
}

/** The rules of the most specific host group that exists for `host`. */
function rulesFor(table: RoutingTable, host: string): readonly PathRule[] {
  const exact = table.hosts.get(host);
  if (exact) return exact;
  const dot = host.indexOf('.');
  const wild = dot > 0 ? table.wildcards.get(host.slice(dot + 1)) : undefined;
  if (wild) return wild;
  return table.anyHost;
}

/** The backend for a request, or undefined (the controller answers 404). `path` excludes the query. */
export function route(table: RoutingTable, hostHeader: string | undefined, path: string): RouteBackend | undefined {
  const rule = bestRule(rulesFor(table, hostOnly(hostHeader)), path || '/');
  return rule?.backend ?? table.defaultBackend;
}

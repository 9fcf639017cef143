// What `loopkube top` shows, from what the hub sent and the keyboard's state: a header (cluster,
// totals, listeners that failed to open and why), a body (the services, then each service's
// endpoints grouped by node, sorted and filtered), and for a terminal a footer naming the keys.
// Pure: a model and a state in, text out.
import { formatTable } from '../cli/table.js';
import type { ListenerFailureView, ServiceView } from './protocol.js';
import { SORT_LABEL, type SortKey, type TopState } from './top-controls.js';
import { endpointTraffic, type EndpointTrafficView, type ViewerModel } from './viewer-model.js';

export function rate(n: number): string {
  return n >= 100 ? String(Math.round(n)) : n > 0 ? n.toFixed(1) : '0';
}

export function formatBytesPerSec(n: number): string {
  if (n < 1024) return `${Math.round(n)} B/s`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB/s`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB/s`;
}

function portsOf(s: ServiceView): string {
  return s.ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol}`).join(',') || '<none>';
}

function externalOf(s: ServiceView): string {
  return s.externalIPs.length ? s.externalIPs.join(',') : s.pending ? '<pending>' : '<none>';
}

interface EndpointRow {
  node: string;
  endpoint: string;
  portName: string;
  pod: string;
  state: string;
  t: EndpointTrafficView;
}

interface ServiceRows {
  svc: ServiceView;
  rows: EndpointRow[];
  total: EndpointTrafficView;
  ready: number;
  failures: ListenerFailureView[];
}

const ZERO: EndpointTrafficView = { connPerSec: 0, active: 0, bytesPerSec: 0, requestsPerSec: 0, errorsPerSec: 0 };

function add(a: EndpointTrafficView, b: EndpointTrafficView): EndpointTrafficView {
  return {
    connPerSec: a.connPerSec + b.connPerSec,
    active: a.active + b.active,
    bytesPerSec: a.bytesPerSec + b.bytesPerSec,
    requestsPerSec: a.requestsPerSec + b.requestsPerSec,
    errorsPerSec: a.errorsPerSec + b.errorsPerSec,
  };
}

function measure(t: EndpointTrafficView, sort: SortKey): number {
  switch (sort) {
    case 'requests':
      return t.requestsPerSec;
    case 'connections':
      return t.connPerSec;
    case 'bytes':
      return t.bytesPerSec;
    case 'active':
      return t.active;
    case 'name':
      return 0;
  }
}

/** Busiest first by the sort's measure, then by name. */
function compare<T>(sort: SortKey, t: (x: T) => EndpointTrafficView, name: (x: T) => string): (a: T, b: T) => number {
  return (a, b) => measure(t(b), sort) - measure(t(a), sort) || name(a).localeCompare(name(b), 'en', { numeric: true });
}

function endpointState(a: { ready: boolean; serving: boolean; terminating: boolean }): string {
  if (a.terminating) return a.serving ? 'terminating' : 'terminating, not serving';
  return a.ready ? 'yes' : 'no';
}

/** Services with their endpoint rows, after the namespace and the filter, sorted. */
export function topRows(m: ViewerModel, state: Pick<TopState, 'sort' | 'filter' | 'namespace'>): ServiceRows[] {
  const needle = state.filter.toLowerCase();
  const failures = m.traffic.listenerFailures;
  const out: ServiceRows[] = [];
  for (const svc of m.services.values()) {
    if (state.namespace !== null && svc.namespace !== state.namespace) continue;
    const eps = m.endpoints.get(svc.key);
    const rows: EndpointRow[] = [];
    for (const a of eps?.addresses ?? []) {
      for (const p of eps!.ports) {
        const endpoint = `${a.ip}:${p.port}`;
        rows.push({ node: a.node, endpoint, portName: p.name, pod: a.pod, state: endpointState(a), t: endpointTraffic(m, svc.key, p.name, endpoint) });
      }
    }
    const serviceMatches = needle === '' || svc.key.toLowerCase().includes(needle) || svc.clusterIP.includes(needle);
    const shown = serviceMatches ? rows : rows.filter((r) => `${r.pod} ${r.node} ${r.endpoint}`.toLowerCase().includes(needle));
    if (!serviceMatches && shown.length === 0) continue;
    shown.sort((x, y) => x.node.localeCompare(y.node) || compare<EndpointRow>(state.sort, (r) => r.t, (r) => r.endpoint)(x, y));
    out.push({
      svc,
      rows: shown,
      total: rows.reduce((t, r) => add(t, r.t), ZERO),
      ready: (eps?.addresses ?? []).filter((a) => a.ready).length,
      failures: failures.filter((f) => f.service === svc.key),
    });
  }
  return out.sort(compare<ServiceRows>(state.sort, (s) => s.total, (s) => s.svc.key));
}

/** The lines above the body: who, when, totals, and every listener that failed to open. */
export function topHeader(m: ViewerModel, now: Date, state: Pick<TopState, 'namespace'>): string[] {
  const nodes = [...m.nodes.values()];
  const ready = nodes.filter((n) => n.ready === 'True').length;
  const t = m.traffic.totals;
  const proxy = m.traffic.proxies > 0 ? 'proxy reporting' : 'no proxy reporting';
  const ns = state.namespace === null ? 'all namespaces' : `namespace ${state.namespace}`;
  const out = [
    `cluster "${m.cluster}"   ${now.toTimeString().slice(0, 8)}   nodes ${ready}/${nodes.length} ready   pods ${m.pods.size}   ${proxy}   ${ns}`,
    `total: ${rate(t.requestsPerSec)} req/s   ${rate(t.errorsPerSec)} 5xx/s   ${rate(t.connPerSec)} conn/s   ${t.active} active   ${formatBytesPerSec(t.bytesPerSec)}`,
  ];
  for (const f of m.traffic.listenerFailures) out.push(`! ${f.service}: ${f.message}`);
  return out;
}

/** The services table, then each service's endpoints by node. */
export function topBody(m: ViewerModel, state: Pick<TopState, 'sort' | 'filter' | 'namespace'>): string[] {
  const services = topRows(m, state);
  const out: string[] = [];
  if (services.length === 0) {
    out.push(state.filter ? `no service or endpoint matches "${state.filter}"` : 'no services');
    return out;
  }
  out.push(
    ...formatTable(
      ['SERVICE', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'ENDPOINTS', 'REQ/S', 'CONN/S'],
      services.map((s) => [s.svc.key, s.svc.type, s.svc.clusterIP || '-', externalOf(s.svc), portsOf(s.svc), s.ready, rate(s.total.requestsPerSec), rate(s.total.connPerSec)]),
    ).split('\n'),
  );
  const nodeIP = new Map([...m.nodes.values()].map((n) => [n.name, n.ip]));
  for (const s of services) {
    out.push('');
    out.push(`${s.svc.key}   ${s.svc.type} ${s.svc.clusterIP}   ${portsOf(s.svc)}   ${rate(s.total.requestsPerSec)} req/s`);
    for (const f of s.failures) out.push(`  ! ${f.message}`);
    if (s.rows.length === 0) {
      out.push('  (no endpoints)');
      continue;
    }
    let last: string | undefined;
    const table = formatTable(
      ['NODE', 'ENDPOINT', 'POD', 'READY', 'REQ/S', '5XX/S', 'CONN/S', 'ACTIVE', 'BYTES/S'],
      s.rows.map((r) => {
        const label = r.node === last ? ' ' : r.node ? `${r.node}${nodeIP.get(r.node) ? ` (${nodeIP.get(r.node)})` : ''}` : '-';
        last = r.node;
        return [
          label,
          r.endpoint + (r.portName ? ` (${r.portName})` : ''),
          r.pod || '-',
          r.state,
          rate(r.t.requestsPerSec),
          rate(r.t.errorsPerSec),
          rate(r.t.connPerSec),
          r.t.active,
          formatBytesPerSec(r.t.bytesPerSec),
        ];
      }),
    );
    out.push(...table.split('\n').map((l) => `  ${l}`));
  }
  return out;
}

/** The footer: the keys, the sort, the namespace and the filter (or the filter being typed). */
export function topFooter(state: TopState): string {
  if (state.editing !== null) return `/${state.editing}_   Enter keep  Esc clear`;
  const filter = state.filter ? `   filter "${state.filter}" (Esc clears)` : '';
  return `q quit  ↑↓ PgUp PgDn scroll  / filter  s sort: ${SORT_LABEL[state.sort]}  n namespace: ${state.namespace ?? 'all'}${filter}`;
}

/** Body lines that fit between the header and the footer. */
export function topPage(rows: number, headerLines: number): number {
  return Math.max(1, rows - headerLines - 2);
}

/** Words to lines of at most `cols` characters; a continuation is indented by two. */
function wrap(line: string, cols: number): string[] {
  if (line.length <= cols || cols < 20) return [line];
  const out: string[] = [];
  let cur = '';
  for (const word of line.split(' ')) {
    if (cur && cur.length + 1 + word.length > cols) {
      out.push(cur);
      cur = `  ${word}`;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) out.push(cur);
  return out;
}

/** The header as drawn at `cols`: a failed listener's reason and fix are wrapped, never cut. */
export function topWrappedHeader(header: string[], cols: number): string[] {
  return header.flatMap((l) => (l.startsWith('!') ? wrap(l, cols) : [l]));
}

function fit(line: string, cols: number): string {
  return line.length > cols ? `${line.slice(0, Math.max(0, cols - 1))}…` : line;
}

/**
 * One terminal screen, exactly `rows` lines of at most `cols` characters: the header, a blank
 * line, the body from state.scroll, and the footer in reverse video on the last line.
 */
export function topScreen(header: string[], body: string[], state: TopState, rows: number, cols: number): string {
  header = topWrappedHeader(header, cols);
  const page = topPage(rows, header.length);
  const shown = body.slice(state.scroll, state.scroll + page);
  const below = body.length - state.scroll - page;
  const position = below > 0 ? `(${below} more lines: ↓ PgDn)` : state.scroll > 0 ? '(end)' : '';
  const lines = [...header, position, ...shown];
  while (lines.length < rows - 1) lines.push('');
  const out = lines.slice(0, rows - 1).map((l) => `${fit(l, cols)}\x1b[K`);
  out.push(`\x1b[7m${fit(topFooter(state), cols).padEnd(cols)}\x1b[0m`);
  return out.join('\r\n');
}

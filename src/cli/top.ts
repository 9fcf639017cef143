// `loopkube top`: the cluster's traffic in the terminal, refreshed each second: every service,
// its endpoints grouped by node, and per endpoint connections/s, active connections, bytes/s
// (the proxy's counters) and requests/s (the pods' own counters, read from the nodes). It is a
// viewer of the control plane's traffic hub, as the dashboard is.
import { readClusterConfig } from '../cluster/config.js';
import { ensureDashboardToken } from '../observe/dashboard-token.js';
import type { ServiceView } from '../observe/protocol.js';
import { endpointKey } from '../observe/traffic-rates.js';
import { connectViewer, viewerUrl, type ViewerModel } from '../observe/viewer-model.js';
import { CliError, parseFlags } from './args.js';
import { locateCluster, notRunningMessage, readExistingCluster } from './cluster-home.js';
import { ensureSupervisor } from './supervisor-start.js';
import { formatTable } from './table.js';

export const TOP_HELP = `Show the traffic through each service and endpoint, refreshed each second.

Usage:
  loopkube top [--name NAME] [--once]

For every service: its endpoints grouped by node, with connections/s, active connections and
bytes/s through the proxy, and requests/s answered by each pod.

Options:
  --name NAME   cluster name (default: default)
  --once        print one frame and exit
  -h, --help    show this help
`;

function rate(n: number): string {
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

/** One screen of `loopkube top`, from what the hub sent. */
export function renderTopFrame(m: ViewerModel, now = new Date(m.at || Date.now())): string {
  const out: string[] = [];
  const nodes = [...m.nodes.values()];
  const ready = nodes.filter((n) => n.ready === 'True').length;
  const t = m.traffic.totals;
  const proxy = m.traffic.proxies > 0 ? 'proxy reporting' : 'no proxy reporting';
  out.push(`cluster "${m.cluster}"   ${now.toTimeString().slice(0, 8)}   nodes ${ready}/${nodes.length} ready   pods ${m.pods.size}   ${proxy}`);
  out.push(`total: ${rate(t.connPerSec)} conn/s   ${t.active} active   ${formatBytesPerSec(t.bytesPerSec)}   ${rate(t.requestsPerSec)} req/s`);
  out.push('');

  const services = [...m.services.values()].sort((a, b) => a.key.localeCompare(b.key));
  out.push(
    formatTable(
      ['SERVICE', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'ENDPOINTS'],
      services.map((s) => {
        const e = m.endpoints.get(s.key);
        return [s.key, s.type, s.clusterIP || '-', externalOf(s), portsOf(s), e ? e.addresses.filter((a) => a.ready).length : 0];
      }),
    ),
  );

  const nodeIP = new Map(nodes.map((n) => [n.name, n.ip]));
  for (const s of services) {
    const eps = m.endpoints.get(s.key);
    out.push('');
    out.push(`${s.key}   ${s.type} ${s.clusterIP}   ${portsOf(s)}`);
    if (!eps || eps.addresses.length === 0 || eps.ports.length === 0) {
      out.push('  (no endpoints)');
      continue;
    }
    const rows: Array<{ node: string; cells: Array<string | number> }> = [];
    for (const a of eps.addresses) {
      for (const p of eps.ports) {
        const endpoint = `${a.ip}:${p.port}`;
        const r = m.endpointRates.get(endpointKey({ service: s.key, port: p.name, endpoint }));
        const pod = a.pod ? m.podRates.get(`${s.namespace}/${a.pod}`) : undefined;
        rows.push({
          node: a.node,
          cells: [
            endpoint + (p.name ? ` (${p.name})` : ''),
            a.pod || '-',
            a.ready ? 'yes' : 'no',
            rate(r?.connPerSec ?? 0),
            r?.active ?? 0,
            formatBytesPerSec(r?.bytesPerSec ?? 0),
            a.pod ? rate(pod?.requestsPerSec ?? 0) : '-',
          ],
        });
      }
    }
    rows.sort((x, y) => x.node.localeCompare(y.node) || String(x.cells[0]).localeCompare(String(y.cells[0]), 'en', { numeric: true }));
    // grouped by node: the node is named on its first row
    let last: string | undefined;
    const table = formatTable(
      ['NODE', 'ENDPOINT', 'POD', 'READY', 'CONN/S', 'ACTIVE', 'BYTES/S', 'REQ/S'],
      rows.map((r) => {
        const label = r.node === last ? ' ' : r.node ? `${r.node}${nodeIP.get(r.node) ? ` (${nodeIP.get(r.node)})` : ''}` : '-';
        last = r.node;
        return [label, ...r.cells];
      }),
    );
    out.push(
      table
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
  }
  return `${out.join('\n')}\n`;
}

export async function top(argv: string[]): Promise<number> {
  const { values } = parseFlags('top', argv, { name: { type: 'string' }, once: { type: 'boolean' } } as const);
  if (values.help) {
    process.stdout.write(TOP_HELP);
    return 0;
  }
  const loc = locateCluster(values.name ?? 'default');
  if (!readExistingCluster(loc) || (await ensureSupervisor(loc)) === null) throw new CliError(notRunningMessage(loc.name));
  const config = readClusterConfig(loc.home);
  if (!config.dashboard?.port) throw new CliError(`cluster "${loc.name}" has no dashboard port in ${loc.paths.config}: start it again with loopkube up`);
  const url = viewerUrl(config.dashboard.port, ensureDashboardToken(loc.home));
  const tty = process.stdout.isTTY === true && !values.once;

  const draw = (m: ViewerModel): void => {
    let frame = renderTopFrame(m);
    if (tty) {
      // what fits the terminal: a frame taller than it would scroll and break the redraw
      const rows = process.stdout.rows || 50;
      const lines = frame.trimEnd().split('\n');
      if (lines.length > rows - 1) frame = `${[...lines.slice(0, rows - 2), `... ${lines.length - (rows - 2)} more lines (a taller terminal shows them; --once prints all)`].join('\n')}\n`;
      // home, the frame with each line cleared to its end, then clear what is below
      process.stdout.write(`\x1b[H${frame.replace(/\n/g, '\x1b[K\n')}\x1b[J`);
    } else {
      process.stdout.write(values.once ? frame : `${frame}\n`);
    }
  };

  let conn;
  let closedReason: string | undefined;
  let wake: (() => void) | undefined;
  try {
    conn = await connectViewer(
      url,
      (m, msg) => {
        if (!values.once && msg.kind === 'tick') draw(m);
      },
      (reason) => {
        closedReason = reason;
        wake?.();
      },
    );
  } catch (err) {
    throw new CliError(`cannot reach the traffic hub of cluster "${loc.name}" at 127.0.0.1:${config.dashboard.port}: ${(err as Error).message}`);
  }
  if (values.once) {
    draw(conn.model);
    conn.close();
    return 0;
  }
  if (tty) process.stdout.write('\x1b[?25l\x1b[2J');
  draw(conn.model);
  const done = new Promise<void>((resolve) => {
    wake = resolve;
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await done;
  conn.close();
  if (tty) process.stdout.write('\x1b[?25h\n');
  if (closedReason) throw new CliError(`the traffic hub went away: ${closedReason}`);
  return 0;
}

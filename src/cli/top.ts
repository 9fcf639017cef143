// `loopkube top`: the cluster's traffic in the terminal, as k9s shows a cluster: every service
// and its endpoints grouped by node, with requests/s and 5xx/s (the pods' own counters) and
// connections/s, active connections and bytes/s (the proxy's), refreshed twice a second, driven
// from the keyboard (src/observe/top-controls.ts). It is a viewer of the control plane's traffic
// hub, as the dashboard is. `--once` prints one frame for scripts.
import { readClusterConfig } from '../cluster/config.js';
import { ensureDashboardToken } from '../observe/dashboard-token.js';
import { applyKey, initialTopState, parseKeys, type TopState } from '../observe/top-controls.js';
import { topBody, topHeader, topPage, topScreen, topWrappedHeader } from '../observe/top-screen.js';
import { connectViewer, viewerUrl, type ViewerModel } from '../observe/viewer-model.js';
import { CliError, parseFlags } from './args.js';
import { notRunningMessage, readExistingCluster, selectCluster } from './cluster-home.js';
import { ensureSupervisor } from './supervisor-start.js';

export { formatBytesPerSec } from '../observe/top-screen.js';

export const TOP_HELP = `Show the traffic through each service and endpoint, live.

Usage:
  loopkube top [--name NAME] [--once]

For every service: its endpoints grouped by node, with requests/s and 5xx/s answered by each
pod, and connections/s, active connections and bytes/s through the proxy. Services are sorted
by traffic. A listener the proxy could not open is named with the reason and the fix.

Keys:
  q             quit (also Ctrl-C)
  ↑ ↓ j k       scroll a line; PgUp PgDn a page; Home End (g G) the top and the end
  /             filter services, pods, nodes and addresses (Enter keeps it, Esc clears it)
  s             sort by requests/s, connections/s, bytes/s, active connections or name
  n             cycle namespaces (all, then each one)

Options:
  --name NAME   cluster name (default: the only running cluster, else the one 'up' started last)
  --once        print one frame (every line) and exit, for scripts
  -h, --help    show this help
`;

/** One frame for `--once` or a pipe: the header and the whole body, no footer. */
export function renderTopFrame(m: ViewerModel, now = new Date(m.at || Date.now()), state: TopState = initialTopState()): string {
  return `${[...topHeader(m, now, state), '', ...topBody(m, state)].join('\n')}\n`;
}

function namespacesOf(m: ViewerModel): string[] {
  return [...new Set([...m.services.values()].map((s) => s.namespace))].sort();
}

export async function top(argv: string[]): Promise<number> {
  const { values } = parseFlags('top', argv, { name: { type: 'string' }, once: { type: 'boolean' } } as const);
  if (values.help) {
    process.stdout.write(TOP_HELP);
    return 0;
  }
  const loc = selectCluster(values.name);
  if (!readExistingCluster(loc) || (await ensureSupervisor(loc)) === null) throw new CliError(notRunningMessage(loc.name));
  const config = readClusterConfig(loc.home);
  if (!config.dashboard?.port) throw new CliError(`cluster "${loc.name}" has no dashboard port in ${loc.paths.config}: start it again with loopkube up`);
  const url = viewerUrl(config.dashboard.port, ensureDashboardToken(loc.home));
  const interactive = process.stdout.isTTY === true && process.stdin.isTTY === true && !values.once;

  let state = initialTopState();
  let latest: ViewerModel | undefined;
  let body: string[] = [];
  let header: string[] = [];
  const draw = (): void => {
    const m = latest;
    if (!m) return;
    if (!interactive) {
      process.stdout.write(values.once ? renderTopFrame(m) : `${renderTopFrame(m)}\n`);
      return;
    }
    const rows = process.stdout.rows || 24;
    const cols = process.stdout.columns || 80;
    header = topWrappedHeader(topHeader(m, new Date(m.at || Date.now()), state), cols);
    body = topBody(m, state);
    // keep the scroll inside the body when it shrank (a filter, fewer services)
    const maxScroll = Math.max(0, body.length - topPage(rows, header.length));
    if (state.scroll > maxScroll) state = { ...state, scroll: maxScroll };
    process.stdout.write(`\x1b[H${topScreen(header, body, state, rows, cols)}`);
  };

  let conn;
  let closedReason: string | undefined;
  let wake: (() => void) | undefined;
  try {
    conn = await connectViewer(
      url,
      (m, msg) => {
        latest = m;
        if (!values.once && msg.kind === 'tick') draw();
      },
      (reason) => {
        closedReason = reason;
        wake?.();
      },
    );
  } catch (err) {
    throw new CliError(`cannot reach the traffic hub of cluster "${loc.name}" at 127.0.0.1:${config.dashboard.port}: ${(err as Error).message}`);
  }
  latest = conn.model;
  if (values.once) {
    draw();
    conn.close();
    return 0;
  }

  const done = new Promise<void>((resolve) => {
    wake = resolve;
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  const stdin = process.stdin;
  const onKeys = (data: Buffer): void => {
    for (const key of parseKeys(data.toString('utf8'))) {
      const rows = process.stdout.rows || 24;
      const next = applyKey(state, key, { namespaces: namespacesOf(latest ?? conn.model), page: topPage(rows, header.length), lines: body.length });
      state = next.state;
      if (next.quit) {
        wake?.();
        return;
      }
    }
    draw();
  };
  const onResize = (): void => draw();
  if (interactive) {
    // the alternate screen, as k9s and less use it: the shell's screen comes back on quit
    process.stdout.write('\x1b[?1049h\x1b[?25l\x1b[2J');
    stdin.setRawMode(true);
    stdin.on('data', onKeys);
    stdin.resume();
    process.stdout.on('resize', onResize);
  }
  draw();
  try {
    await done;
  } finally {
    conn.close();
    if (interactive) {
      stdin.off('data', onKeys);
      stdin.setRawMode(false);
      stdin.pause();
      process.stdout.off('resize', onResize);
      process.stdout.write('\x1b[?25h\x1b[?1049l');
    }
  }
  if (closedReason) throw new CliError(`the traffic hub went away: ${closedReason}`);
  return 0;
}

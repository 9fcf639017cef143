// `loopkube top` in a real pseudo-terminal (tmux), driven by keys as a k9s user would: the
// footer names the keys; under keep-alive load the busy service comes first and its endpoints
// show requests/s while connections/s stay at 0, and requests/s fall to 0 once the load stops;
// `s` changes the sort, `/` filters, `n` cycles namespaces, arrows and PgUp/PgDn scroll, `q`
// quits with status 0; a listener the proxy could not open is named with its reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_MAIN, waitFor } from '../support/cluster.js';
import { startLoad, type Load } from './load.js';
import { startInTmux, type Terminal } from './tmux.js';
import { startViewsCluster, type ViewsCluster } from './views-cluster.js';

let views: ViewsCluster;
let term: Terminal | undefined;
let load: Load | undefined;

beforeAll(async () => {
  views = await startViewsCluster();
  term = await startInTmux([process.execPath, CLI_MAIN, 'top', '--name', views.cluster.name], {
    env: { LOOPKUBE_HOME: views.cluster.loopkubeHome },
    cols: 170,
    rows: 30,
  });
}, 180_000);

afterAll(async () => {
  await load?.stop();
  await term?.close();
  await views?.down();
});

/** Waits until the screen satisfies `check`; says what was on it when it never did. */
async function screenWhere(what: string, check: (screen: string) => boolean, timeoutMs = 30_000): Promise<string> {
  let last = '';
  try {
    return await waitFor(
      what,
      async () => {
        last = await term!.screen();
        return check(last) ? last : undefined;
      },
      timeoutMs,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\nthe screen showed:\n${last}`);
  }
}

/** The SERVICE table's rows, in the order shown: [service, REQ/S]. */
function serviceRows(screen: string): Array<[string, number]> {
  const lines = screen.split('\n');
  const start = lines.findIndex((l) => /^SERVICE\s+TYPE/.test(l));
  if (start < 0) return [];
  const rows: Array<[string, number]> = [];
  for (const l of lines.slice(start + 1)) {
    const m = /^(\S+\/\S+)\s+(ClusterIP|NodePort|LoadBalancer)\s+.*\s(\d+)\s+([\d.]+)\s+([\d.]+)$/.exec(l);
    if (!m) break;
    rows.push([m[1]!, Number(m[4])]);
  }
  return rows;
}

/** REQ/S and CONN/S of each web endpoint row on screen. */
function webEndpointRates(screen: string, podIPs: string[]): Array<{ req: number; conn: number }> {
  const out: Array<{ req: number; conn: number }> = [];
  for (const ip of podIPs) {
    const line = screen.split('\n').find((l) => l.includes(`${ip}:8080 (http)`));
    const m = line && /:8080 \(http\)\s+\S+\s+yes\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+/.exec(line);
    if (m) out.push({ req: Number(m[1]), conn: Number(m[3]) });
  }
  return out;
}

const footer = (screen: string): string => screen.trimEnd().split('\n').at(-1) ?? '';

describe('loopkube top from the keyboard', () => {
  it('says its keys in the footer and names the listener that failed to open, and why', async () => {
    const screen = await screenWhere('top drawn with its footer and the failed listener', (s) => s.includes('q quit') && s.includes(views.blockedAddress));
    expect(footer(screen)).toMatch(/q quit\s+↑↓ PgUp PgDn scroll\s+\/ filter\s+s sort: REQ\/S\s+n namespace: all/);
    const failed = screen.split('\n').find((l) => l.startsWith('! default/blocked:'))!;
    expect(failed).toContain(`can't open nodePort ${views.blockedAddress}/tcp`);
    expect(failed).toMatch(/address already in use/i);
  });

  it('puts the busy service first under keep-alive load, with requests/s per endpoint while connections/s stay 0', async () => {
    const podIPs = views.pods.map((p) => p.status!.podIP!);
    load = startLoad(`http://${views.cluster.config.nodes[0]!.ip}:${views.nodePort}/`, { concurrency: 3, pauseMs: 5, keepAlive: true, maxMs: 120_000 });
    // the connections are opened once; after that only requests move
    await waitFor('the load running', async () => load!.done() > 50, 30_000);
    const screen = await screenWhere('every web endpoint answering requests with no new connections', (s) => {
      const rates = webEndpointRates(s, podIPs);
      return rates.length === 3 && rates.every((r) => r.req > 0 && r.conn === 0) && serviceRows(s)[0]?.[0] === 'default/web';
    });
    expect(serviceRows(screen)[0]![1]).toBeGreaterThan(0);
    await load.stop();
    load = undefined;
    await screenWhere("requests/s falling to 0 once the load stops", (s) => {
      const rates = webEndpointRates(s, podIPs);
      return rates.length === 3 && rates.every((r) => r.req === 0);
    });
  });

  it('changes the sort with s, through connections/s, bytes/s and active to name', async () => {
    await term!.keys('s');
    await screenWhere('sort by CONN/S', (s) => footer(s).includes('s sort: CONN/S'));
    await term!.keys('s', 's', 's');
    const screen = await screenWhere('sort by NAME', (s) => footer(s).includes('s sort: NAME'));
    const names = serviceRows(screen).map(([n]) => n);
    expect(names).toEqual(['default/blocked', 'default/kubernetes', 'default/web', 'kube-system/kube-dns', 'shop/cart']);
    await term!.keys('s');
    await screenWhere('back to REQ/S', (s) => footer(s).includes('s sort: REQ/S'));
  });

  it('filters with / (Enter keeps it, Esc clears it)', async () => {
    await term!.keys('/');
    await term!.type('cart');
    await screenWhere('the filter being typed', (s) => footer(s).startsWith('/cart_'));
    await term!.keys('Enter');
    let screen = await screenWhere('only cart left', (s) => footer(s).includes('filter "cart"') && serviceRows(s).length === 1);
    expect(serviceRows(screen)[0]![0]).toBe('shop/cart');
    await term!.keys('Escape');
    screen = await screenWhere('every service again', (s) => serviceRows(s).length === 5);
    expect(footer(screen)).not.toContain('filter "');
  });

  it('cycles namespaces with n: all, default, kube-system, shop, all', async () => {
    const want: Array<[string, string[]]> = [
      ['default', ['default/blocked', 'default/kubernetes', 'default/web']],
      ['kube-system', ['kube-system/kube-dns']],
      ['shop', ['shop/cart']],
      ['all', ['default/blocked', 'default/kubernetes', 'default/web', 'kube-system/kube-dns', 'shop/cart']],
    ];
    for (const [ns, services] of want) {
      await term!.keys('n');
      const screen = await screenWhere(`namespace ${ns}`, (s) => footer(s).includes(`n namespace: ${ns}`) && serviceRows(s).length === services.length);
      expect(serviceRows(screen).map(([n]) => n).sort()).toEqual(services);
    }
  });

  it('scrolls with the arrows, PgDn / PgUp, End and Home', async () => {
    // the body starts below the position line: "(N more lines: ↓ PgDn)" or "(end)"
    const bodyLines = (s: string): string[] => {
      const lines = s.split('\n');
      const at = lines.findIndex((l) => /^\((\d+ more lines: ↓ PgDn|end)\)$/.test(l));
      return at < 0 ? [] : lines.slice(at + 1, -1);
    };
    const firstBodyLine = (s: string): string => bodyLines(s)[0] ?? '';
    const top = await screenWhere('a screen with more lines below', (s) => /\(\d+ more lines: ↓ PgDn\)/.test(s));
    const start = firstBodyLine(top);
    await term!.keys('Down');
    const down = await screenWhere('one line down', (s) => firstBodyLine(s) !== start);
    expect(bodyLines(top)[1]).toBe(firstBodyLine(down));
    await term!.keys('Up');
    await screenWhere('back up', (s) => firstBodyLine(s) === start);
    await term!.keys('NPage');
    const paged = await screenWhere('a page down', (s) => firstBodyLine(s) !== start);
    // a page (or up to the end, when less is left) is more than a line
    expect(bodyLines(top).indexOf(firstBodyLine(paged))).not.toBe(1);
    expect(bodyLines(top).indexOf(firstBodyLine(paged))).not.toBe(0);
    await term!.keys('End');
    await screenWhere('the end', (s) => s.includes('\n(end)\n'));
    await term!.keys('PPage', 'Home');
    await screenWhere('the top again', (s) => firstBodyLine(s) === start);
  });

  it('quits on q with status 0', async () => {
    await term!.keys('q');
    const exit = await waitFor('top to exit', async () => {
      const e = await term!.exited();
      return e.dead ? e : undefined;
    });
    expect(exit.status).toBe(0);
  });
});

// A whole cluster (`loopkube up`: control plane, 2 node processes, the proxy; see
// views-cluster.ts) under real keep-alive HTTP load through a NodePort, looked at in headless
// Chromium: the dashboard shows nodes, pods and services, its request bars move while
// connections/s stay at 0, it sorts by traffic and filters by namespace, service and node; the
// service map shows clients, frontends, pods and the edges between them, and a click on a
// Service shows its endpoints' shares and states and its rules; both name the listener that
// failed to open. `loopkube top --once` lists the endpoints by node with their rates; every
// component's /metrics is valid Prometheus text with the series it promises.
//
// LOOPKUBE_DASHBOARD_SCREENSHOT=/tmp/dashboard.png and LOOPKUBE_MAP_SCREENSHOT=docs/service-map.png
// save screenshots of the pages under load.
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { clusterPaths } from '../../src/cluster/config.js';
import { NODE_HEALTH_PORT } from '../../src/cluster/processes.js';
import { parseExposition, samplesNamed, type ParsedFamily } from '../../src/observe/exposition.js';
import { waitFor, type TestCluster } from '../support/cluster.js';
import { launchChromium, type Browser } from './browser.js';
import { startLoad, type Load } from './load.js';
import { startViewsCluster, type ViewsCluster } from './views-cluster.js';

let views: ViewsCluster;
let cluster: TestCluster;
let browser: Browser | undefined;
let page: Page;
let load: Load | undefined;
let dashboardUrl = '';

function get(url: string, opts: https.RequestOptions = {}): Promise<{ status: number; body: string }> {
  const mod = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    mod
      .get(url, opts, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** GET url with the cluster's bearer token (every component's /metrics needs it). */
async function metricsOf(url: string, opts: https.RequestOptions = {}): Promise<ParsedFamily[]> {
  const r = await get(url, { ...opts, headers: { Authorization: `Bearer ${cluster.client.config.token}`, ...opts.headers } });
  expect(r.status, `GET ${url}`).toBe(200);
  return parseExposition(r.body);
}

/** Waits for `fn` in the page; on a timeout says what the page showed. */
async function waitInPage(what: string, fn: () => boolean, show: () => unknown, timeout = 45_000): Promise<void> {
  await page.waitForFunction(fn, undefined, { timeout }).catch(async (err: Error) => {
    const seen = await page.evaluate(show).catch(() => 'the page could not be read');
    throw new Error(`${what}: ${err.message}\nthe page showed: ${JSON.stringify(seen)}; load: ${load?.done()} answered, ${load?.errors()} failed`);
  });
}

beforeAll(async () => {
  views = await startViewsCluster();
  cluster = views.cluster;
  const r = await cluster.loopkube(['dashboard', '--name', cluster.name]);
  expect(r.code, r.stderr).toBe(0);
  dashboardUrl = r.stdout.trim();
  await waitFor(
    'the proxy pushing its stats to the hub',
    async () => samplesNamed(await metricsOf(`http://127.0.0.1:${cluster.config.dashboard.port}/metrics`), 'loopkube_traffic_hub_proxies')[0]?.value === 1,
    20_000,
  );
  // keep-alive, as most clients: after the first moments no new connection is opened
  load = startLoad(`http://${cluster.config.nodes[0]!.ip}:${views.nodePort}/`, { concurrency: 3, pauseMs: 5, keepAlive: true, maxMs: 240_000 });
  browser = await launchChromium();
  page = await browser.context.newPage();
});

afterAll(async () => {
  await load?.stop();
  await browser?.close();
  await views?.down();
});

describe('the dashboard', () => {
  it('`loopkube dashboard` prints the address with the token; without it the pages and libraries are refused', async () => {
    const token = readFileSync(`${clusterPaths(cluster.home).home}/pki/dashboard-token`, 'utf8').trim();
    expect(dashboardUrl).toBe(`http://127.0.0.1:${cluster.config.dashboard.port}/?token=${encodeURIComponent(token)}`);
    const base = `http://127.0.0.1:${cluster.config.dashboard.port}`;
    for (const path of ['/', '/map', '/vendor/cytoscape.min.js', '/api/state']) expect((await get(`${base}${path}`)).status, path).toBe(401);
    expect((await get(`${base}/vendor/cytoscape.min.js?token=${encodeURIComponent(token)}`)).status).toBe(200);
    expect((await get(`${base}/vendor/..%2Fpackage.json?token=${encodeURIComponent(token)}`)).status).toBe(404);
  });

  it("shows the cluster's nodes, its pods with IP under their node, and its services", async () => {
    await page.goto(dashboardUrl);
    await page.waitForSelector('body[data-connected="true"]');
    for (const n of cluster.config.nodes) {
      const card = page.locator(`[data-node="${n.name}"]`);
      await expect.poll(() => card.locator('.status').textContent()).toBe('Ready');
      expect(await card.locator('.ip').textContent()).toBe(n.ip);
    }
    for (const p of views.pods) {
      const row = page.locator(`[data-node="${p.spec.nodeName}"] [data-pod="default/${p.metadata.name}"]`);
      await expect.poll(() => row.locator('.mono').textContent()).toBe(p.status?.podIP);
    }
    const svc = page.locator('[data-service="default/web"]');
    await expect.poll(() => svc.locator('td').nth(1).textContent()).toBe('NodePort');
    expect(await svc.locator('td').nth(4).textContent()).toBe(`80:${views.nodePort}/TCP`);
    expect(await svc.locator('td').nth(5).textContent()).toBe('3');
    expect(await page.locator('[data-service="default/kubernetes"]').count()).toBe(1);
  });

  it('moves its request bars under keep-alive load, while connections/s stay 0, with bytes/s beside them', async () => {
    await waitInPage(
      "every web endpoint's request bar grows",
      () => {
        const rows = Array.from(document.querySelectorAll('[data-traffic-service="default/web"] [data-endpoint]'));
        return rows.length === 3 && rows.every((r) => Number(r.getAttribute('data-rps')) > 0 && Number(r.getAttribute('data-cps')) === 0 && /scaleX\(0\.[0-9]*[1-9]|scaleX\(1/.test((r.querySelector('.bar i') as HTMLElement).style.transform));
      },
      () => Array.from(document.querySelectorAll('[data-endpoint]')).map((r) => `${r.getAttribute('data-endpoint')} rps=${r.getAttribute('data-rps')} cps=${r.getAttribute('data-cps')}`),
    );
    const row = page.locator('[data-traffic-service="default/web"] [data-endpoint]').first();
    // requests/s, 5xx/s, conn/s, active, bytes/s: labelled columns, bytes/s in bytes
    expect(await page.locator('#traffic-panel .ep.hdr').textContent()).toMatch(/requests\/s.*req\/s.*5xx\/s.*conn\/s.*active.*bytes\/s/);
    expect(await row.locator('.num').nth(4).textContent()).toMatch(/\d(\.\d)? (B|KiB|MiB)\/s/);
    expect(Number(await page.locator('[data-total="requestsPerSec"]').textContent())).toBeGreaterThan(0);
    const shot = process.env.LOOPKUBE_DASHBOARD_SCREENSHOT;
    if (shot) await page.screenshot({ path: shot, fullPage: true });
  });

  it('sorts services by traffic: the busy one first, in the traffic panel and the services table', async () => {
    await waitInPage(
      'web first',
      () => document.querySelector('[data-traffic-service]')?.getAttribute('data-traffic-service') === 'default/web' && document.querySelector('#services [data-service]')?.getAttribute('data-service') === 'default/web',
      () => Array.from(document.querySelectorAll('[data-traffic-service]')).map((e) => `${e.getAttribute('data-traffic-service')}=${e.getAttribute('data-rps')}`),
    );
    await page.selectOption('#f-sort', 'name');
    await waitInPage(
      'alphabetical by name',
      () => {
        const keys = Array.from(document.querySelectorAll('#services [data-service]')).map((e) => e.getAttribute('data-service'));
        return keys.join(',') === 'default/blocked,default/kubernetes,default/web,kube-system/kube-dns,shop/cart';
      },
      () => Array.from(document.querySelectorAll('#services [data-service]')).map((e) => e.getAttribute('data-service')),
    );
    await page.selectOption('#f-sort', 'requests');
  });

  it('filters by namespace, by service and by node', async () => {
    const services = (): Promise<string[]> => page.evaluate(() => Array.from(document.querySelectorAll('#services [data-service]')).map((e) => e.getAttribute('data-service')!).sort());
    await page.selectOption('#f-namespace', 'shop');
    await expect.poll(services).toEqual(['shop/cart']);
    expect(await page.locator('[data-pod^="default/"]').count()).toBe(0);
    await page.selectOption('#f-namespace', '');
    await page.fill('#f-service', 'web');
    await expect.poll(services).toEqual(['default/web']);
    await page.fill('#f-service', '');
    const node2 = cluster.config.nodes[1]!.name;
    await page.selectOption('#f-node', node2);
    await expect.poll(() => page.locator('[data-node]').evaluateAll((els) => els.map((e) => e.getAttribute('data-node')))).toEqual([node2]);
    const onNode2 = views.pods.filter((p) => p.spec.nodeName === node2).map((p) => `${p.status!.podIP}:8080`).sort();
    const shown = await page.locator('[data-traffic-service="default/web"] [data-endpoint]').evaluateAll((els) => els.map((e) => e.getAttribute('data-endpoint')!.split('|')[2]!).sort());
    expect(shown).toEqual(onNode2);
    await page.selectOption('#f-node', '');
    await expect.poll(services).toHaveLength(5);
  });

  it('names the listener that failed to open, and why', async () => {
    const row = page.locator(`[data-failed-listener="${views.blockedAddress}"]`);
    await expect.poll(() => row.textContent()).toMatch(/default\/blocked nodePort .* \(EADDRINUSE\)/);
    expect(await row.textContent()).toMatch(/address already in use; another process listens on/);
  });
});

describe('the service map', () => {
  const mapState = (): Promise<{ nodes: Array<{ id: string; kind: string; label: string; parent?: string }>; edges: Array<{ id: string; kind: string; source: string; target: string; req: number; width: number }> }> =>
    page.evaluate(() => {
      const cy = (window as unknown as { loopkubeMap: { cy: { nodes(): { map<T>(f: (n: { data(): Record<string, unknown> }) => T): T[] }; edges(): { map<T>(f: (n: { data(): Record<string, unknown> }) => T): T[] } } } }).loopkubeMap.cy;
      return {
        nodes: cy.nodes().map((n) => n.data() as { id: string; kind: string; label: string; parent?: string }),
        edges: cy.edges().map((e) => e.data() as { id: string; kind: string; source: string; target: string; req: number; width: number }),
      };
    });

  it('draws clients, frontends and pods by node, with edges carrying requests/s', async () => {
    await page.goto(dashboardUrl.replace('/?token=', '/map?token='));
    await page.waitForSelector('body[data-connected="true"]');
    const node1 = cluster.config.nodes[0]!;
    const nodePortFrontend = `fe:default/web|http|nodePort|${node1.ip}:${views.nodePort}`;
    let state = await waitFor(
      'the map to show web under load',
      async () => {
        const s = await mapState();
        const flows = s.edges.filter((e) => e.kind === 'flow' && e.req > 0);
        return flows.some((e) => e.source === 'client:127.0.0.1' && e.target === nodePortFrontend) && views.pods.every((p) => flows.some((e) => e.target === `pod:default/${p.metadata.name}`)) ? s : undefined;
      },
      45_000,
    );
    // the client: the load comes from 127.0.0.1, outside the cluster
    expect(state.nodes.find((n) => n.id === 'client:127.0.0.1')).toMatchObject({ kind: 'client' });
    // the Service with every frontend: its ClusterIP and the NodePort on each node
    const svc = state.nodes.filter((n) => n.parent === 'svc:default/web').map((n) => n.label);
    expect(svc.some((l) => l.startsWith('ClusterIP '))).toBe(true);
    for (const n of cluster.config.nodes) expect(svc).toContain(`NodePort ${n.name} ${n.ip}:${views.nodePort}`);
    // pods inside their node
    for (const p of views.pods) expect(state.nodes.find((n) => n.id === `pod:default/${p.metadata.name}`)?.parent).toBe(`node:${p.spec.nodeName}`);
    // edges are sized by requests/s
    const flows = state.edges.filter((e) => e.kind === 'flow');
    expect(Math.max(...flows.map((e) => e.width))).toBeGreaterThan(Math.min(...state.edges.map((e) => e.width)));
    // laid out: every node has a place of its own
    await page.waitForSelector('body[data-layouts]');
    state = await mapState();
    const positions = await page.evaluate(() => {
      const cy = (window as unknown as { loopkubeMap: { cy: { nodes(sel: string): { map<T>(f: (n: { position(): { x: number; y: number } }) => T): T[] } } } }).loopkubeMap.cy;
      return cy.nodes('[kind = "client"], [kind = "frontend"], [kind = "pod"]').map((n) => `${Math.round(n.position().x)},${Math.round(n.position().y)}`);
    });
    expect(new Set(positions).size).toBe(positions.length);
  });

  it('shows, on a click on a Service, its endpoints with their shares and states, and its rules', async () => {
    await page.evaluate(() => {
      const cy = (window as unknown as { loopkubeMap: { cy: { getElementById(id: string): { emit(e: string): void } } } }).loopkubeMap.cy;
      cy.getElementById('svc:default/web').emit('tap');
    });
    await page.waitForSelector('[data-panel-service="default/web"]');
    await expect.poll(() => page.locator('[data-panel="endpoints"] [data-endpoint]').count()).toBe(3);
    await expect
      .poll(async () => (await page.locator('[data-panel="endpoints"] [data-endpoint]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-share'))))).reduce((a, b) => a + b, 0), { timeout: 20_000 })
      .toBeCloseTo(1, 1);
    expect(await page.locator('[data-panel="endpoints"] [data-endpoint]').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))).toEqual(['ready', 'ready', 'ready']);
    expect(await page.locator('[data-rule="externalTrafficPolicy"]').textContent()).toBe('Cluster');
    expect(await page.locator('[data-rule="sessionAffinity"]').textContent()).toBe('None');
  });

  it('names the listener that failed to open, and marks its frontend', async () => {
    await page.check('#f-idle');
    const row = page.locator(`[data-failed-listener="${views.blockedAddress}"]`);
    await expect.poll(() => row.textContent()).toMatch(/address already in use/);
    const failed = await waitFor('the blocked frontend on the map', async () => (await mapState()).nodes.find((n) => n.id === `fe:default/blocked||nodePort|${views.blockedAddress}`));
    expect(failed.label).toMatch(/failed to open/);
    await page.uncheck('#f-idle');
    const shot = process.env.LOOPKUBE_MAP_SCREENSHOT;
    if (shot) {
      await page.locator('#panel-close').click();
      await page.waitForTimeout(2500); // the layout without the idle services, and a few ticks of rates
      await page.evaluate(() => {
        (window as unknown as { loopkubeMap: { cy: { fit(e?: unknown, p?: number): void } } }).loopkubeMap.cy.fit(undefined, 30);
      });
      await page.screenshot({ path: shot });
    }
  });
});

describe('top and metrics', () => {
  it('`loopkube top --once` lists the services by traffic and each endpoint by node, with requests/s', async () => {
    const out = await waitFor(
      'top showing requests on every web endpoint',
      async () => {
        const r = await cluster.loopkube(['top', '--name', cluster.name, '--once']);
        if (r.code !== 0) throw new Error(r.stderr);
        const rows = views.pods.map((p) => r.stdout.split('\n').find((l) => l.includes(`${p.status!.podIP}:8080 (http)`)) ?? '');
        return rows.every((l) => Number(/:8080 \(http\)\s+\S+\s+yes\s+([\d.]+)/.exec(l)?.[1] ?? 0) > 0) ? r.stdout : undefined;
      },
      45_000,
    );
    expect(out).toMatch(/^SERVICE\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+ENDPOINTS\s+REQ\/S\s+CONN\/S$/m);
    const services = out.split('\n').filter((l) => /^\S+\/\S+\s+(ClusterIP|NodePort)\s/.test(l));
    expect(services[0]).toMatch(new RegExp(`^default/web\\s+NodePort\\s+\\S+\\s+<none>\\s+80:${views.nodePort}/TCP\\s+3\\s+[1-9]`));
    expect(out).toMatch(/NODE\s+ENDPOINT\s+POD\s+READY\s+REQ\/S\s+5XX\/S\s+CONN\/S\s+ACTIVE\s+BYTES\/S/);
    expect(out).toContain(`! default/blocked: can't open nodePort ${views.blockedAddress}/tcp`);
    const webTable = out.slice(out.indexOf('default/web   NodePort'));
    for (const nodeName of new Set(views.pods.map((p) => p.spec.nodeName!))) {
      const ip = cluster.config.nodes.find((n) => n.name === nodeName)!.ip;
      expect(webTable.split('\n\n')[0]!.split(`${nodeName} (${ip})`).length - 1).toBe(1);
    }
  });

  it("answers every component's metrics only with the cluster's token (401 without), and its health to anyone", async () => {
    const n = cluster.config.nodes[0]!;
    const rows: Array<[what: string, url: string, status: number]> = [
      ["the dashboard port's /metrics", `http://127.0.0.1:${cluster.config.dashboard.port}/metrics`, 401],
      ["the proxy's /metrics", `http://127.0.0.1:${cluster.config.proxy.metricsPort}/metrics`, 401],
      ["the proxy's /stats", `http://127.0.0.1:${cluster.config.proxy.metricsPort}/stats`, 401],
      [`${n.name}'s /metrics`, `http://${n.ip}:${NODE_HEALTH_PORT}/metrics`, 401],
      ["the dashboard port's /healthz", `http://127.0.0.1:${cluster.config.dashboard.port}/healthz`, 200],
      ["the proxy's /healthz", `http://127.0.0.1:${cluster.config.proxy.metricsPort}/healthz`, 200],
      [`${n.name}'s /healthz`, `http://${n.ip}:${NODE_HEALTH_PORT}/healthz`, 200],
    ];
    for (const [what, url, status] of rows) expect((await get(url)).status, what).toBe(status);
    expect((await get(`${cluster.client.config.server}/metrics`, { ca: cluster.client.config.ca })).status).toBe(401);
  });

  it("serves valid Prometheus text with each component's series: API server, hub, nodes, proxy", async () => {
    const api = await metricsOf(`${cluster.client.config.server}/metrics`, { ca: cluster.client.config.ca });
    expect(samplesNamed(api, 'apiserver_request_total').length).toBeGreaterThan(0);
    expect(samplesNamed(api, 'apiserver_longrunning_requests').some((s) => s.labels.verb === 'WATCH' && s.value > 0)).toBe(true);
    expect(samplesNamed(api, 'loopkube_controller_reconcile_duration_seconds_count').some((s) => s.labels.controller === 'replication')).toBe(true);

    const hub = await metricsOf(`http://127.0.0.1:${cluster.config.dashboard.port}/metrics`);
    expect(samplesNamed(hub, 'loopkube_traffic_hub_proxies')[0]?.value).toBe(1);
    expect(samplesNamed(hub, 'loopkube_dashboard_viewers')[0]?.value).toBeGreaterThanOrEqual(1);

    let answered = 0;
    for (const n of cluster.config.nodes) {
      const counts = samplesNamed(await metricsOf(`http://${n.ip}:${NODE_HEALTH_PORT}/metrics`), 'loopkube_pod_requests_total');
      for (const p of views.pods.filter((x) => x.spec.nodeName === n.name)) {
        const s = counts.find((c) => c.labels.pod === p.metadata.name && c.labels.code === '200');
        expect(s?.labels).toMatchObject({ namespace: 'default', pod_ip: p.status!.podIP, node: n.name, port: '8080' });
        answered += s!.value;
      }
    }
    expect(answered).toBeGreaterThan(0);

    const proxy = await metricsOf(`http://127.0.0.1:${cluster.config.proxy.metricsPort}/metrics`);
    const perEndpoint = samplesNamed(proxy, 'loopkube_proxy_endpoint_connections_total').filter((s) => s.labels.service === 'web');
    expect(perEndpoint.map((s) => s.labels.endpoint).sort()).toEqual(views.pods.map((p) => `${p.status!.podIP}:8080`).sort());
  });
});

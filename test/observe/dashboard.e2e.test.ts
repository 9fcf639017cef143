// A whole cluster (`loopkube up`: control plane, 2 node processes, the proxy), a 3-replica RC
// behind a NodePort service, and real HTTP load through the NodePort: the dashboard in headless
// Chromium shows the nodes, pods and services and its traffic bars move; `loopkube top --once`
// lists the service's endpoints by node with their rates; every component's /metrics is valid
// Prometheus text with the series it promises.
//
// LOOPKUBE_DASHBOARD_SCREENSHOT=/tmp/dashboard.png saves a screenshot of the page under load.
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoints, Pod, Service } from '../../src/api/types.js';
import { clusterPaths } from '../../src/cluster/config.js';
import { NODE_HEALTH_PORT } from '../../src/cluster/processes.js';
import { parseExposition, samplesNamed, type ParsedFamily } from '../../src/observe/exposition.js';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';
import type { Page } from 'playwright-core';
import { launchChromium, type Browser } from './browser.js';
import { startLoad, type Load } from './load.js';

let cluster: TestCluster;
let browser: Browser | undefined;
let page: Page;
let load: Load | undefined;
let nodePort = 0;
let pods: Pod[] = [];
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

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 2 });
  const { client } = cluster;
  await client.create('/api/v1/namespaces/default/replicationcontrollers', {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name: 'web' },
    spec: {
      replicas: 3,
      selector: { app: 'web' },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'app', image: 'loopkube/app', ports: [{ containerPort: 8080 }], env: [{ name: 'RESPONSE_BYTES', value: '2048' }] }] },
      },
    },
  });
  const svc = await client.create<Service>('/api/v1/namespaces/default/services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
  });
  nodePort = svc.spec.ports![0]!.nodePort!;
  await waitFor(
    'three ready endpoints for web',
    async () => {
      const e = await client.get<Endpoints>('/api/v1/namespaces/default/endpoints/web');
      return (e.subsets ?? []).reduce((n, s) => n + (s.addresses?.length ?? 0), 0) === 3;
    },
    60_000,
  );
  pods = (await client.list<Pod>('/api/v1/namespaces/default/pods', { labelSelector: 'app=web' })).items;
  const r = await cluster.loopkube(['dashboard', '--name', cluster.name]);
  expect(r.code, r.stderr).toBe(0);
  dashboardUrl = r.stdout.trim();
}, 120_000);

afterAll(async () => {
  await load?.stop();
  await browser?.close();
  await cluster?.down();
});

describe('dashboard and top on a running cluster', () => {
  it('`loopkube dashboard` prints the address with the token, and the address without it is refused', async () => {
    const token = readFileSync(`${clusterPaths(cluster.home).home}/pki/dashboard-token`, 'utf8').trim();
    expect(dashboardUrl).toBe(`http://127.0.0.1:${cluster.config.dashboard.port}/?token=${encodeURIComponent(token)}`);
    expect((await get(dashboardUrl.replace(/\?token=.*/, ''))).status).toBe(401);
  });

  it("shows the cluster's nodes, its pods with IP under their node, and its services", async () => {
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.goto(dashboardUrl);
    await page.waitForSelector('body[data-connected="true"]');
    for (const n of cluster.config.nodes) {
      const card = page.locator(`[data-node="${n.name}"]`);
      await expect.poll(() => card.locator('.status').textContent()).toBe('Ready');
      expect(await card.locator('.ip').textContent()).toBe(n.ip);
    }
    for (const p of pods) {
      const row = page.locator(`[data-node="${p.spec.nodeName}"] [data-pod="default/${p.metadata.name}"]`);
      await expect.poll(() => row.locator('.mono').textContent()).toBe(p.status?.podIP);
    }
    const svc = page.locator('[data-service="default/web"]');
    await expect.poll(() => svc.locator('td').nth(1).textContent()).toBe('NodePort');
    const clusterIP = (await cluster.client.get<Service>('/api/v1/namespaces/default/services/web')).spec.clusterIP;
    expect(await svc.locator('td').nth(2).textContent()).toBe(clusterIP);
    expect(await svc.locator('td').nth(4).textContent()).toBe(`80:${nodePort}/TCP`);
    expect(await svc.locator('td').nth(5).textContent()).toBe('3');
    expect(await page.locator('[data-service="default/kubernetes"]').count()).toBe(1);
  });

  it('moves its traffic bars while load runs through the NodePort', async () => {
    await waitFor(
      'the proxy pushing its stats to the hub (proxy/main.ts must call startTrafficPush from proxy/traffic-push.ts)',
      async () => samplesNamed(await metricsOf(`http://127.0.0.1:${cluster.config.dashboard.port}/metrics`), 'loopkube_traffic_hub_proxies')[0]?.value === 1,
      20_000,
    );
    load = startLoad(`http://${cluster.config.nodes[0]!.ip}:${nodePort}/`, { concurrency: 2, pauseMs: 10, maxMs: 180_000 });
    // every endpoint of web gets connections (round-robin), and its bar grows
    await page
      .waitForFunction(
        () => {
          const rows = Array.from(document.querySelectorAll('[data-traffic-service="default/web"] [data-endpoint]'));
          return rows.length === 3 && rows.every((r) => Number(r.getAttribute('data-cps')) > 0 && parseFloat((r.querySelector('.bar i') as HTMLElement).style.width) > 0);
        },
        undefined,
        { timeout: 45_000 },
      )
      .catch(async (err: Error) => {
        const seen = await page.evaluate(() => ({
          summary: document.getElementById('traffic-summary')?.textContent,
          rows: Array.from(document.querySelectorAll('[data-endpoint]')).map((r) => `${r.getAttribute('data-endpoint')} cps=${r.getAttribute('data-cps')}`),
        }));
        throw new Error(`${err.message}\nthe page showed: ${JSON.stringify(seen)}; load: ${load!.done()} answered, ${load!.errors()} failed`);
      });
    const totals = await page.locator('[data-total="connPerSec"]').textContent();
    expect(Number(totals)).toBeGreaterThan(0);
    // the rate chart has points, and pods show their requests/s
    await expect.poll(() => page.locator('[data-pod] .rps').filter({ hasText: 'req/s' }).count(), { timeout: 20_000 }).toBeGreaterThan(0);
    const shot = process.env.LOOPKUBE_DASHBOARD_SCREENSHOT;
    if (shot) {
      await page.waitForTimeout(4000); // a few seconds of chart
      await page.screenshot({ path: shot, fullPage: true });
    }
    expect(load.done()).toBeGreaterThan(0);
  });

  it('`loopkube top --once` lists the services and each endpoint by node, with its rates', async () => {
    const lines = await waitFor(
      'top showing connections on every web endpoint',
      async () => {
        const r = await cluster.loopkube(['top', '--name', cluster.name, '--once']);
        if (r.code !== 0) throw new Error(r.stderr);
        const out = r.stdout;
        const rows = pods.map((p) => out.split('\n').find((l) => l.includes(`${p.status!.podIP}:8080`)) ?? '');
        const busy = rows.every((l) => {
          const m = /:8080 \(http\)\s+\S+\s+yes\s+([\d.]+)/.exec(l);
          return m && Number(m[1]) > 0;
        });
        return busy ? out : undefined;
      },
      45_000,
    );
    expect(lines).toMatch(/^SERVICE\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+ENDPOINTS$/m);
    expect(lines).toMatch(new RegExp(`^default/web\\s+NodePort\\s+\\S+\\s+<none>\\s+80:${nodePort}/TCP\\s+3$`, 'm'));
    expect(lines).toMatch(/^default\/kubernetes\s+ClusterIP/m);
    expect(lines).toMatch(/NODE\s+ENDPOINT\s+POD\s+READY\s+CONN\/S\s+ACTIVE\s+BYTES\/S\s+REQ\/S/);
    for (const p of pods) {
      const line = lines.split('\n').find((l) => l.includes(`${p.status!.podIP}:8080`))!;
      expect(line).toContain(p.metadata.name!);
    }
    // grouped by node: each node that runs a web pod is named once in web's table
    const webTable = lines.slice(lines.indexOf('default/web   NodePort'));
    for (const nodeName of new Set(pods.map((p) => p.spec.nodeName!))) {
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
      const fams = await metricsOf(`http://${n.ip}:${NODE_HEALTH_PORT}/metrics`);
      const counts = samplesNamed(fams, 'loopkube_pod_requests_total');
      for (const p of pods.filter((x) => x.spec.nodeName === n.name)) {
        const s = counts.find((c) => c.labels.pod === p.metadata.name);
        expect(s?.labels).toMatchObject({ namespace: 'default', pod_ip: p.status!.podIP, node: n.name });
        answered += s!.value;
      }
    }
    expect(answered).toBeGreaterThan(0);

    const proxy = await metricsOf(`http://127.0.0.1:${cluster.config.proxy.metricsPort}/metrics`);
    const perEndpoint = samplesNamed(proxy, 'loopkube_proxy_endpoint_connections_total').filter((s) => s.labels.service === 'web');
    expect(perEndpoint.map((s) => s.labels.endpoint).sort()).toEqual(pods.map((p) => `${p.status!.podIP}:8080`).sort());
  });
});

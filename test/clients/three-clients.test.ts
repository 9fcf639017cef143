// One round of API calls through three official clients no one here wrote: kubectl 1.32,
// @kubernetes/client-node and Debian's python3-kubernetes (22.6.0). Each client works in its own
// namespace of one real cluster (one node), and every assertion is on what the client returned.
// The round: create, get, list with a label selector, a typed watch from no resourceVersion
// (synthetic ADDED first) and from one (only what follows), patch, paging with limit and
// continue, Table output, delete, list_node and read_node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { clientNodeDriver, kubectlDriver, pythonDriver, type ClientDriver } from './drivers.js';

let c: TestCluster;
const drivers: ClientDriver[] = [];

beforeAll(async () => {
  c = await startTestCluster({ nodes: 1 });
  drivers.push(kubectlDriver(c), clientNodeDriver(c), pythonDriver(c));
}, 120_000);

afterAll(async () => {
  for (const d of drivers) await d.close().catch(() => undefined);
  await c?.down();
});

const nsOf = (d: ClientDriver): string => `round-${d.name.replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
const kindOf = (returned: string): string => returned.replace(/^V1/, '').toLowerCase();

interface Case {
  name: string;
  run: (d: ClientDriver, ns: string) => Promise<void>;
}

const CASES: Case[] = [
  {
    name: 'create returns the service with the defaults the server filled in',
    run: async (d, ns) => {
      await d.createNamespace(ns);
      const s = await d.createService(ns, 'web', { app: 'web' });
      expect(s.name).toBe('web');
      expect(s.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(s.clusterIP).toMatch(/^127\./);
      expect(s.ports).toEqual([{ port: 80, protocol: 'TCP', targetPort: 8080 }]);
    },
  },
  {
    name: 'get returns the same object',
    run: async (d, ns) => {
      const listed = await d.listServices(ns);
      const s = await d.getService(ns, 'web');
      expect(s.name).toBe('web');
      expect(listed.names).toEqual(['web']);
    },
  },
  {
    name: 'list with a label selector',
    run: async (d, ns) => {
      await d.createService(ns, 'db', { app: 'db' });
      expect((await d.listServices(ns, 'app=web')).names).toEqual(['web']);
      expect((await d.listServices(ns, 'app in (web,db)')).names.sort()).toEqual(['db', 'web']);
    },
  },
  {
    name: 'a watch from no resourceVersion starts with synthetic ADDED events for what exists',
    run: async (d, ns) => {
      const events = await d.watchServices(ns, { count: 3, then: 'cache' });
      expect(events.slice(0, 2).map((e) => `${e.type} ${e.name}`).sort()).toEqual(['ADDED db', 'ADDED web']);
      expect(events[2]).toEqual({ type: 'ADDED', name: 'cache' });
    },
  },
  {
    name: 'a watch from a resourceVersion sends only what follows it',
    run: async (d, ns) => {
      const { resourceVersion } = await d.listServices(ns);
      expect(Number(resourceVersion)).toBeGreaterThan(0);
      const events = await d.watchServices(ns, { resourceVersion, count: 1, then: 'queue' });
      expect(events).toEqual([{ type: 'ADDED', name: 'queue' }]);
    },
  },
  {
    name: 'a strategic merge patch of labels keeps the others',
    run: async (d, ns) => {
      const s = await d.patchServiceLabels(ns, 'web', { tier: 'front' });
      expect(s.labels).toEqual({ app: 'web', tier: 'front' });
    },
  },
  {
    name: 'paging with limit and continue returns every service once, two at a time',
    run: async (d, ns) => {
      const all = (await d.listServices(ns)).names.sort();
      expect(all).toEqual(['cache', 'db', 'queue', 'web']);
      const pages = await d.listServicePages(ns, 2);
      expect(pages.map((p) => p.length)).toEqual([2, 2]);
      expect(pages.flat().sort()).toEqual(all);
    },
  },
  {
    name: 'Table output: the columns kubectl prints, a row per service',
    run: async (d, ns) => {
      const t = await d.serviceTable(ns);
      expect(t.columns.map((x) => x.toUpperCase())).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
      expect(t.rows.sort()).toEqual(['cache', 'db', 'queue', 'web']);
    },
  },
  {
    name: 'delete of a service returns the deleted service',
    run: async (d, ns) => {
      const r = await d.deleteService(ns, 'db');
      expect(kindOf(r.returned)).toBe('service');
      if (r.name !== undefined) expect(r.name).toBe('db');
      expect((await d.listServices(ns)).names.sort()).toEqual(['cache', 'queue', 'web']);
    },
  },
  {
    name: 'list_node and read_node',
    run: async (d) => {
      const names = await d.listNodes();
      expect(names).toContain('node-1');
      const n = await d.readNode('node-1');
      expect(n.name).toBe('node-1');
      expect(n.kubeletVersion).toMatch(/^v1\.32\./);
      // a field Go always writes (no omitempty); the Python client refuses a Node without it
      expect(n.kubeProxyVersion).toBe('');
    },
  },
];

for (const client of ['kubectl', '@kubernetes/client-node', 'python3-kubernetes']) {
  describe(client, () => {
    for (const k of CASES) {
      it(k.name, async () => {
        const d = drivers.find((x) => x.name === client);
        if (!d) throw new Error(`no driver for ${client}`);
        await k.run(d, nsOf(d));
      }, 90_000);
    }
  });
}

// A whole cluster on the nftables data plane, as a user runs it (`loopkube up` with
// proxy.dataPlane nftables; CI runs as root): its Services are served by the kernel from the
// cluster's own table; `down` removes every rule; a crashed run's leftovers are removed by the
// next `up`; and where nft cannot run, `up` says so before starting anything. No rule outlives
// the file, whatever happens in it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EndpointSlice, ReplicationController, Service } from '../../src/api/types.js';
import { deleteNftablesTable, nftSync, nftablesTableExists, nftablesTableName } from '../../src/cluster/nftables.js';
import { pidAlive } from '../../src/supervisor/pid-files.js';
import { CLI_MAIN, run, startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';
import { outcome, request } from './support.js';

const NS = 'default';
let c: TestCluster;
let table = '';
let svc: Service;

async function readyPods(): Promise<number> {
  const list = await c.client.list<EndpointSlice>(`/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`, { labelSelector: 'kubernetes.io/service-name=web' });
  return list.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready).length;
}

async function nodePortServes(): Promise<boolean> {
  return (await outcome(c.config.nodes[0]!.ip, svc.spec.ports![0]!.nodePort!)) === 'OK';
}

beforeAll(async () => {
  c = await startTestCluster({ nodes: 2, clusterFile: { proxy: { dataPlane: 'nftables' } } });
  table = nftablesTableName(c.config);
  await c.client.create<ReplicationController>(`/api/v1/namespaces/${NS}/replicationcontrollers`, {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name: 'web' },
    spec: {
      replicas: 2,
      selector: { app: 'web' },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'loopkube/app', ports: [{ containerPort: 8080 }] }] } },
    },
  });
  svc = await c.client.create<Service>(`/api/v1/namespaces/${NS}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
  });
  await waitFor('2 ready pods', async () => (await readyPods()) === 2, 60_000);
  await waitFor('the NodePort to serve', nodePortServes);
}, 120_000);

afterAll(async () => {
  await c?.down();
  if (table) deleteNftablesTable(table);
});

describe('a cluster on the nftables data plane', () => {
  it('serves its Services from a table of its own, the pods seeing the node that took the connection', async () => {
    expect(nftablesTableExists(table)).toBe(true);
    const listed = nftSync(['list', 'table', 'ip', table]).stdout;
    expect(listed).toContain(`loopkube cluster ${c.name}`);
    expect(listed).toContain('dnat to');
    for (const n of c.config.nodes) {
      const answer = (await request(n.ip, svc.spec.ports![0]!.nodePort!)) as unknown as { clientIP: string };
      expect(answer.clientIP).toBe(n.ip);
    }
  });

  it('removes the leftovers of a crashed run on the next up, and every rule on down', async () => {
    // A crash: the supervisor and every process die at once; the kernel keeps the rules.
    const status = await c.status();
    // one may have ended between the status and the kill (ESRCH): it is gone either way
    const killNow = (pid: number): void => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
    };
    for (const p of status.processes) if (p.pid) killNow(p.pid);
    killNow(status.supervisorPid);
    // the supervisor too: `up` would find it still running (a SIGKILLed process lingers until reaped)
    await waitFor('the cluster processes and the supervisor to be gone', () => !pidAlive(status.supervisorPid) && status.processes.every((p) => !p.pid || !pidAlive(p.pid)));
    expect(nftablesTableExists(table)).toBe(true);
    // Something only a stale run would have.
    expect(nftSync(['add', 'chain', 'ip', table, 'leftover-of-a-crash']).ok).toBe(true);

    const up = await c.loopkube(['up', '--name', c.name], { timeoutMs: 90_000 });
    expect(up.code, up.stderr).toBe(0);
    await waitFor('the NodePort to serve again', nodePortServes);
    expect(nftSync(['list', 'table', 'ip', table]).stdout).not.toContain('leftover-of-a-crash');

    const down = await c.loopkube(['down', '--name', c.name]);
    expect(down.code, down.stderr).toBe(0);
    expect(nftablesTableExists(table)).toBe(false);
  });

  it('says at up, before starting anything, when nft cannot program the kernel', async () => {
    const emptyPath = mkdtempSync(path.join(os.tmpdir(), 'loopkube-no-nft-'));
    try {
      const r = await run(process.execPath, [CLI_MAIN, 'up', '--name', 'no-nft', '--nodes', '0', '--data-plane', 'nftables'], {
        ...process.env,
        LOOPKUBE_HOME: c.loopkubeHome,
        PATH: emptyPath,
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('asks for the nftables data plane');
      expect(r.stderr).toContain('the nft command is not installed');
      expect(r.stderr).toContain('--data-plane splice');
    } finally {
      rmSync(emptyPath, { recursive: true, force: true });
    }
  });
});


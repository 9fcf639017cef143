// Three API servers on a 3-member etcd (`loopkube up --control-planes 3 --etcd=3`), and the
// leading control plane SIGKILLed under a stream of writes and steady traffic: writes fail for
// at most the lease duration and none acknowledged is lost, the data plane serves throughout,
// another control plane takes the Lease within the lease duration (generously bounded) and its
// controllers act (a deleted pod is replaced), and kubectl keeps working through the front end.
// Then the etcd member that leads raft is SIGKILLed too: only the writes in flight while etcd
// elects another leader fail.
import { execFile } from 'node:child_process';
import http from 'node:http';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeList, KubeObject, Pod, Service } from '../../src/api/types.js';
import { createApiClient, type ApiClient } from '../../src/client/client.js';
import { clientConfigFromKubeconfig } from '../../src/client/config.js';
import { clusterPaths, DEFAULTS } from '../../src/cluster/config.js';
import { LEADER_LEASE } from '../../src/controlplane/control-plane.js';
import type { Lease } from '../../src/controlplane/leader-election.js';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';

const LEASE = `/apis/coordination.k8s.io/v1/namespaces/${LEADER_LEASE.namespace}/leases/${LEADER_LEASE.name}`;
const WRITES = '/api/v1/namespaces/default/endpoints'; // written in a stream (Endpoints with no Service: no controller touches them)
const PODS = '/api/v1/namespaces/default/pods';
const LEASE_MS = DEFAULTS.leaderElection.leaseDurationSeconds * 1000;
const run = promisify(execFile);

/** The name of the etcd member that leads raft (etcdctl endpoint status), as `etcd-N`. */
async function etcdLeader(cluster: TestCluster): Promise<string> {
  const members = cluster.config.managedEtcd!.members;
  const { stdout } = await run('etcdctl', ['--endpoints', members.map((m) => `127.0.0.1:${m.clientPort}`).join(','), 'endpoint', 'status', '-w', 'json'], {
    env: { ...process.env, ETCDCTL_API: '3' },
  });
  for (const m of stdout.matchAll(/"Endpoint":"127\.0\.0\.1:(\d+)","Status":\{"header":\{"cluster_id":\d+,"member_id":(\d+)[^}]*\}.*?"leader":(\d+)/g)) {
    if (m[2] === m[3]) return members.find((x) => x.clientPort === Number(m[1]))!.name;
  }
  throw new Error(`no etcd leader in ${stdout}`);
}

const pidOf = (cluster: TestCluster, name: string) => Number(readFileSync(path.join(clusterPaths(cluster.home).pidsDir, `${name}.pid`), 'utf8'));

function get(url: string, localAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, localAddress, timeout: 3_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

describe('several API servers when the leading control plane is killed', () => {
  let c: TestCluster | undefined;
  let api: ApiClient | undefined;
  beforeAll(async () => {
    c = await startTestCluster({ nodes: 2, upArgs: ['--etcd=3', '--control-planes', '3', '--wait', '80s'] });
    api = createApiClient(clientConfigFromKubeconfig(c.kubeconfig)); // through the front end
  }, 120_000);
  afterAll(async () => {
    api?.close();
    await c?.down();
  });

  it('keeps serving and writing, and another control plane takes over its controllers', async () => {
    const cluster = c!;
    const client = api!;
    expect(cluster.config.controlPlanes?.map((cp) => cp.host)).toEqual(['127.0.0.11', '127.0.0.12', '127.0.0.13']);
    expect(client.config.server).toBe(`https://127.0.0.1:${cluster.apiPort}`);
    const ep = await client.get<KubeObject & { subsets: { addresses: { ip: string }[] }[] }>('/api/v1/namespaces/default/endpoints/kubernetes');
    expect(ep.subsets[0].addresses.map((a) => a.ip)).toEqual(['127.0.0.11', '127.0.0.12', '127.0.0.13']);

    // A workload and its NodePort, answering.
    await client.create('/api/v1/namespaces/default/replicationcontrollers', {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'web' },
      spec: { replicas: 2, selector: { app: 'web' }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'loopkube/echo', ports: [{ containerPort: 8080 }] }] } } },
    });
    const svc = await client.create<Service>('/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
    });
    const nodeIP = cluster.config.nodes[0].ip;
    const url = `http://${nodeIP}:${svc.spec.ports?.[0]?.nodePort}/`;
    await waitFor('the NodePort to answer', async () => (await get(url, nodeIP)) === 200, 60_000);

    const first = await client.get<Lease>(LEASE);
    const leader = first.spec?.holderIdentity ?? '';
    const leaderProcess = leader.split('_')[0];
    expect(cluster.config.controlPlanes?.map((cp) => cp.name)).toContain(leaderProcess);

    // Steady traffic through the NodePort and a stream of writes through the front end.
    let running = true;
    const traffic = { ok: 0, failed: [] as string[] };
    const trafficLoop = (async () => {
      while (running) {
        try {
          const code = await get(url, nodeIP);
          if (code === 200) traffic.ok++;
          else traffic.failed.push(`HTTP ${code}`);
        } catch (err) {
          traffic.failed.push((err as Error).message);
        }
        await sleep(20);
      }
    })();
    const acked: string[] = [];
    const failedWrites: { at: number; error: string }[] = [];
    let killedAt = Infinity;
    const writer = async (w: number): Promise<void> => {
      for (let i = 0; running; i++) {
        const name = `w${w}-${i}`;
        try {
          await client.create(WRITES, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name } });
          acked.push(name);
        } catch (err) {
          failedWrites.push({ at: Date.now(), error: (err as Error).message });
          await sleep(50);
        }
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    let newLeader = '';
    let takeoverMs = 0;
    let etcdKilledAt = Infinity;
    try {
      await waitFor('writes before the kill', () => acked.length >= 50, 30_000);
      const pid = pidOf(cluster, leaderProcess);
      killedAt = Date.now();
      process.kill(pid, 'SIGKILL');

      // kubectl keeps working through the front end while the Lease is up for grabs.
      const nodes = await cluster.kubectl(['get', 'nodes', '-o', 'name']);
      expect(nodes.code, nodes.stderr).toBe(0);
      expect(nodes.stdout.trim().split('\n')).toHaveLength(2);

      newLeader = await waitFor(
        'another control plane to take the Lease',
        async () => {
          const h = (await client.get<Lease>(LEASE)).spec?.holderIdentity ?? '';
          return h !== '' && h !== leader ? h : undefined;
        },
        4 * LEASE_MS,
        100,
      );
      takeoverMs = Date.now() - killedAt;
      const ackedAtTakeover = acked.length;
      await waitFor('writes after the takeover', () => acked.length >= ackedAtTakeover + 50, 30_000);

      // Now the etcd member that leads raft.
      const member = await etcdLeader(cluster);
      const memberPid = pidOf(cluster, member);
      etcdKilledAt = Date.now();
      process.kill(memberPid, 'SIGKILL');
      const ackedAtEtcdKill = acked.length;
      await waitFor('writes with an etcd member gone', () => acked.length >= ackedAtEtcdKill + 100, 60_000);
    } finally {
      running = false;
      await Promise.all([trafficLoop, ...writers]);
    }

    // Within the lease duration, generously: the candidates wait out leaseDuration from their
    // own last sight of a renewal, plus up to 2.2 retry periods (client-go's jitter).
    expect(takeoverMs).toBeLessThan(2 * LEASE_MS);
    // Writes failed (if at all) only in the lease duration after the kill, and none acknowledged is lost.
    const beforeEtcdKill = failedWrites.filter((f) => f.at < etcdKilledAt);
    for (const f of beforeEtcdKill) expect(f.at - killedAt, f.error).toBeLessThanOrEqual(LEASE_MS);
    // Losing an etcd member (its leader) costs the writes in flight during the election: at most
    // one per writer in flight at the kill, plus those sent before a new leader was elected.
    const afterEtcdKill = failedWrites.filter((f) => f.at >= etcdKilledAt);
    expect(afterEtcdKill.length, JSON.stringify(afterEtcdKill)).toBeLessThanOrEqual(40);
    for (const f of afterEtcdKill) expect(f.at - etcdKilledAt, f.error).toBeLessThanOrEqual(10_000);
    const stored = new Set((await client.list<KubeObject>(WRITES)).items.map((o) => o.metadata.name));
    expect(acked.filter((n) => !stored.has(n))).toEqual([]);
    // The data plane served throughout.
    expect(traffic.failed).toEqual([]);
    expect(traffic.ok).toBeGreaterThan(20);

    // The new leader's controllers act: a deleted pod is replaced.
    const pods = await client.list<Pod>(PODS, { labelSelector: 'app=web' });
    const victim = pods.items[0].metadata.name;
    await client.delete(`${PODS}/${victim}`);
    await waitFor(
      'the replication controller to replace the deleted pod',
      async () => {
        const now = (await client.list<Pod>(PODS, { labelSelector: 'app=web' })) as KubeList<Pod>;
        const live = now.items.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running');
        return live.length === 2 && !live.some((p) => p.metadata.name === victim);
      },
      60_000,
    );
    expect(newLeader.split('_')[0]).not.toBe('');
  }, 240_000);
});

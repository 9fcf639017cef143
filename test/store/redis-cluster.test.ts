// A whole cluster kept in Redis, as a user runs it: `loopkube up --store redis://...` against a
// redis-server started for the test, objects created through the API (a NodePort Service, with
// the ClusterIP and NodePort the API server allocates), `loopkube down`, `loopkube up` again on
// the same Redis: every object is back as it was, and its keys are under loopkube/<cluster>/.
import { existsSync, statSync, readdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/api/types.js';
import { createApiClient, type ApiClient } from '../../src/client/client.js';
import { clientConfigFromHome } from '../../src/client/config.js';
import { startLocalRedis } from '../../src/store/redis/local-server.js';
import { REPO, ensureBuilt, freePort, isolatedNetworking, killPidFiles, removeDir, runCli, tempDir, waitFor } from '../cli/helpers.js';

/** Rebuilds dist/ when a source of the store or the control plane is newer than its output. */
function ensureStoreBuilt(): void {
  const dirs = ['src/store', 'src/store/redis', 'src/controlplane', 'src/apiserver'];
  const stale = dirs.some((dir) =>
    readdirSync(path.join(REPO, dir))
      .filter((f) => f.endsWith('.ts'))
      .some((f) => {
        const out = path.join(REPO, 'dist', dir, f.replace(/\.ts$/, '.js'));
        return !existsSync(out) || statSync(out).mtimeMs < statSync(path.join(REPO, dir, f)).mtimeMs;
      }),
  );
  if (stale) {
    try {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: REPO, stdio: 'pipe' });
    } catch {
      // other parts of the tree may not type-check yet; tsc still emits
    }
  }
}

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  while (cleanups.length) {
    try {
      await cleanups.pop()?.();
    } catch {
      // best effort
    }
  }
});

beforeAll(() => {
  ensureStoreBuilt();
  ensureBuilt();
}, 300_000);

const SERVICES = '/api/v1/namespaces/default/services';

describe('a cluster kept in Redis', () => {
  it('comes back after loopkube down and up with every object as it was, ClusterIPs and NodePorts included', async () => {
    const redisDir = tempDir('loopkube-redis-cluster-');
    cleanups.push(() => removeDir(redisDir));
    const redis = await startLocalRedis({ dir: redisDir });
    cleanups.push(() => redis.stop());

    const loopkubeHome = tempDir();
    const env: NodeJS.ProcessEnv = { LOOPKUBE_HOME: loopkubeHome };
    const name = `r${Math.floor(Math.random() * 1e6)}`;
    const apiPort = await freePort();
    const net = isolatedNetworking();
    const configFile = path.join(loopkubeHome, 'cluster.yaml');
    writeFileSync(
      configFile,
      `kind: Cluster
apiVersion: loopkube.dev/v1alpha1
name: ${name}
networking:
  apiServerPort: ${apiPort}
  nodeSubnet: ${net.nodeSubnet}
  podSubnet: ${net.podSubnet}
  serviceSubnet: ${net.serviceSubnet}
  loadBalancerPool: ${net.loadBalancerPool}
`,
    );
    const home = path.join(loopkubeHome, name);
    const clients: ApiClient[] = [];
    cleanups.push(async () => {
      for (const c of clients) c.close();
      await runCli(['down', '--name', name], env, 30_000);
      killPidFiles(home);
      removeDir(loopkubeHome);
      net.release();
    });
    const cli = (...args: string[]) => runCli(args, env);
    const client = (): ApiClient => {
      const c = createApiClient(clientConfigFromHome(home));
      clients.push(c);
      return c;
    };

    const first = await cli('up', '--config', configFile, '--nodes', '0', '--store', redis.url);
    expect(first.code, first.stderr).toBe(0);
    const api = client();
    const web = await api.create<Service>(SERVICES, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    });
    const db = await api.create<Service>(SERVICES, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'db' },
      spec: { selector: { app: 'db' }, ports: [{ port: 5432 }] },
    });
    const webSpec = web.spec as { clusterIP?: string; ports: { nodePort?: number }[] };
    expect(webSpec.clusterIP).toMatch(/^127\./);
    expect(webSpec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    const before = await api.list<Service>(SERVICES);

    const down = await cli('down', '--name', name);
    expect(down.code, down.stderr).toBe(0);

    // The cluster's data is in Redis under its own prefix while the cluster is down.
    const raw = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    cleanups.push(() => void raw.disconnect());
    const stored = JSON.parse((await raw.hget(`loopkube/${name}/objects/registry/services/default/web`, 'json')) as string) as Service;
    expect(stored.spec).toEqual(web.spec);

    const second = await cli('up', '--name', name);
    expect(second.code, second.stderr).toBe(0);
    const again = client();
    const after = await waitFor('the API server to answer', async () => again.list<Service>(SERVICES), 30_000);
    expect(after.items).toEqual(before.items);
    expect(await again.get<Service>(`${SERVICES}/web`)).toEqual(web);
    expect(await again.get<Service>(`${SERVICES}/db`)).toEqual(db);

    // Writes go on from where the revisions were.
    const updated = await again.patch<Service>(`${SERVICES}/db`, { metadata: { labels: { tier: 'data' } } }, 'merge');
    expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(Number(db.metadata.resourceVersion));
  });
});

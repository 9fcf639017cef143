// The cluster on Redis, as a user sees it through the API: while redis-server is down the API
// answers errors (never hangs), it recovers by itself when Redis is back, and no write it
// acknowledged is missing afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api/errors.js';
import type { Endpoints, KubeList } from '../../src/api/types.js';
import { startLocalRedis, type LocalRedis } from '../../src/store/redis/local-server.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';

const EP = '/api/v1/namespaces/default/endpoints';

describe('a cluster on Redis when redis-server dies under a stream of writes', () => {
  let dir: string;
  let redis: LocalRedis | undefined;
  let c: TestCluster | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'loopkube-redis-api-'));
    redis = await startLocalRedis({ dir, appendfsync: 'always' });
    c = await startTestCluster({ upArgs: ['--store', redis.url] });
  });

  afterAll(async () => {
    await c?.down();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers errors while Redis is down, recovers by itself, and loses no acknowledged write', async () => {
    const acked: string[] = [];
    const failures = new Map<number, number>();
    let i = 0;
    let stop = false;
    const writer = (async () => {
      while (!stop) {
        const name = `e-${i++}`;
        try {
          await c!.client.create(EP, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name } });
          acked.push(name);
        } catch (err) {
          const code = err instanceof ApiError ? err.code : -1;
          failures.set(code, (failures.get(code) ?? 0) + 1);
          await sleep(50);
        }
      }
    })();

    while (acked.length < 30) await sleep(20);
    await redis!.kill();
    const ackedBeforeOutage = acked.length;
    // Let the writer meet the outage for a while.
    const failedBefore = [...failures.values()].reduce((a, b) => a + b, 0);
    while ([...failures.values()].reduce((a, b) => a + b, 0) < failedBefore + 10) await sleep(20);
    await redis!.start();
    // It recovers by itself: new writes are acknowledged again.
    const ackedAtRestart = acked.length;
    while (acked.length < ackedAtRestart + 30) await sleep(20);
    stop = true;
    await writer;

    // Errors while down were the API's own: 503 ServiceUnavailable (or 500 for a write cut off midway).
    expect([...failures.keys()].every((code) => code === 503 || code === 500 || code === 504)).toBe(true);
    expect(failures.get(503) ?? 0).toBeGreaterThan(0);
    expect(ackedBeforeOutage).toBeGreaterThanOrEqual(30);

    const list = await c!.client.list<Endpoints>(EP);
    const stored = new Set((list as KubeList<Endpoints>).items.map((e) => e.metadata.name));
    const missing = acked.filter((n) => !stored.has(n));
    expect(missing).toEqual([]);
  });
});

// The load generator's engine against real HTTP servers standing in for pods, on loopback
// addresses of this file's own block, through a round-robin L4 forwarder standing in for a
// ClusterIP.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../src/load/runner.js';
import { createLoadStats, summarize, type LoadStats } from '../../src/load/stats.js';
import { randomBlock, startPodServer, startRoundRobin, type Forwarder, type PodServer } from './pod-servers.js';

const ip = randomBlock();
const closers: Array<() => Promise<void>> = [];
let pods: PodServer[] = [];
let service: Forwarder;

beforeAll(async () => {
  pods = await Promise.all([
    startPodServer({ pod: 'web-aaaaa', node: 'node-1', ip: ip(1) }),
    startPodServer({ pod: 'web-bbbbb', node: 'node-2', ip: ip(2) }),
    startPodServer({ pod: 'web-ccccc', node: 'node-2', ip: ip(3) }),
  ]);
  closers.push(...pods.map((p) => () => p.close()));
  service = await startRoundRobin(ip(10), pods);
  closers.push(() => service.close());
});

afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
});

function summary(stats: LoadStats, keepAlive: boolean, concurrency: number) {
  return summarize(stats, { target: 'test', durationMs: 1000, keepAlive, concurrency });
}

describe('load runner', () => {
  it('keep-alive pins each connection to one pod; the counts per pod sum to the requests made', async () => {
    const stats = createLoadStats(pods.map((p) => ({ pod: p.pod, node: p.node })));
    await runLoad({ targets: [service], connections: 2, requests: 300, keepAlive: true }, stats);
    const s = summary(stats, true, 2);
    expect(s.requests).toBe(300);
    expect(s.errors).toEqual({});
    expect(s.pods.reduce((n, p) => n + p.requests, 0)).toBe(300);
    // Two connections, three pods: two pods got one connection each, the third nothing.
    expect(s.pods.map((p) => p.connections).sort()).toEqual([0, 1, 1]);
    expect(s.pods.filter((p) => p.requests === 0)).toHaveLength(1);
    expect(s.fairness.maxMinRatio).toBeNull();
    expect(s.connections.opened).toBe(2);
  });

  it('a new connection per request spreads requests evenly over the pods', async () => {
    const stats = createLoadStats();
    await runLoad({ targets: [service], connections: 2, requests: 300, keepAlive: false }, stats);
    const s = summary(stats, false, 2);
    expect(s.requests).toBe(300);
    expect(s.pods.map((p) => [p.pod, p.requests, p.connections])).toEqual([
      ['web-aaaaa', 100, 100],
      ['web-bbbbb', 100, 100],
      ['web-ccccc', 100, 100],
    ]);
    expect(s.fairness).toEqual({ jain: 1, maxMinRatio: 1 });
    expect(s.nodes).toEqual([
      { node: 'node-1', requests: 100, share: 0.3333, pods: 1, connections: 100 },
      { node: 'node-2', requests: 200, share: 0.6667, pods: 2, connections: 200 },
    ]);
    expect(s.latency.p50).toBeGreaterThan(0);
    expect(s.latency.max).toBeGreaterThanOrEqual(s.latency.p99!);
  });

  it('connects from the --from addresses in turn, as the servers see them', async () => {
    const from = [ip(21), ip(22), ip(23)];
    const before = pods[0]!.clients.length;
    await runLoad({ targets: [pods[0]!], connections: 1, requests: 30, keepAlive: false, from }, createLoadStats());
    const seen = pods[0]!.clients.slice(before);
    expect(seen).toHaveLength(30);
    for (const a of from) expect(seen.filter((c) => c === a)).toHaveLength(10);
  });

  it('takes the next target for each new connection', async () => {
    const stats = createLoadStats();
    await runLoad({ targets: pods, connections: 3, requests: 90, keepAlive: false }, stats);
    expect([...stats.pods.values()].map((p) => p.requests)).toEqual([30, 30, 30]);
  });

  it('stops after a duration when no request count is given', async () => {
    const stats = createLoadStats();
    const { durationMs } = await runLoad({ targets: [service], connections: 2, durationMs: 300, keepAlive: true }, stats);
    expect(stats.responses).toBeGreaterThan(0);
    expect(durationMs).toBeGreaterThanOrEqual(300);
  });

  it('counts refused connections as errors, each one using up a request', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer();
      s.listen(0, ip(30), () => {
        const { port } = s.address() as net.AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const stats = createLoadStats();
    await runLoad({ targets: [{ host: ip(30), port: closed }], connections: 2, requests: 20 }, stats);
    const s = summary(stats, true, 2);
    expect(s.requests).toBe(0);
    expect(s.attempts).toBe(20);
    expect(s.errors).toEqual({ 'connect refused': 20 });
  });

  it('counts 5xx answers as answered requests and as errors', async () => {
    const failing = await startPodServer({ pod: 'bad-aaaaa', node: 'node-3', ip: ip(40), status: 503 });
    closers.push(() => failing.close());
    const stats = createLoadStats();
    await runLoad({ targets: [failing], connections: 1, requests: 10 }, stats);
    const s = summary(stats, true, 1);
    expect(s.requests).toBe(10);
    expect(s.statuses).toEqual({ '503': 10 });
    expect(s.errors).toEqual({ 'http 5xx': 10 });
    expect(s.pods).toEqual([{ pod: 'bad-aaaaa', node: 'node-3', version: 'v1', requests: 10, share: 1, connections: 1 }]);
  });

  it('times out a request that gets no answer, and goes on', async () => {
    const silent = await startPodServer({ pod: 'mute-aaaaa', node: 'node-3', ip: ip(41), silent: true });
    closers.push(() => silent.close());
    const stats = createLoadStats();
    await runLoad({ targets: [silent], connections: 1, requests: 2, timeoutMs: 100 }, stats);
    expect(Object.fromEntries(stats.errors)).toEqual({ timeout: 2 });
    expect(silent.connections).toBe(2);
  });

  it('reads chunked answers', async () => {
    const chunked = await startPodServer({ pod: 'chunk-aaaaa', node: 'node-3', ip: ip(42), chunked: true });
    closers.push(() => chunked.close());
    const stats = createLoadStats();
    await runLoad({ targets: [chunked], connections: 2, requests: 50 }, stats);
    expect(stats.responses).toBe(50);
    expect(stats.pods.get('chunk-aaaaa')?.requests).toBe(50);
    expect(stats.errors.size).toBe(0);
  });
});

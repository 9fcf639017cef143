import { describe, expect, it } from 'vitest';
import { bar, formatReport } from '../../src/load/report.js';
import { countError, countStatus, createLoadStats, jainIndex, maxMinRatio, podCounter, recordLatency, summarize } from '../../src/load/stats.js';

describe("Jain's fairness index", () => {
  const cases: Array<[string, number[], number]> = [
    ['all equal is 1', [100, 100, 100], 1],
    ['one taking everything of n is 1/n', [300, 0, 0], 1 / 3],
    ['two of four equal, two idle, is 1/2', [50, 50, 0, 0], 0.5],
    ['no values is 1', [], 1],
    ['all zero is 1', [0, 0], 1],
    ['a 2:1 split over two is 0.9', [200, 100], 0.9],
  ];
  for (const [rule, values, want] of cases) {
    it(rule, () => expect(jainIndex(values)).toBeCloseTo(want, 10));
  }
});

describe('max/min ratio', () => {
  const cases: Array<[string, number[], number | null]> = [
    ['equal shares give 1', [10, 10, 10], 1],
    ['max over min', [30, 10, 20], 3],
    ['a pod that got nothing makes it unbounded (null)', [30, 0], null],
    ['no values give null', [], null],
  ];
  for (const [rule, values, want] of cases) {
    it(rule, () => expect(maxMinRatio(values)).toBe(want));
  }
});

describe('load summary', () => {
  it('reports latency percentiles in milliseconds from the histogram', () => {
    const stats = createLoadStats();
    // 1..1000 ms: p50 = 500 ms, p90 = 900 ms, p99 = 990 ms, max = 1000 ms (3 significant digits).
    for (let ms = 1; ms <= 1000; ms++) {
      recordLatency(stats, ms * 1000);
      countStatus(stats, 200);
    }
    const s = summarize(stats, { target: 't', durationMs: 2000, keepAlive: true, concurrency: 1 });
    expect(s.latency.p50).toBeCloseTo(500, -0.5);
    expect(s.latency.p90).toBeCloseTo(900, -0.5);
    expect(s.latency.p99).toBeCloseTo(990, -0.5);
    expect(s.latency.max).toBeCloseTo(1000, -0.5);
    expect(s.rps).toBe(500);
    expect(s.requests).toBe(1000);
  });

  it('has no latency when nothing was answered', () => {
    const stats = createLoadStats();
    countError(stats, 'connect refused');
    const s = summarize(stats, { target: 't', durationMs: 10, keepAlive: true, concurrency: 1 });
    expect(s.latency).toEqual({ p50: null, p90: null, p99: null, max: null });
    expect(s.attempts).toBe(1);
  });

  it('gives each pod and node its share, listing expected pods that got nothing', () => {
    const stats = createLoadStats([{ pod: 'web-c', node: 'node-3' }]);
    podCounter(stats, 'web-a', 'node-1', 'v1').requests = 60;
    podCounter(stats, 'web-b', 'node-1', 'v1').requests = 40;
    const s = summarize(stats, { target: 't', durationMs: 1000, keepAlive: true, concurrency: 1 });
    expect(s.pods.map((p) => [p.pod, p.share])).toEqual([
      ['web-a', 0.6],
      ['web-b', 0.4],
      ['web-c', 0],
    ]);
    expect(s.nodes.map((n) => [n.node, n.share, n.pods])).toEqual([
      ['node-1', 1, 2],
      ['node-3', 0, 1],
    ]);
    expect(s.fairness.maxMinRatio).toBeNull();
  });

  it('prints a table with a share and a bar for each pod', () => {
    const stats = createLoadStats();
    podCounter(stats, 'web-a', 'node-1', 'v1').requests = 300;
    podCounter(stats, 'web-b', 'node-2', 'v1').requests = 150;
    stats.responses = 450;
    const text = formatReport(summarize(stats, { target: 'svc/web', durationMs: 1000, keepAlive: true, concurrency: 2 }));
    expect(text).toMatch(/web-a\s+node-1\s+300\s+66\.7%\s+0\s+█{30}/);
    expect(text).toMatch(/web-b\s+node-2\s+150\s+33\.3%\s+0\s+█{15}\n/);
    expect(text).toContain("Pod fairness: Jain's index 0.900");
  });

  it('draws bars in eighths of a cell', () => {
    expect(bar(1, 1, 4)).toBe('████');
    expect(bar(0.5, 1, 4)).toBe('██');
    expect(bar(1 / 8, 1, 4)).toBe('▌');
    expect(bar(1 / 16, 1, 4)).toBe('▎');
    expect(bar(0, 1, 4)).toBe('');
  });
});

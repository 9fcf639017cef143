// The timeline: samples of several threads added up into rows, handed on in order once every
// thread has reported them; the sparkline and ETA drawn from them.
import { describe, expect, it } from 'vitest';
import { eta, formatSparklines, formatTimelineRow } from '../../src/load/report.js';
import { sparkline, squeeze } from '../../src/load/sparkline.js';
import { newHistogram } from '../../src/load/stats.js';
import { createMerger, errorColumn, type ThreadSample, type TimelineRow } from '../../src/load/timeline.js';

function sample(index: number, over: Partial<ThreadSample> = {}): ThreadSample {
  return { index, final: false, endMs: (index + 1) * 1000, responses: 0, errors: {}, errorPods: {}, pods: {}, podInfo: [], latency: null, failures: [], ...over };
}

describe('timeline merger', () => {
  it('adds the threads up and hands a row on only once every thread has reported it', () => {
    const rows: TimelineRow[] = [];
    const m = createMerger(2, 1000, (r) => rows.push(r));
    m.add(0, sample(0, { responses: 10, pods: { 'web-a': 10 }, podInfo: [{ pod: 'web-a', node: 'node-1', version: 'v1' }] }));
    expect(rows).toHaveLength(0);
    m.add(0, sample(1, { responses: 5, pods: { 'web-a': 5 } }));
    expect(rows).toHaveLength(0);
    m.add(1, sample(0, { responses: 7, pods: { 'web-b': 7 }, podInfo: [{ pod: 'web-b', node: 'node-2', version: 'v2' }], errors: { reset: 2, 'http 5xx': 1 }, errorPods: { 'web-b': 3 } }));
    expect(rows.map((r) => [r.start, r.requests])).toEqual([[0, 17]]);
    expect(rows[0]!.versions).toEqual({ v1: 10, v2: 7 });
    expect(rows[0]!.errors).toEqual({ refused: 0, reset: 2, timeout: 0, '5xx': 1, other: 0 });
    expect(rows[0]!.errorPods).toEqual({ 'web-b': 3 });
    // Thread 1 ends within interval 1: its final sample lets the row go, cut where the run ended.
    m.add(1, sample(1, { responses: 1, final: true, endMs: 1500 }));
    expect(rows.map((r) => [r.start, r.end, r.requests])).toEqual([
      [0, 1, 17],
      [1, 1.5, 6],
    ]);
  });

  it("p99 of a row comes from the threads' latencies together", () => {
    const m = createMerger(2, 1000);
    const fast = newHistogram();
    const slow = newHistogram();
    for (let i = 0; i < 98; i++) fast.recordValue(1000);
    for (let i = 0; i < 2; i++) slow.recordValue(50_000);
    m.add(0, sample(0, { responses: 98, latency: fast, final: true }));
    m.add(1, sample(0, { responses: 2, latency: slow, final: true }));
    expect(m.rows()[0]!.p99).toBeCloseTo(50, 0);
  });

  it('marks a moment on the row that holds it', () => {
    const m = createMerger(1, 1000);
    m.mark(2500, 'started: kubectl delete pod web-a');
    m.add(0, sample(0));
    m.add(0, sample(1));
    m.add(0, sample(2, { final: true }));
    expect(m.rows().map((r) => r.marks)).toEqual([[], [], ['started: kubectl delete pod web-a']]);
  });

  const columns: Array<[string, string]> = [
    ['connect refused', 'refused'],
    ['reset', 'reset'],
    ['closed', 'reset'],
    ['timeout', 'timeout'],
    ['http 5xx', '5xx'],
    ['bad response', 'other'],
  ];
  for (const [kind, column] of columns) it(`counts "${kind}" under ${column}`, () => expect(errorColumn(kind)).toBe(column));
});

describe('terminal pictures', () => {
  it('a sparkline has one cell per value, the tallest for the largest, a dot for none', () => {
    expect(sparkline([0, 1, 2, 4, 8])).toBe('·▁▂▄█');
    expect(sparkline([3, 3])).toBe('██');
  });

  it('squeezes a long series into a width by averaging neighbours', () => {
    expect(squeeze([1, 1, 3, 3, 5, 5], 3)).toEqual([1, 3, 5]);
    expect(squeeze([1, 2], 10)).toEqual([1, 2]);
  });

  it('draws requests and errors per second from the rows', () => {
    const row = (requests: number, resets: number): TimelineRow => ({
      start: 0,
      end: 1,
      requests,
      errors: { refused: 0, reset: resets, timeout: 0, '5xx': 0, other: 0 },
      kinds: {},
      errorPods: {},
      p99: null,
      pods: {},
      versions: {},
      marks: [],
    });
    const lines = formatSparklines([row(100, 0), row(200, 0), row(50, 10)], 1);
    expect(lines[0]).toBe('Requests/s: ▄█▂  max 200/s (one cell = 1s)');
    expect(lines[1]).toBe('Errors/s:   ··█  max 10/s');
    expect(formatSparklines([row(1, 0)], 1)).toEqual([]);
  });

  const etas: Array<{ rule: string; p: { elapsedMs: number; responses: number; errors: number }; rate: number; bounds: { durationMs?: number; requests?: number }; want: number | null }> = [
    { rule: 'a duration: what is left of it', p: { elapsedMs: 3000, responses: 10, errors: 0 }, rate: 5, bounds: { durationMs: 10_000 }, want: 7 },
    { rule: 'a request count: what is left at the current rate', p: { elapsedMs: 1000, responses: 900, errors: 100 }, rate: 1000, bounds: { requests: 3000 }, want: 2 },
    { rule: 'both: whichever ends first', p: { elapsedMs: 1000, responses: 1000, errors: 0 }, rate: 1000, bounds: { requests: 3000, durationMs: 10_000 }, want: 2 },
    { rule: 'a request count before any answer: unknown', p: { elapsedMs: 100, responses: 0, errors: 0 }, rate: 0, bounds: { requests: 3000 }, want: null },
  ];
  for (const tc of etas) it(`ETA, ${tc.rule}`, () => expect(eta(tc.p, tc.rate, tc.bounds)).toBe(tc.want));

  it('a timeline row names the versions by share and the pods that failed requests', () => {
    const text = formatTimelineRow({
      start: 3,
      end: 4,
      requests: 1200,
      errors: { refused: 0, reset: 3, timeout: 0, '5xx': 0, other: 0 },
      kinds: { closed: 3 },
      errorPods: { 'web-a': 2, '': 1 },
      p99: 12.5,
      pods: {},
      versions: { v1: 300, v2: 900 },
      marks: ['3.2s started: kubectl rollout restart deploy/web'],
    });
    expect(text).toMatch(/^3-4s\s+1,200\s+0\s+3\s+0\s+0\s+12\.5ms\s+v2 75% v1 25%\s+web-a 2, \? 1\n  ▸ 3\.2s started: kubectl rollout restart deploy\/web$/);
  });
});

// The metrics registry renders what Prometheus accepts, and the exposition reader rejects what
// Prometheus rejects.
import { describe, expect, it } from 'vitest';
import { ExpositionError, parseExposition, samplesNamed } from '../../src/observe/exposition.js';
import { createMetricsRegistry } from '../../src/observe/metrics.js';
import { registerProcessMetrics } from '../../src/observe/process-metrics.js';

describe('metrics registry', () => {
  it('renders counters, gauges and histograms with labels as valid exposition text', () => {
    const r = createMetricsRegistry();
    const c = r.counter({ name: 'x_requests_total', help: 'Requests.', labelNames: ['verb', 'code'] });
    const g = r.gauge({ name: 'x_open', help: 'Open things.', labelNames: ['kind'] });
    const h = r.histogram({ name: 'x_duration_seconds', help: 'Durations.', labelNames: ['verb'], buckets: [0.1, 1] });
    c.inc({ verb: 'GET', code: '200' });
    c.inc({ verb: 'GET', code: '200' }, 2);
    c.inc({ verb: 'POST', code: '201' });
    g.inc({ kind: 'watch' });
    g.inc({ kind: 'watch' });
    g.dec({ kind: 'watch' });
    h.observe({ verb: 'GET' }, 0.05);
    h.observe({ verb: 'GET' }, 0.5);
    h.observe({ verb: 'GET' }, 5);
    registerProcessMetrics(r);

    const families = parseExposition(r.render());
    expect(families.map((f) => [f.name, f.type])).toEqual(
      expect.arrayContaining([
        ['x_requests_total', 'counter'],
        ['x_open', 'gauge'],
        ['x_duration_seconds', 'histogram'],
        ['process_resident_memory_bytes', 'gauge'],
        ['process_cpu_seconds_total', 'counter'],
      ]),
    );
    expect(samplesNamed(families, 'x_requests_total')).toEqual([
      { name: 'x_requests_total', labels: { verb: 'GET', code: '200' }, value: 3 },
      { name: 'x_requests_total', labels: { verb: 'POST', code: '201' }, value: 1 },
    ]);
    expect(samplesNamed(families, 'x_open')[0]!.value).toBe(1);
    const buckets = samplesNamed(families, 'x_duration_seconds_bucket').map((s) => [s.labels.le, s.value]);
    expect(buckets).toEqual([
      ['0.1', 1],
      ['1', 2],
      ['+Inf', 3],
    ]);
    expect(samplesNamed(families, 'x_duration_seconds_count')[0]!.value).toBe(3);
    expect(samplesNamed(families, 'x_duration_seconds_sum')[0]!.value).toBeCloseTo(5.55);
  });

  it('escapes label values so they read back unchanged', () => {
    const r = createMetricsRegistry();
    const c = r.counter({ name: 'x_total', help: 'Help with a \\ backslash\nand a newline.', labelNames: ['v'] });
    const tricky = 'quote " backslash \\ newline \n end';
    c.inc({ v: tricky });
    const [f] = parseExposition(r.render());
    expect(f!.samples[0]!.labels.v).toBe(tricky);
  });

  it.each([
    ['a metric name with a dash', () => createMetricsRegistry().counter({ name: 'bad-name', help: 'x' })],
    ['a label named le', () => createMetricsRegistry().histogram({ name: 'h', help: 'x', labelNames: ['le'] })],
    ['buckets out of order', () => createMetricsRegistry().histogram({ name: 'h', help: 'x', buckets: [1, 0.5] })],
    ['a counter going down', () => createMetricsRegistry().counter({ name: 'c_total', help: 'x' }).inc({}, -1)],
    [
      'the same name twice',
      () => {
        const r = createMetricsRegistry();
        r.gauge({ name: 'g', help: 'x' });
        r.gauge({ name: 'g', help: 'x' });
      },
    ],
  ])('refuses %s', (_name, build) => {
    expect(build).toThrow();
  });
});

describe('exposition reader', () => {
  it.each([
    ['a sample that is not a number', '# TYPE a gauge\na 1x\n'],
    ['labels without quotes', '# TYPE a gauge\na{x=1} 1\n'],
    ['a TYPE after the samples', 'a 1\n# TYPE a gauge\n'],
    ['an unknown type', '# TYPE a meter\na 1\n'],
    ['a family split in two', '# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na{x="y"} 2\n'],
    ['a negative counter', '# TYPE a_total counter\na_total -1\n'],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_count 1\nh_sum 1\n'],
    ['a histogram whose count is not the +Inf bucket', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_count 3\nh_sum 1\n'],
    ['buckets that are not cumulative', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 1\n'],
    ['text without a final newline', '# TYPE a gauge\na 1'],
  ])('rejects %s', (_name, text) => {
    expect(() => parseExposition(text)).toThrow(ExpositionError);
  });

  it('reads the proxy-style text with HELP, TYPE, labels and special values', () => {
    const text = '# HELP a An a.\n# TYPE a gauge\na{x="1",y="two words"} +Inf\na{x="2"} NaN\n# a comment\nb 3 1700000000000\n';
    const families = parseExposition(text);
    expect(families.map((f) => f.name)).toEqual(['a', 'b']);
    expect(families[0]!.samples[0]).toEqual({ name: 'a', labels: { x: '1', y: 'two words' }, value: Infinity });
    expect(Number.isNaN(families[0]!.samples[1]!.value)).toBe(true);
    expect(families[1]!.samples[0]!.value).toBe(3);
  });
});

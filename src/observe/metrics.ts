// A small Prometheus registry: counters, gauges and histograms with labels, and collectors that
// produce samples when scraped, rendered as the text exposition format (version 0.0.4).
// Why not prom-client: loopkube needs a dozen series per process and the text format only; this
// keeps every process's start-up and dependency list small, and the proxy already renders its
// own text the same way.

export type Labels<L extends string> = { readonly [K in L]: string };

export interface Counter<L extends string> {
  inc(labels: Labels<L>, by?: number): void;
  get(labels: Labels<L>): number;
}

export interface Gauge<L extends string> {
  set(labels: Labels<L>, value: number): void;
  inc(labels: Labels<L>, by?: number): void;
  dec(labels: Labels<L>, by?: number): void;
  get(labels: Labels<L>): number;
}

export interface Histogram<L extends string> {
  /** Records one observation (in the histogram's unit: seconds for durations). */
  observe(labels: Labels<L>, value: number): void;
  /** Count and sum so far, for tests and summaries. */
  get(labels: Labels<L>): { count: number; sum: number };
}

/** One sample a collector reports at scrape time. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
  /** Appended to the family's name (`_bucket`, `_total`...); none for plain samples. */
  suffix?: string;
}

export interface MetricOptions<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

export interface HistogramOptions<L extends string> extends MetricOptions<L> {
  /** Upper bounds, ascending; +Inf is added. */
  buckets?: readonly number[];
}

export interface CollectorOptions {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  collect: () => Iterable<Sample>;
}

export interface MetricsRegistry {
  counter<L extends string = never>(opts: MetricOptions<L>): Counter<L>;
  gauge<L extends string = never>(opts: MetricOptions<L>): Gauge<L>;
  histogram<L extends string = never>(opts: HistogramOptions<L>): Histogram<L>;
  /** A family whose samples are computed when scraped (process memory, pods of a node...). */
  collector(opts: CollectorOptions): void;
  /** The whole registry as Prometheus text. */
  render(): string;
}

/** Seconds: 1 ms to 10 s, as client-go's and the API server's latency buckets roughly span. */
export const LATENCY_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** `{a="x",b="y"}`, or '' without labels. */
export function formatLabels(labels: Record<string, string>): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escapeLabelValue(labels[k]!)}"`).join(',')}}`;
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  lines(): string[];
}

function checkName(name: string, labelNames: readonly string[]): void {
  if (!NAME_RE.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
  for (const l of labelNames) {
    if (!LABEL_RE.test(l) || l.startsWith('__') || l === 'le') throw new Error(`invalid label name ${JSON.stringify(l)} on ${name}`);
  }
}

/** Children of a family by their label values, kept in a Map under a stable key. */
function childStore<L extends string, C>(labelNames: readonly L[], create: () => C) {
  const children = new Map<string, { labels: Record<string, string>; child: C }>();
  return {
    get(labels: Labels<L>): C {
      const values = labelNames.map((n) => String(labels[n] ?? ''));
      const key = values.join('\u0000');
      let entry = children.get(key);
      if (!entry) {
        const rec: Record<string, string> = {};
        labelNames.forEach((n, i) => (rec[n] = values[i]!));
        entry = { labels: rec, child: create() };
        children.set(key, entry);
      }
      return entry.child;
    },
    peek(labels: Labels<L>): C | undefined {
      return children.get(labelNames.map((n) => String(labels[n] ?? '')).join('\u0000'))?.child;
    },
    entries: () => children.values(),
  };
}

export function createMetricsRegistry(): MetricsRegistry {
  const families = new Map<string, Family>();

  const add = (f: Family): void => {
    if (families.has(f.name)) throw new Error(`metric ${f.name} is registered twice`);
    families.set(f.name, f);
  };

  return {
    counter<L extends string = never>(opts: MetricOptions<L>): Counter<L> {
      const labelNames = opts.labelNames ?? [];
      checkName(opts.name, labelNames);
      const store = childStore<L, { v: number }>(labelNames, () => ({ v: 0 }));
      add({
        name: opts.name,
        help: opts.help,
        type: 'counter',
        lines: () => [...store.entries()].map((e) => `${opts.name}${formatLabels(e.labels)} ${formatValue(e.child.v)}`),
      });
      return {
        inc(labels, by = 1) {
          if (by < 0) throw new Error(`counter ${opts.name} cannot go down`);
          store.get(labels).v += by;
        },
        get: (labels) => store.peek(labels)?.v ?? 0,
      };
    },

    gauge<L extends string = never>(opts: MetricOptions<L>): Gauge<L> {
      const labelNames = opts.labelNames ?? [];
      checkName(opts.name, labelNames);
      const store = childStore<L, { v: number }>(labelNames, () => ({ v: 0 }));
      add({
        name: opts.name,
        help: opts.help,
        type: 'gauge',
        lines: () => [...store.entries()].map((e) => `${opts.name}${formatLabels(e.labels)} ${formatValue(e.child.v)}`),
      });
      return {
        set: (labels, value) => void (store.get(labels).v = value),
        inc: (labels, by = 1) => void (store.get(labels).v += by),
        dec: (labels, by = 1) => void (store.get(labels).v -= by),
        get: (labels) => store.peek(labels)?.v ?? 0,
      };
    },

    histogram<L extends string = never>(opts: HistogramOptions<L>): Histogram<L> {
      const labelNames = opts.labelNames ?? [];
      checkName(opts.name, labelNames);
      const bounds = [...(opts.buckets ?? LATENCY_BUCKETS)];
      for (let i = 1; i < bounds.length; i++) {
        if (!(bounds[i]! > bounds[i - 1]!)) throw new Error(`histogram ${opts.name}: buckets must be ascending`);
      }
      const store = childStore<L, { counts: number[]; count: number; sum: number }>(labelNames, () => ({
        counts: bounds.map(() => 0),
        count: 0,
        sum: 0,
      }));
      add({
        name: opts.name,
        help: opts.help,
        type: 'histogram',
        lines() {
          const out: string[] = [];
          for (const e of store.entries()) {
            let cumulative = 0;
            bounds.forEach((b, i) => {
              cumulative += e.child.counts[i]!;
              out.push(`${opts.name}_bucket${formatLabels({ ...e.labels, le: formatValue(b) })} ${cumulative}`);
            });
            out.push(`${opts.name}_bucket${formatLabels({ ...e.labels, le: '+Inf' })} ${e.child.count}`);
            out.push(`${opts.name}_sum${formatLabels(e.labels)} ${formatValue(e.child.sum)}`);
            out.push(`${opts.name}_count${formatLabels(e.labels)} ${e.child.count}`);
          }
          return out;
        },
      });
      return {
        observe(labels, value) {
          const h = store.get(labels);
          h.count++;
          h.sum += value;
          // counts are per bucket here and made cumulative when rendered
          const i = bounds.findIndex((b) => value <= b);
          if (i >= 0) h.counts[i]!++;
        },
        get(labels) {
          const h = store.peek(labels);
          return { count: h?.count ?? 0, sum: h?.sum ?? 0 };
        },
      };
    },

    collector(opts) {
      checkName(opts.name, []);
      add({
        name: opts.name,
        help: opts.help,
        type: opts.type,
        lines: () => [...opts.collect()].map((s) => `${opts.name}${s.suffix ?? ''}${formatLabels(s.labels)} ${formatValue(s.value)}`),
      });
    },

    render() {
      const out: string[] = [];
      for (const f of families.values()) {
        out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
        for (const l of f.lines()) out.push(l);
      }
      return out.length ? `${out.join('\n')}\n` : '';
    },
  };
}

/** The Content-Type of the text format. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

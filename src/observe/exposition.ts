// Reading Prometheus text exposition (version 0.0.4): what `loopkube top` and the traffic hub
// read from the nodes' /metrics, and what the tests check every component's /metrics with. It
// is strict: a line that Prometheus would reject is an error naming the line.

export interface ParsedSample {
  /** The sample's full name (`x_bucket`, `x_total`...). */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedFamily {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  samples: ParsedSample[];
}

export class ExpositionError extends Error {}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE_RE = new RegExp(`^(${NAME})(\\{.*\\})?\\s+(\\S+)(?:\\s+(-?\\d+))?\\s*$`);
const LABEL_PAIR_RE = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/y;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function unescapeLabel(v: string): string {
  return v.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

function parseLabels(text: string, lineNo: number): Record<string, string> {
  const inner = text.slice(1, -1);
  const out: Record<string, string> = {};
  LABEL_PAIR_RE.lastIndex = 0;
  let pos = 0;
  while (pos < inner.length) {
    LABEL_PAIR_RE.lastIndex = pos;
    const m = LABEL_PAIR_RE.exec(inner);
    if (!m) throw new ExpositionError(`line ${lineNo}: malformed labels ${text}`);
    if (m[1]! in out) throw new ExpositionError(`line ${lineNo}: label ${m[1]} given twice`);
    out[m[1]!] = unescapeLabel(m[2]!);
    pos = LABEL_PAIR_RE.lastIndex;
    if (m[3] === '' && pos < inner.length) throw new ExpositionError(`line ${lineNo}: malformed labels ${text}`);
  }
  return out;
}

function parseValue(raw: string, lineNo: number): number {
  if (raw === '+Inf' || raw === 'Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  if (raw === 'NaN') return NaN;
  const v = Number(raw);
  if (raw === '' || Number.isNaN(v)) throw new ExpositionError(`line ${lineNo}: value ${JSON.stringify(raw)} is not a number`);
  return v;
}

/** The family a sample belongs to: its name less a histogram/summary/counter suffix. */
function familyOf(name: string, families: Map<string, ParsedFamily>): ParsedFamily | undefined {
  const direct = families.get(name);
  if (direct) return direct;
  for (const suffix of ['_bucket', '_sum', '_count', '_total', '_created']) {
    if (name.endsWith(suffix)) {
      const f = families.get(name.slice(0, -suffix.length));
      if (f) return f;
    }
  }
  return undefined;
}

function checkHistogram(f: ParsedFamily): void {
  const series = new Map<string, { buckets: Array<[number, number]>; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    let entry = series.get(key);
    if (!entry) series.set(key, (entry = { buckets: [] }));
    if (s.name === `${f.name}_bucket`) {
      if (le === undefined) throw new ExpositionError(`${f.name}: a bucket without an le label`);
      entry.buckets.push([parseValue(le, 0), s.value]);
    } else if (s.name === `${f.name}_count`) entry.count = s.value;
    else if (s.name !== `${f.name}_sum`) throw new ExpositionError(`${f.name}: unexpected sample ${s.name} in a histogram`);
  }
  for (const [key, e] of series) {
    if (e.buckets.length === 0) throw new ExpositionError(`${f.name}${key}: no buckets`);
    for (let i = 1; i < e.buckets.length; i++) {
      if (!(e.buckets[i]![0] > e.buckets[i - 1]![0])) throw new ExpositionError(`${f.name}${key}: buckets not in ascending le order`);
      if (e.buckets[i]![1] < e.buckets[i - 1]![1]) throw new ExpositionError(`${f.name}${key}: bucket counts are not cumulative`);
    }
    const last = e.buckets[e.buckets.length - 1]!;
    if (last[0] !== Infinity) throw new ExpositionError(`${f.name}${key}: no +Inf bucket`);
    if (e.count !== undefined && e.count !== last[1]) throw new ExpositionError(`${f.name}${key}: _count ${e.count} differs from the +Inf bucket ${last[1]}`);
  }
}

/** Every family in the text, in order; throws ExpositionError on the first invalid line. */
export function parseExposition(text: string): ParsedFamily[] {
  const families = new Map<string, ParsedFamily>();
  const closed = new Set<string>();
  let current: ParsedFamily | undefined;
  const open = (name: string): ParsedFamily => {
    let f = families.get(name);
    if (!f) {
      if (closed.has(name)) throw new ExpositionError(`family ${name} appears twice, apart`);
      f = { name, type: 'untyped', help: '', samples: [] };
      families.set(name, f);
    }
    if (current && current !== f) closed.add(current.name);
    current = f;
    return f;
  };
  const lines = text.split('\n');
  if (text.length > 0 && !text.endsWith('\n')) throw new ExpositionError('the text does not end with a newline');
  lines.forEach((line, i) => {
    const lineNo = i + 1;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const m = /^#\s*(HELP|TYPE)\s+(\S+)(?:\s+(.*))?$/.exec(line);
      if (!m) return; // a plain comment
      const [, kw, name, rest = ''] = m;
      if (!new RegExp(`^${NAME}$`).test(name!)) throw new ExpositionError(`line ${lineNo}: invalid metric name ${name}`);
      const f = families.get(name!);
      if (kw === 'TYPE') {
        if (!TYPES.has(rest.trim())) throw new ExpositionError(`line ${lineNo}: unknown type ${JSON.stringify(rest)}`);
        if (f && (f.samples.length > 0 || f.type !== 'untyped')) throw new ExpositionError(`line ${lineNo}: TYPE for ${name} after its samples or twice`);
        open(name!).type = rest.trim() as ParsedFamily['type'];
      } else {
        if (f?.help) throw new ExpositionError(`line ${lineNo}: HELP for ${name} twice`);
        open(name!).help = rest;
      }
      return;
    }
    const m = SAMPLE_RE.exec(line);
    if (!m) throw new ExpositionError(`line ${lineNo}: not a sample: ${line}`);
    const [, name, labelText, rawValue] = m;
    const labels = labelText ? parseLabels(labelText, lineNo) : {};
    const value = parseValue(rawValue!, lineNo);
    const f = familyOf(name!, families) ?? open(name!);
    if (f !== current) {
      if (closed.has(f.name)) throw new ExpositionError(`line ${lineNo}: samples of ${f.name} are not together`);
      open(f.name);
    }
    if (f.type === 'counter' && value < 0) throw new ExpositionError(`line ${lineNo}: counter ${name} is negative`);
    f.samples.push({ name: name!, labels, value });
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return [...families.values()];
}

/** The samples named `name` (exactly), across families. */
export function samplesNamed(families: ParsedFamily[], name: string): ParsedSample[] {
  const out: ParsedSample[] = [];
  for (const f of families) for (const s of f.samples) if (s.name === name) out.push(s);
  return out;
}

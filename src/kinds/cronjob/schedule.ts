// A CronJob's schedule, with the semantics of robfig/cron v3's ParseStandard (what upstream's
// validation and controller use): five fields (minute hour day-of-month month day-of-week),
// `*` `?` ranges `a-b` steps `/n` lists `,` and the names jan..dec / sun..sat; the descriptors
// @yearly @annually @monthly @weekly @daily @midnight @hourly and `@every <duration>`. When both
// day fields are restricted a day matches either (the OR rule); when one is `*` or `?`, the other
// decides. Errors are robfig's words. Times are computed on the wall clock of an IANA zone.

export interface Schedule {
  /** The first activation strictly after `after` (ms since the epoch). */
  next(after: number): number;
}

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const FIELDS: readonly Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS },
  { min: 0, max: 6, names: DAYS },
];
const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** A field's allowed values, and whether it was `*` or `?` (robfig's starBit). */
interface FieldSet {
  values: Set<number>;
  star: boolean;
}

function parseInt10(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`failed to parse int from ${s}: strconv.Atoi: parsing "${s}": invalid syntax`);
  return Number(s);
}

function valueOf(s: string, b: Bounds): number {
  const named = b.names?.[s.toLowerCase()];
  return named ?? parseInt10(s);
}

/** getRange: one comma-separated part. */
function parseRange(expr: string, b: Bounds, set: FieldSet): void {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  const singleDigit = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
    star = true;
  } else {
    start = valueOf(lowAndHigh[0]!, b);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = valueOf(lowAndHigh[1]!, b);
    else throw new Error(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = parseInt10(rangeAndStep[1]!);
    if (singleDigit) end = b.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new Error(`too many slashes: ${expr}`);
  }
  if (start < b.min) throw new Error(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new Error(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new Error(`step of range should be a positive number: ${expr}`);
  for (let v = start; v <= end; v += step) set.values.add(v);
  if (star) set.star = true;
}

function parseField(field: string, b: Bounds): FieldSet {
  const set: FieldSet = { values: new Set(), star: false };
  for (const part of field.split(',')) parseRange(part, b, set);
  return set;
}

/** Go's time.ParseDuration for the units cron specs use. */
function parseDuration(s: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  if (s === '' || s === '0') {
    if (s === '0') return 0;
    throw new Error(`failed to parse duration ${s}: time: invalid duration ""`);
  }
  let total = 0;
  let i = 0;
  re.lastIndex = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * units[m[2]!]!;
    i = re.lastIndex;
  }
  if (i !== s.length) throw new Error(`failed to parse duration ${s}: time: invalid duration "${s}"`);
  return total;
}

/** The wall-clock fields of an instant in a zone. */
function wallClock(ms: number, fmt: Intl.DateTimeFormat): { y: number; mo: number; d: number; h: number; mi: number; dow: number } {
  const parts: Record<string, string> = {};
  for (const p of fmt.formatToParts(new Date(ms))) parts[p.type] = p.value;
  const y = Number(parts.year);
  const mo = Number(parts.month);
  const d = Number(parts.day);
  return { y, mo, d, h: Number(parts.hour) % 24, mi: Number(parts.minute), dow: new Date(Date.UTC(y, mo - 1, d)).getUTCDay() };
}

/** The zone's offset (ms) at an instant. */
function offsetAt(ms: number, fmt: Intl.DateTimeFormat): number {
  const w = wallClock(ms, fmt);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi) - Math.floor(ms / 60_000) * 60_000;
}

function zoneFormat(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
}

/** Whether Node's zone data knows an IANA name (time.LoadLocation). */
export function isKnownTimeZone(name: string): boolean {
  try {
    zoneFormat(name);
    return true;
  } catch {
    return false;
  }
}

/** ParseStandard. Throws robfig's error. */
export function parseSchedule(spec: string, timeZone = 'UTC'): Schedule {
  const trimmed = spec.trim();
  if (trimmed === '') throw new Error('empty spec string');
  // robfig's CRON_TZ= / TZ= prefix names the zone in the spec itself.
  const tz = /^(?:CRON_TZ|TZ)=(\S+)\s+(.*)$/.exec(trimmed);
  if (tz) {
    if (!isKnownTimeZone(tz[1]!)) throw new Error(`provided bad location ${tz[1]}: unknown time zone ${tz[1]}`);
    return parseSchedule(tz[2]!, tz[1]!);
  }
  const fmt = zoneFormat(timeZone);
  if (trimmed.startsWith('@every ')) {
    const every = parseDuration(trimmed.slice('@every '.length).trim());
    if (every < 1000) throw new Error(`failed to parse duration ${trimmed}: delay must be at least one second`);
    // ConstantDelaySchedule: whole seconds, from the previous activation (rounded to the second).
    const period = Math.floor(every / 1000) * 1000;
    return { next: (after) => Math.floor(after / 1000) * 1000 + period };
  }
  let expr = trimmed;
  if (expr.startsWith('@')) {
    const d = DESCRIPTORS[expr];
    if (!d) throw new Error(`unrecognized descriptor: ${expr}`);
    expr = d;
  }
  const fields = expr.split(/\s+/);
  if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  const [minute, hour, dom, month, dow] = fields.map((f, i) => parseField(f, FIELDS[i]!)) as [FieldSet, FieldSet, FieldSet, FieldSet, FieldSet];
  const dayMatches = (d: number, wd: number): boolean =>
    dom.star || dow.star ? dom.values.has(d) && dow.values.has(wd) : dom.values.has(d) || dow.values.has(wd);

  return {
    next(after) {
      // Walk the zone's wall clock from the minute after `after`, skipping a month, a day or an
      // hour at a time where that field cannot match; give up after five years (robfig's bound).
      let t = Math.floor(after / 60_000) * 60_000 + 60_000;
      const limit = t + 5 * 366 * 86_400_000;
      while (t <= limit) {
        const w = wallClock(t, fmt);
        if (!month.values.has(w.mo)) {
          t = wallToInstant(Date.UTC(w.y, w.mo, 1), fmt);
          continue;
        }
        if (!dayMatches(w.d, w.dow)) {
          t = wallToInstant(Date.UTC(w.y, w.mo - 1, w.d + 1), fmt);
          continue;
        }
        if (!hour.values.has(w.h)) {
          t = wallToInstant(Date.UTC(w.y, w.mo - 1, w.d, w.h + 1), fmt);
          continue;
        }
        if (!minute.values.has(w.mi)) {
          t += 60_000;
          continue;
        }
        return t;
      }
      return Number.POSITIVE_INFINITY;
    },
  };
}

/** The instant whose wall clock in the zone is `wall` (a wall time in a gap maps past the gap). */
function wallToInstant(wall: number, fmt: Intl.DateTimeFormat): number {
  let t = wall - offsetAt(wall, fmt);
  t = wall - offsetAt(t, fmt);
  return t;
}

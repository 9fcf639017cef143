// Small pictures for a terminal: a sparkline of a series (one cell per interval, eight heights),
// squeezed to a width by adding neighbouring intervals together.
const LEVELS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/** A cell with nothing in it: a zero is not the smallest bar. */
const NONE = '·';

/** `values` added up in `groups` runs of about equal length (each a sum). */
export function squeeze(values: readonly number[], width: number): number[] {
  if (values.length <= width) return [...values];
  const out: number[] = [];
  for (let g = 0; g < width; g++) {
    const from = Math.floor((g * values.length) / width);
    const to = Math.floor(((g + 1) * values.length) / width);
    let sum = 0;
    for (let i = from; i < to; i++) sum += values[i]!;
    out.push(sum / (to - from));
  }
  return out;
}

/** One cell per value, the tallest for `max` (default: the largest value); `·` for 0. */
export function sparkline(values: readonly number[], max = Math.max(0, ...values)): string {
  return values
    .map((v) => {
      if (v <= 0 || max <= 0) return NONE;
      const level = Math.min(LEVELS.length - 1, Math.max(0, Math.ceil((v / max) * LEVELS.length) - 1));
      return LEVELS[level]!;
    })
    .join('');
}

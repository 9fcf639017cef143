// "Did you mean ...?" for a mistyped command or flag, as cobra (kubectl's command library) finds
// them: candidates within a Levenshtein distance of 2, or that start with what was typed.

/** Edit distance between a and b (insertions, deletions, substitutions). */
export function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** The candidates close to `typed`, closest first (cobra's SuggestionsMinimumDistance is 2). */
export function suggestionsFor(typed: string, candidates: readonly string[], maxDistance = 2): string[] {
  const t = typed.toLowerCase();
  if (!t) return [];
  const scored: Array<{ c: string; d: number }> = [];
  for (const c of candidates) {
    const d = levenshtein(t, c.toLowerCase());
    if (d <= maxDistance || (t.length >= 2 && c.toLowerCase().startsWith(t))) scored.push({ c, d });
  }
  return scored.sort((x, y) => x.d - y.d || x.c.localeCompare(y.c)).map((s) => s.c);
}

/** cobra's wording: "\n\nDid you mean this?\n\tstatus\n", or '' when nothing is close. */
export function didYouMean(typed: string, candidates: readonly string[]): string {
  const s = suggestionsFor(typed, candidates);
  return s.length ? `\n\nDid you mean this?\n${s.map((c) => `\t${c}`).join('\n')}\n` : '';
}

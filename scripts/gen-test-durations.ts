// Writes test/support/test-durations.json from vitest's own record of the last run of each test
// file (node_modules/.vite/vitest/<hash>/results.json): seconds per file, for the sequencer
// (test/support/sequencer.ts) to start the longest files first on a machine that has no such
// record yet (a fresh clone, CI). Run it after a full `npm test`: `npm run gen:test-durations`.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = process.cwd();
const cacheRoot = path.join(root, 'node_modules/.vite/vitest');
type Results = { results: Array<[string, { duration?: number }]> };

const durations = new Map<string, number>();
for (const dir of readdirSync(cacheRoot)) {
  let parsed: Results;
  try {
    parsed = JSON.parse(readFileSync(path.join(cacheRoot, dir, 'results.json'), 'utf8')) as Results;
  } catch {
    continue;
  }
  for (const [key, r] of parsed.results) {
    const file = key.slice(key.indexOf(':') + 1);
    if (typeof r.duration === 'number' && r.duration > 0) durations.set(file, Math.max(1, Math.round(r.duration / 1000)));
  }
}
if (durations.size === 0) throw new Error(`no vitest results under ${cacheRoot}: run npm test first`);
const sorted = Object.fromEntries([...durations.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
const out = path.join(root, 'test/support/test-durations.json');
writeFileSync(out, `${JSON.stringify(sorted, null, 2)}\n`);
console.log(`${out}: ${durations.size} files`);

// The order vitest starts test files in: longest first (so a slow file never starts last and
// holds the run up alone), by this machine's record of the last run when it has one, else by the
// committed record (test/support/test-durations.json, written by `npm run gen:test-durations`);
// files in neither record first, as vitest runs unknown files first.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const committed = JSON.parse(readFileSync(new URL('./test-durations.json', import.meta.url), 'utf8')) as Record<string, number>;

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const seconds = (spec: TestSpecification): number => {
      const file = path.relative(root, spec.moduleId);
      const cached = this.ctx.cache.getFileTestResults(`${spec.project.name}:${file}`)?.duration;
      if (cached !== undefined) return cached / 1000;
      return committed[file] ?? 1e9;
    };
    return [...files].sort((a, b) => seconds(b) - seconds(a));
  }
}

// How long a built-in container runs and how it exits, from its restart policy and env.
import { describe, expect, it } from 'vitest';
import { containerLifetime, DEFAULT_BATCH_RUN_SECONDS } from '../../nodes/container-lifetime.js';

const env = (vars: Record<string, string>) => Object.entries(vars).map(([name, value]) => ({ name, value }));

describe('container lifetime', () => {
  it.each([
    ['a server (Always) runs until stopped', 'Always', {}, undefined, 0],
    ['a pod with no policy is a server', undefined, {}, undefined, 0],
    ['a Never pod runs the default time and exits 0', 'Never', {}, DEFAULT_BATCH_RUN_SECONDS * 1000, 0],
    ['an OnFailure pod too', 'OnFailure', {}, DEFAULT_BATCH_RUN_SECONDS * 1000, 0],
    ['RUN_SECONDS sets the run, decimals allowed', 'Never', { RUN_SECONDS: '0.25' }, 250, 0],
    ['RUN_SECONDS ends a server too', 'Always', { RUN_SECONDS: '10' }, 10_000, 0],
    ['EXIT_CODE sets the exit code', 'OnFailure', { EXIT_CODE: '42' }, DEFAULT_BATCH_RUN_SECONDS * 1000, 42],
  ] as const)('%s', (_rule, policy, vars, runMs, exitCode) => {
    const l = containerLifetime(env(vars), policy);
    expect(l).toEqual({ runMs, exitCode, problems: [] });
  });

  it.each([
    ['a negative run', 'RUN_SECONDS', '-1'],
    ['a run that is not a number', 'RUN_SECONDS', 'forever'],
    ['a run longer than a day', 'RUN_SECONDS', '90000'],
    ['an exit code above 255', 'EXIT_CODE', '256'],
    ['a fractional exit code', 'EXIT_CODE', '1.5'],
    ['an empty exit code', 'EXIT_CODE', ''],
  ])('ignores %s and says which variable and rule', (_rule, name, value) => {
    const l = containerLifetime([{ name, value }], 'Never');
    expect(l.runMs).toBe(DEFAULT_BATCH_RUN_SECONDS * 1000);
    expect(l.exitCode).toBe(0);
    expect(l.problems).toHaveLength(1);
    expect(l.problems[0]).toContain(name);
    expect(l.problems[0]).toMatch(/must be/);
  });
});

// The supervisor's restart back-off: at once, then 0.5 s doubling, capped at 5 s.
import { describe, expect, it } from 'vitest';
import { restartDelayMs } from '../../src/supervisor/backoff.js';
import { formatTable } from '../../src/cli/table.js';

describe('restartDelayMs', () => {
  const cases: Array<[failuresInARow: number, delayMs: number]> = [
    [0, 0],
    [1, 500],
    [2, 1000],
    [3, 2000],
    [4, 4000],
    [5, 5000],
    [50, 5000],
  ];
  it.each(cases)('after %i failures in a row: %i ms', (failures, delay) => {
    expect(restartDelayMs(failures)).toBe(delay);
  });
});

describe('formatTable', () => {
  it('aligns columns three spaces apart, as kubectl does, and shows <none> for empty cells', () => {
    expect(formatTable(['NAME', 'PID'], [['control-plane', 12], ['node-1', null]])).toBe(
      'NAME            PID\ncontrol-plane   12\nnode-1          <none>',
    );
  });
});

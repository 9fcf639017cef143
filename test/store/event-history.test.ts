// The history's byte bound: past maxBytes the oldest events go and the horizon moves to them, so
// a watch from before answers Compacted (and relists), while the newest event is always kept.
import { describe, expect, it } from 'vitest';
import { createEventHistory } from '../../src/store/event-history.js';

interface Ev {
  revision: number;
  bytes: number;
}

describe('event history bounded by bytes as well as events', () => {
  it.each([
    // [what, limit, maxBytes, sizes appended (revisions 1..n), held revisions, horizon]
    ['all fit', 10, 100, [10, 20, 30], [1, 2, 3], 0],
    ['the oldest go once the bytes are over', 10, 50, [10, 20, 30], [2, 3], 1],
    ['one event over the bound alone is kept', 10, 50, [10, 80], [2], 1],
    ['the event limit still applies', 2, 1000, [1, 1, 1], [2, 3], 1],
    ['a large event pushes out several', 10, 100, [30, 30, 30, 90], [4], 3],
  ])('%s', (_what, limit, maxBytes, sizes, held, horizon) => {
    const h = createEventHistory<Ev>(limit, 0, { maxBytes, sizeOf: (e) => e.bytes });
    sizes.forEach((bytes, i) => h.append({ revision: i + 1, bytes }));
    expect(h.since(0).map((e) => e.revision)).toEqual(held);
    expect(h.horizon()).toBe(horizon);
    expect(h.bytes()).toBe(held.reduce((sum, r) => sum + sizes[r - 1]!, 0));
  });

  it('starts empty after a reset, bytes included', () => {
    const h = createEventHistory<Ev>(10, 0, { maxBytes: 100, sizeOf: (e) => e.bytes });
    h.append({ revision: 1, bytes: 60 });
    h.reset(5);
    h.append({ revision: 6, bytes: 60 });
    expect(h.since(0).map((e) => e.revision)).toEqual([6]);
    expect(h.bytes()).toBe(60);
  });
});

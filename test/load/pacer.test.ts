// The open-loop schedule (`--rate`): which request goes when, and where its latency counts from.
// Driven by a clock the test sets and vitest's fake timers, so every assertion is on the schedule
// itself, never on how fast this machine is.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPacer } from '../../src/load/pacer.js';

let now = 0;
const clock = (): number => now;

beforeEach(() => {
  vi.useFakeTimers();
  now = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

/** Advances the clock and the timers together, 1 ms at a time. */
function advance(ms: number): void {
  for (let i = 0; i < ms; i++) {
    now++;
    vi.advanceTimersByTime(1);
  }
}

describe('pacer', () => {
  it('hands out one request per interval (100/s: every 10 ms), whichever connection is free', () => {
    const sent: Array<[string, number, number]> = [];
    const p = createPacer<string>(100, 0, (c, from) => sent.push([c, now, from]), clock);
    p.ready('a', 0);
    p.ready('b', 0);
    advance(35);
    // Due at 0, 10, 20, 30: 'a' takes the first at once; then the waiting connections in turn.
    expect(sent.map(([c]) => c)).toEqual(['a', 'b']);
    // Ready again at 35: the requests due at 20 and 30 go at once (the schedule keeps its rate),
    // counted from when they were due; the next one waits for 40.
    p.ready('a', now);
    p.ready('b', now);
    p.ready('a', now);
    advance(10);
    expect(sent).toEqual([
      ['a', 0, 0],
      ['b', 10, 10],
      ['a', 35, 20],
      ['b', 35, 30],
      ['a', 40, 40],
    ]);
    p.stop();
  });

  const cases: Array<{ rule: string; busyUntil: number; wantFrom: number }> = [
    { rule: 'every connection busy: a request due at 10 sent at 25 counts from 10 (the server kept it waiting)', busyUntil: 25, wantFrom: 10 },
    { rule: 'a due request taken at once counts from when it was due', busyUntil: 10, wantFrom: 10 },
  ];
  for (const tc of cases) {
    it(tc.rule, () => {
      const sent: Array<[string, number]> = [];
      const p = createPacer<string>(100, 0, (c, from) => sent.push([c, from]), clock);
      p.ready('a', 0); // slot 0
      now = tc.busyUntil;
      p.ready('a', now); // slot 1 was due at 10
      expect(sent).toEqual([
        ['a', 0],
        ['a', tc.wantFrom],
      ]);
      p.stop();
    });
  }

  it("a connection that stood ready counts from when it was sent, not the pacer's late wake-up", () => {
    const sent: Array<[string, number, number]> = [];
    const p = createPacer<string>(100, 0, (c, from) => sent.push([c, now, from]), clock);
    p.ready('a', 0);
    p.ready('b', 0); // waits for slot 1, due at 10
    // The timer fires late (the event loop was busy until 17).
    now = 17;
    vi.advanceTimersByTime(17);
    expect(sent).toEqual([
      ['a', 0, 0],
      ['b', 17, 17],
    ]);
    p.stop();
  });

  it('requests that fell due while every connection was busy go out back to back once one is free', () => {
    const sent: number[] = [];
    const p = createPacer<string>(1000, 0, (_c, from) => sent.push(from), clock); // every 1 ms
    p.ready('a', 0);
    now = 5; // 'a' answered at 5: slots 1..5 are due
    for (let i = 0; i < 5; i++) p.ready('a', now);
    expect(sent).toEqual([0, 1, 2, 3, 4, 5]);
    p.stop();
  });

  it('a finished connection is forgotten and no longer sent anything', () => {
    const sent: string[] = [];
    const p = createPacer<string>(100, 0, (c) => sent.push(c), clock);
    p.ready('a', 0);
    p.ready('b', 0);
    p.forget('b');
    advance(30);
    expect(sent).toEqual(['a']);
    p.stop();
  });
});

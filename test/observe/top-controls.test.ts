// `loopkube top`'s keys: what the terminal sends, and what each key does to the view.
import { describe, expect, it } from 'vitest';
import { applyKey, initialTopState, parseKeys, type Key, type TopState } from '../../src/observe/top-controls.js';

describe('parseKeys', () => {
  const cases: Array<[string, string, Key[]]> = [
    ['plain characters', 'qs/', [{ kind: 'char', char: 'q' }, { kind: 'char', char: 's' }, { kind: 'char', char: '/' }]],
    ['arrows, both cursor modes', '\x1b[A\x1bOB', [{ kind: 'up' }, { kind: 'down' }]],
    ['page keys', '\x1b[5~\x1b[6~', [{ kind: 'pgup' }, { kind: 'pgdn' }]],
    ['home and end, xterm and vt forms', '\x1b[H\x1b[1~\x1b[F\x1b[4~', [{ kind: 'home' }, { kind: 'home' }, { kind: 'end' }, { kind: 'end' }]],
    ['Enter, Backspace, Esc alone, Ctrl-C', '\r\x7f\x1b\x03', [{ kind: 'enter' }, { kind: 'backspace' }, { kind: 'esc' }, { kind: 'interrupt' }]],
    ['an unknown CSI sequence is dropped whole', '\x1b[1;5Cx', [{ kind: 'char', char: 'x' }]],
  ];
  for (const [name, input, want] of cases) it(name, () => expect(parseKeys(input)).toEqual(want));
});

describe('applyKey', () => {
  const ctx = { namespaces: ['default', 'shop'], page: 10, lines: 35 };
  const s0 = initialTopState();
  const ch = (c: string): Key => ({ kind: 'char', char: c });
  const cases: Array<{ name: string; from?: Partial<TopState>; keys: Key[]; want: Partial<TopState>; quit?: boolean }> = [
    { name: 'sorts by requests/s by default', keys: [], want: { sort: 'requests' } },
    { name: 's cycles the sort', keys: [ch('s'), ch('s')], want: { sort: 'bytes' } },
    { name: 's wraps around to requests/s', keys: [ch('s'), ch('s'), ch('s'), ch('s'), ch('s')], want: { sort: 'requests' } },
    { name: 'n cycles namespaces and back to all', keys: [ch('n'), ch('n')], want: { namespace: 'shop' } },
    { name: 'n after the last is all', keys: [ch('n'), ch('n'), ch('n')], want: { namespace: null } },
    { name: '/ types a filter, Enter keeps it', keys: [ch('/'), ch('w'), ch('e'), ch('x'), { kind: 'backspace' }, ch('b'), { kind: 'enter' }], want: { filter: 'web', editing: null } },
    { name: 'keys typed in a filter are text, not commands', keys: [ch('/'), ch('q'), ch('s')], want: { editing: 'qs', sort: 'requests' } },
    { name: 'Esc while typing clears the filter', from: { filter: 'old' }, keys: [ch('/'), ch('x'), { kind: 'esc' }], want: { filter: '', editing: null } },
    { name: 'Esc clears an applied filter', from: { filter: 'old' }, keys: [{ kind: 'esc' }], want: { filter: '' } },
    { name: 'down and up scroll a line', keys: [{ kind: 'down' }, { kind: 'down' }, { kind: 'up' }], want: { scroll: 1 } },
    { name: 'up never goes above the top', keys: [{ kind: 'up' }], want: { scroll: 0 } },
    { name: 'PgDn moves a page less a line of overlap', keys: [{ kind: 'pgdn' }], want: { scroll: 9 } },
    { name: 'PgDn stops at the end', keys: [{ kind: 'pgdn' }, { kind: 'pgdn' }, { kind: 'pgdn' }, { kind: 'pgdn' }], want: { scroll: 25 } },
    { name: 'End and Home', keys: [{ kind: 'end' }, { kind: 'pgup' }, { kind: 'home' }], want: { scroll: 0 } },
    { name: 'a filter starts from the top', from: { scroll: 7 }, keys: [ch('/'), ch('a'), { kind: 'enter' }], want: { scroll: 0 } },
    { name: 'q quits', keys: [ch('q')], want: {}, quit: true },
    { name: 'Ctrl-C quits even while typing', keys: [ch('/'), { kind: 'interrupt' }], want: {}, quit: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      let state: TopState = { ...s0, ...c.from };
      let quit = false;
      for (const k of c.keys) {
        const r = applyKey(state, k, ctx);
        state = r.state;
        quit ||= r.quit;
      }
      expect(state).toMatchObject(c.want);
      expect(quit).toBe(c.quit ?? false);
    });
  }
});

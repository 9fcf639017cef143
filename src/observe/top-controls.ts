// `loopkube top`'s keyboard, as k9s users expect it: q quits, arrows / PgUp / PgDn / Home / End
// scroll, `/` starts a filter (Enter keeps it, Esc clears it), `s` changes the sort, `n` cycles
// the namespaces. Pure: keys in, the next state out; the terminal lives in src/cli/top.ts.

export type SortKey = 'requests' | 'connections' | 'bytes' | 'active' | 'name';

export const SORT_ORDER: readonly SortKey[] = ['requests', 'connections', 'bytes', 'active', 'name'];
export const SORT_LABEL: Record<SortKey, string> = { requests: 'REQ/S', connections: 'CONN/S', bytes: 'BYTES/S', active: 'ACTIVE', name: 'NAME' };

export interface TopState {
  sort: SortKey;
  /** Applied filter (case-insensitive substring of service, pod, node or address). */
  filter: string;
  /** The filter being typed after `/`, or null. */
  editing: string | null;
  /** null: every namespace. */
  namespace: string | null;
  /** First body line shown. */
  scroll: number;
}

export type Key =
  | { kind: 'char'; char: string }
  | { kind: 'up' | 'down' | 'pgup' | 'pgdn' | 'home' | 'end' | 'enter' | 'esc' | 'backspace' | 'interrupt' };

export function initialTopState(): TopState {
  return { sort: 'requests', filter: '', editing: null, namespace: null, scroll: 0 };
}

const SEQUENCES: Array<[string, Key]> = [
  ['\x1b[A', { kind: 'up' }],
  ['\x1bOA', { kind: 'up' }],
  ['\x1b[B', { kind: 'down' }],
  ['\x1bOB', { kind: 'down' }],
  ['\x1b[5~', { kind: 'pgup' }],
  ['\x1b[6~', { kind: 'pgdn' }],
  ['\x1b[H', { kind: 'home' }],
  ['\x1b[1~', { kind: 'home' }],
  ['\x1bOH', { kind: 'home' }],
  ['\x1b[F', { kind: 'end' }],
  ['\x1b[4~', { kind: 'end' }],
  ['\x1bOF', { kind: 'end' }],
];

/** Splits what the terminal sent (raw mode) into keys; unknown escape sequences are dropped. */
export function parseKeys(data: string): Key[] {
  const keys: Key[] = [];
  let i = 0;
  while (i < data.length) {
    const c = data[i]!;
    if (c === '\x1b') {
      const seq = SEQUENCES.find(([s]) => data.startsWith(s, i));
      if (seq) {
        keys.push(seq[1]);
        i += seq[0].length;
        continue;
      }
      if (i + 1 >= data.length || data[i + 1] !== '[') {
        keys.push({ kind: 'esc' });
        i++;
        continue;
      }
      // another CSI sequence: skip to its final byte
      let j = i + 2;
      while (j < data.length && !/[@-~]/.test(data[j]!)) j++;
      i = j + 1;
      continue;
    }
    if (c === '\r' || c === '\n') keys.push({ kind: 'enter' });
    else if (c === '\x7f' || c === '\b') keys.push({ kind: 'backspace' });
    else if (c === '\x03') keys.push({ kind: 'interrupt' });
    else if (c >= ' ') keys.push({ kind: 'char', char: c });
    i++;
  }
  return keys;
}

export interface KeyContext {
  /** Namespaces to cycle through with `n`, sorted. */
  namespaces: readonly string[];
  /** Body lines that fit on the screen. */
  page: number;
  /** Body lines there are. */
  lines: number;
}

/** The state after one key, and whether top should quit. */
export function applyKey(state: TopState, key: Key, ctx: KeyContext): { state: TopState; quit: boolean } {
  const maxScroll = Math.max(0, ctx.lines - ctx.page);
  const at = (scroll: number): TopState => ({ ...state, scroll: Math.max(0, Math.min(maxScroll, scroll)) });
  if (key.kind === 'interrupt') return { state, quit: true };
  if (state.editing !== null) {
    switch (key.kind) {
      case 'enter':
        return { state: { ...state, filter: state.editing.trim(), editing: null, scroll: 0 }, quit: false };
      case 'esc':
        return { state: { ...state, filter: '', editing: null, scroll: 0 }, quit: false };
      case 'backspace':
        return { state: { ...state, editing: state.editing.slice(0, -1) }, quit: false };
      case 'char':
        return { state: { ...state, editing: state.editing + key.char }, quit: false };
      default:
        return { state, quit: false };
    }
  }
  switch (key.kind) {
    case 'up':
      return { state: at(state.scroll - 1), quit: false };
    case 'down':
      return { state: at(state.scroll + 1), quit: false };
    case 'pgup':
      return { state: at(state.scroll - Math.max(1, ctx.page - 1)), quit: false };
    case 'pgdn':
      return { state: at(state.scroll + Math.max(1, ctx.page - 1)), quit: false };
    case 'home':
      return { state: at(0), quit: false };
    case 'end':
      return { state: at(maxScroll), quit: false };
    case 'esc':
      return { state: { ...state, filter: '', scroll: 0 }, quit: false };
    case 'char':
      break;
    default:
      return { state, quit: false };
  }
  switch (key.char) {
    case 'q':
      return { state, quit: true };
    case '/':
      return { state: { ...state, editing: '' }, quit: false };
    case 's': {
      const next = SORT_ORDER[(SORT_ORDER.indexOf(state.sort) + 1) % SORT_ORDER.length]!;
      return { state: { ...state, sort: next }, quit: false };
    }
    case 'n': {
      const list = ctx.namespaces;
      const i = state.namespace === null ? -1 : list.indexOf(state.namespace);
      const next = i + 1 < list.length ? list[i + 1]! : null;
      return { state: { ...state, namespace: next, scroll: 0 }, quit: false };
    }
    case 'j':
      return { state: at(state.scroll + 1), quit: false };
    case 'k':
      return { state: at(state.scroll - 1), quit: false };
    case 'g':
      return { state: at(0), quit: false };
    case 'G':
      return { state: at(maxScroll), quit: false };
    default:
      return { state, quit: false };
  }
}

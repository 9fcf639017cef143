// The toolbox sh's grammar above a simple command: a line is a list of commands joined by `;`,
// `&&` and `||`; a command is a simple one (words, expanded later by parseLine in shell.ts) or
// `for NAME in WORDS; do LIST; done`; `$(...)` anywhere but in single quotes is a command
// substitution. Scanning keeps each command's text raw, so a loop body is expanded on every
// iteration and a substitution runs only when its command does, as sh does.
export type Op = ';' | '&&' | '||';

export class ShellSyntaxError extends Error {}

export type Command =
  | { kind: 'simple'; text: string; op: Op }
  | { kind: 'for'; name: string; words: string; body: Command[]; op: Op };

interface Segment {
  text: string;
  op: Op;
}

/** Index just past the `)` that closes the `$(` whose `(` is at `open`; throws when unclosed. */
function closeOfSubstitution(line: string, open: number): number {
  let depth = 1;
  let i = open + 1;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) break;
      i = close + 1;
    } else if (ch === '"') {
      i = closeOfDoubleQuote(line, i);
    } else if (ch === '\\') i += 2;
    else if (ch === '$' && line[i + 1] === '(') i = closeOfSubstitution(line, i + 1);
    else if (ch === '(') {
      depth++;
      i++;
    } else if (ch === ')') {
      if (--depth === 0) return i + 1;
      i++;
    } else i++;
  }
  throw new ShellSyntaxError("syntax error: unterminated $(");
}

/** Index just past the `"` closing the double quote that opens at `open`. */
function closeOfDoubleQuote(line: string, open: number): number {
  let i = open + 1;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === '"') return i + 1;
    if (ch === '\\') i += 2;
    else if (ch === '$' && line[i + 1] === '(') i = closeOfSubstitution(line, i + 1);
    else i++;
  }
  throw new ShellSyntaxError('syntax error: unterminated quoted string');
}

/** Splits a line at its top-level `;`, `&&` and `||` (not in quotes or `$(...)`), up to a comment. */
export function splitList(line: string): Segment[] {
  const segments: Segment[] = [];
  let op: Op = ';';
  let start = 0;
  let i = 0;
  let atWordStart = true;
  const end = (next: Op | undefined, at: number): void => {
    const text = line.slice(start, at);
    if (!text.trim()) {
      if (next !== undefined) throw new ShellSyntaxError(`syntax error: unexpected "${next}"`);
      if (op !== ';') throw new ShellSyntaxError('syntax error: unexpected end of file');
      return;
    }
    segments.push({ text, op });
    if (next !== undefined) op = next;
  };
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) throw new ShellSyntaxError('syntax error: unterminated quoted string');
      i = close + 1;
    } else if (ch === '"') i = closeOfDoubleQuote(line, i);
    else if (ch === '\\') i += 2;
    else if (ch === '$' && line[i + 1] === '(') i = closeOfSubstitution(line, i + 1);
    else if (ch === '#' && atWordStart) break;
    else if (line.startsWith('&&', i) || line.startsWith('||', i)) {
      end(line.slice(i, i + 2) as Op, i);
      i += 2;
      start = i;
    } else if (ch === ';') {
      end(';', i);
      i++;
      start = i;
    } else i++;
    atWordStart = i > 0 && /[\s;&|]/.test(line[i - 1]!);
  }
  end(undefined, i);
  return segments;
}

const FOR_HEAD = /^\s*for\s+([A-Za-z_][A-Za-z0-9_]*)(?:\s+in(?:\s+(.*))?)?\s*$/s;
const firstWord = (text: string): string => /^\s*(\S*)/.exec(text)![1]!;

/** Groups the segments into commands: a `for` takes its `do ... done` body. */
export function parseCommands(line: string): Command[] {
  const segments = splitList(line);
  let i = 0;
  const list = (inside: boolean): Command[] => {
    const out: Command[] = [];
    while (i < segments.length) {
      const seg = segments[i]!;
      const word = firstWord(seg.text);
      if (word === 'done') {
        if (!inside) throw new ShellSyntaxError('syntax error: unexpected "done"');
        return out;
      }
      if (word === 'do') throw new ShellSyntaxError('syntax error: unexpected "do"');
      i++;
      if (word !== 'for') {
        out.push({ kind: 'simple', text: seg.text, op: seg.op });
        continue;
      }
      const head = FOR_HEAD.exec(seg.text);
      if (!head) throw new ShellSyntaxError('syntax error: bad for loop variable');
      const doSeg = segments[i];
      if (!doSeg || firstWord(doSeg.text) !== 'do') throw new ShellSyntaxError(doSeg ? `syntax error: unexpected "${firstWord(doSeg.text)}" (expecting "do")` : 'syntax error: unexpected end of file (expecting "do")');
      // the body's first command is the rest of the `do` segment
      const rest = doSeg.text.replace(/^\s*do\b/, '');
      if (rest.trim()) segments[i] = { text: rest, op: ';' };
      else i++;
      const body = list(true);
      if (i >= segments.length) throw new ShellSyntaxError('syntax error: unexpected end of file (expecting "done")');
      if (segments[i]!.text.trim() !== 'done') throw new ShellSyntaxError(`syntax error: unexpected "${segments[i]!.text.trim()}"`);
      if (!body.length) throw new ShellSyntaxError('syntax error: unexpected "done"');
      i++;
      out.push({ kind: 'for', name: head[1]!, words: head[2] ?? '', body, op: seg.op });
    }
    if (inside) throw new ShellSyntaxError('syntax error: unexpected end of file (expecting "done")');
    return out;
  };
  return list(false);
}

export interface Substitution {
  /** Where `$(` starts and just past its `)`. */
  start: number;
  end: number;
  /** The command line inside. */
  inner: string;
  /** Inside double quotes: its output stays one word. */
  quoted: boolean;
}

/** The top-level `$(...)` of a command's text, left to right. */
export function substitutions(text: string): Substitution[] {
  const out: Substitution[] = [];
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "'" && !quoted) {
      const close = text.indexOf("'", i + 1);
      i = close < 0 ? text.length : close + 1;
    } else if (ch === '"') {
      quoted = !quoted;
      i++;
    } else if (ch === '\\') i += 2;
    else if (ch === '$' && text[i + 1] === '(') {
      const end = closeOfSubstitution(text, i + 1);
      out.push({ start: i, end, inner: text.slice(i + 2, end - 1), quoted });
      i = end;
    } else i++;
  }
  return out;
}

/** A substitution's output as text parseLine reads back as sh would: split into words unquoted, one word quoted. */
export function substitutionText(output: string, quoted: boolean): string {
  const value = output.replace(/\n+$/, '');
  if (quoted) return value.replace(/["\\$]/g, (c) => `\\${c}`);
  return value
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => `'${w.replace(/'/g, `'\\''`)}'`)
    .join(' ');
}

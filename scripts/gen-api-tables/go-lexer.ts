// A lexer for the part of Go that API type files use: identifiers, literals, punctuation and
// comments, with Go's automatic semicolons (a newline after an identifier, a literal, `)`, `]`
// or `}` ends a statement), so the parser can read declarations line by line as Go does.

export type TokenKind = 'ident' | 'string' | 'rawstring' | 'number' | 'rune' | 'punct' | 'semi' | 'eof';

export interface Token {
  kind: TokenKind;
  /** The token's text; for strings, the decoded value. */
  text: string;
  line: number;
}

export interface Comment {
  /** The text after `//` (or the inside of a block comment), untrimmed. */
  text: string;
  line: number;
  /** The line the comment ends on (a block comment can span lines). */
  endLine: number;
  /** Whether code precedes the comment on its line (a trailing comment is nobody's doc). */
  trailing: boolean;
}

export interface Lexed {
  tokens: Token[];
  comments: Comment[];
}

const PUNCT3 = ['...', '<<=', '>>=', '&^='];
const PUNCT2 = ['==', '!=', '<=', '>=', '&&', '||', '<-', '++', '--', '+=', '-=', '*=', '/=', ':=', '<<', '>>', '&^', '|=', '&=', '^=', '%='];

function isIdentStart(c: string): boolean {
  return /[A-Za-z_]/.test(c) || c > '\x7f';
}
function isIdentPart(c: string): boolean {
  return /[A-Za-z0-9_]/.test(c) || c > '\x7f';
}

/** Decodes the escapes of an interpreted Go string literal (the subset API files use). */
function unquote(body: string): string {
  return body.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|[0-7]{3}|.)/g, (_, e: string) => {
    switch (e[0]) {
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      case 'a': return '\x07';
      case 'b': return '\b';
      case 'f': return '\f';
      case 'v': return '\v';
      case 'u':
      case 'U': return String.fromCodePoint(parseInt(e.slice(1), 16));
      case 'x': return String.fromCharCode(parseInt(e.slice(1), 16));
      default: return /^[0-7]{3}$/.test(e) ? String.fromCharCode(parseInt(e, 8)) : e;
    }
  });
}

export function lex(src: string, file: string): Lexed {
  const tokens: Token[] = [];
  const comments: Comment[] = [];
  let i = 0;
  let line = 1;
  const fail = (msg: string): never => {
    throw new Error(`${file}:${line}: ${msg}`);
  };
  const needsSemi = (): boolean => {
    const last = tokens[tokens.length - 1];
    if (!last || last.kind === 'semi') return false;
    if (last.kind === 'ident') return true;
    if (last.kind === 'string' || last.kind === 'rawstring' || last.kind === 'number' || last.kind === 'rune') return true;
    return last.kind === 'punct' && [')', ']', '}', '++', '--'].includes(last.text);
  };
  const lastCodeLine = (): number => tokens[tokens.length - 1]?.line ?? 0;
  const push = (kind: TokenKind, text: string, at = line): void => {
    tokens.push({ kind, text, line: at });
  };

  while (i < src.length) {
    const c = src[i] as string;
    if (c === '\n') {
      if (needsSemi()) push('semi', '\n');
      line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      const end = src.indexOf('\n', i);
      const stop = end < 0 ? src.length : end;
      comments.push({ text: src.slice(i + 2, stop), line, endLine: line, trailing: lastCodeLine() === line });
      i = stop;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) fail('unterminated block comment');
      const text = src.slice(i + 2, end);
      const startLine = line;
      const newlines = text.split('\n').length - 1;
      comments.push({ text, line: startLine, endLine: startLine + newlines, trailing: lastCodeLine() === startLine });
      if (newlines > 0 && needsSemi()) push('semi', '\n');
      line += newlines;
      i = end + 2;
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < src.length && isIdentPart(src[j] as string)) j++;
      const word = src.slice(i, j);
      push('ident', word);
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < src.length && /[0-9A-Za-z_.]/.test(src[j] as string)) {
        // exponent signs: 1e+9
        if ((src[j] === 'e' || src[j] === 'E' || src[j] === 'p' || src[j] === 'P') && (src[j + 1] === '+' || src[j + 1] === '-')) j++;
        j++;
      }
      push('number', src.slice(i, j));
      i = j;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\\') j++;
        if (src[j] === '\n') fail('newline in string');
        j++;
      }
      if (j >= src.length) fail('unterminated string');
      push('string', unquote(src.slice(i + 1, j)));
      i = j + 1;
      continue;
    }
    if (c === '`') {
      const end = src.indexOf('`', i + 1);
      if (end < 0) fail('unterminated raw string');
      const text = src.slice(i + 1, end);
      push('rawstring', text.replace(/\r/g, ''));
      line += text.split('\n').length - 1;
      i = end + 1;
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      while (j < src.length && src[j] !== "'") {
        if (src[j] === '\\') j++;
        j++;
      }
      push('rune', unquote(src.slice(i + 1, j)));
      i = j + 1;
      continue;
    }
    const three = src.slice(i, i + 3);
    const two = src.slice(i, i + 2);
    if (PUNCT3.includes(three)) {
      push('punct', three);
      i += 3;
    } else if (PUNCT2.includes(two)) {
      push('punct', two);
      i += 2;
    } else {
      push('punct', c);
      i++;
    }
  }
  if (needsSemi()) push('semi', '\n');
  push('eof', '');
  return { tokens, comments };
}

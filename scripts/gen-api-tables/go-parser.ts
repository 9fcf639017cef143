// Reads the declarations of a Go file that API tables need: the imports, every `type` (struct
// fields in order with their tags and comments, named types, aliases) and typed string
// constants (the values of `+enum` types). Function bodies and other statements are skipped.
import { lex, type Comment, type Token } from './go-lexer.js';

export type GoType =
  | { kind: 'name'; pkg?: string; name: string }
  | { kind: 'pointer'; elem: GoType }
  | { kind: 'slice'; elem: GoType }
  | { kind: 'array'; length: string; elem: GoType }
  | { kind: 'map'; key: GoType; value: GoType }
  | { kind: 'struct'; fields: GoField[] }
  | { kind: 'interface' }
  | { kind: 'func' };

export interface GoField {
  /** Field names; empty for an embedded field. */
  names: string[];
  type: GoType;
  /** The raw struct tag (`json:"name,omitempty" protobuf:"..."`), '' when there is none. */
  tag: string;
  /** The comment lines right above the field (doc text and `+marker` lines), without `//`. */
  comments: string[];
  line: number;
}

export interface GoTypeDecl {
  name: string;
  type: GoType;
  /** `type A = B`. */
  alias: boolean;
  /** The comment group right above the declaration. */
  comments: string[];
  /** The group before that one when one blank line separates them (where gengo reads markers too). */
  secondComments: string[];
  line: number;
}

export interface GoConst {
  name: string;
  /** The declared type's name when the constant has one, e.g. `PullPolicy` or `v1.Protocol`. */
  type?: string;
  /** The value when it is a single string literal. */
  value?: string;
}

export interface GoFile {
  path: string;
  packageName: string;
  /** import alias (or the path's last element) -> import path */
  imports: Map<string, string>;
  types: GoTypeDecl[];
  consts: GoConst[];
}

interface CommentGroup {
  lines: string[];
  start: number;
  end: number;
}

function commentGroups(comments: Comment[]): Map<number, CommentGroup> {
  const byEnd = new Map<number, CommentGroup>();
  let current: CommentGroup | undefined;
  for (const c of comments) {
    if (c.trailing) {
      current = undefined;
      continue;
    }
    const lines = c.text.split('\n');
    if (current && c.line === current.end + 1) {
      current.lines.push(...lines);
      byEnd.delete(current.end);
      current.end = c.endLine;
    } else {
      current = { lines, start: c.line, end: c.endLine };
    }
    byEnd.set(current.end, current);
  }
  return byEnd;
}

function lastPathElement(path: string): string {
  const parts = path.split('/');
  return parts[parts.length - 1] as string;
}

export function parseGoFile(src: string, path: string): GoFile {
  const { tokens, comments } = lex(src, path);
  const groups = commentGroups(comments);
  let pos = 0;
  const peek = (ahead = 0): Token => tokens[Math.min(pos + ahead, tokens.length - 1)] as Token;
  const next = (): Token => tokens[pos++] as Token;
  const fail = (msg: string): never => {
    throw new Error(`${path}:${peek().line}: ${msg} (at '${peek().text}')`);
  };
  const expect = (text: string): Token => {
    const t = next();
    if (t.text !== text || (t.kind !== 'punct' && t.kind !== 'ident')) {
      pos--;
      fail(`expected '${text}'`);
    }
    return t;
  };
  const is = (text: string): boolean => {
    const t = peek();
    return (t.kind === 'punct' || t.kind === 'ident') && t.text === text;
  };
  const skipSemis = (): void => {
    while (peek().kind === 'semi' || is(';')) pos++;
  };
  const endStatement = (): void => {
    if (peek().kind === 'semi' || is(';')) pos++;
    else if (!is(')') && !is('}') && peek().kind !== 'eof') fail('expected end of statement');
  };
  const docAbove = (line: number): { comments: string[]; secondComments: string[] } => {
    const doc = groups.get(line - 1);
    const second = doc ? groups.get(doc.start - 2) : groups.get(line - 2);
    return { comments: doc?.lines ?? [], secondComments: second?.lines ?? [] };
  };

  /** Skips a statement: balanced brackets, up to the semicolon that ends it at depth 0. */
  const skipStatement = (): void => {
    let depth = 0;
    for (;;) {
      const t = peek();
      if (t.kind === 'eof') return;
      if (t.kind === 'punct' && ['(', '[', '{'].includes(t.text)) depth++;
      else if (t.kind === 'punct' && [')', ']', '}'].includes(t.text)) {
        if (depth === 0) return;
        depth--;
      } else if ((t.kind === 'semi' || t.text === ';') && depth === 0) {
        pos++;
        return;
      }
      pos++;
    }
  };

  const parseType = (): GoType => {
    const t = peek();
    if (is('*')) {
      pos++;
      return { kind: 'pointer', elem: parseType() };
    }
    if (is('[')) {
      pos++;
      if (is(']')) {
        pos++;
        return { kind: 'slice', elem: parseType() };
      }
      const length = next().text;
      expect(']');
      return { kind: 'array', length, elem: parseType() };
    }
    if (is('(')) {
      pos++;
      const inner = parseType();
      expect(')');
      return inner;
    }
    if (t.kind !== 'ident') return fail('expected a type');
    if (t.text === 'map') {
      pos++;
      expect('[');
      const key = parseType();
      expect(']');
      return { kind: 'map', key, value: parseType() };
    }
    if (t.text === 'struct') {
      pos++;
      return { kind: 'struct', fields: parseStructBody() };
    }
    if (t.text === 'interface') {
      pos++;
      expect('{');
      let depth = 1;
      while (depth > 0) {
        const x = next();
        if (x.kind === 'eof') fail('unterminated interface');
        if (x.text === '{' && x.kind === 'punct') depth++;
        if (x.text === '}' && x.kind === 'punct') depth--;
      }
      return { kind: 'interface' };
    }
    if (t.text === 'func') {
      pos++;
      // func(params) results: skip the parameter list and a simple result.
      let depth = 0;
      do {
        const x = next();
        if (x.text === '(') depth++;
        if (x.text === ')') depth--;
      } while (depth > 0);
      if (is('(')) {
        depth = 0;
        do {
          const x = next();
          if (x.text === '(') depth++;
          if (x.text === ')') depth--;
        } while (depth > 0);
      } else if (peek().kind === 'ident' || is('*') || is('[')) parseType();
      return { kind: 'func' };
    }
    pos++;
    if (is('.') && peek(1).kind === 'ident') {
      pos++;
      const name = next().text;
      return { kind: 'name', pkg: t.text, name };
    }
    // generic instantiation (not used in API types): skip its arguments
    return { kind: 'name', name: t.text };
  };

  const parseStructBody = (): GoField[] => {
    expect('{');
    const fields: GoField[] = [];
    for (;;) {
      skipSemis();
      if (is('}')) {
        pos++;
        return fields;
      }
      const line = peek().line;
      const { comments: fieldComments } = docAbove(line);
      // Embedded: `T`, `*T`, `pkg.T` followed by a tag or the end of the line.
      const names: string[] = [];
      let type: GoType;
      const embedded =
        is('*') ||
        (peek().kind === 'ident' && (peek(1).kind === 'semi' || peek(1).kind === 'string' || peek(1).kind === 'rawstring' || (peek(1).text === '.' && peek(1).kind === 'punct') || peek(1).text === '}'));
      if (embedded) {
        type = parseType();
      } else {
        names.push(next().text);
        while (is(',')) {
          pos++;
          names.push(next().text);
        }
        type = parseType();
      }
      let tag = '';
      if (peek().kind === 'string' || peek().kind === 'rawstring') tag = next().text;
      fields.push({ names, type, tag, comments: fieldComments, line });
      endStatement();
    }
  };

  const file: GoFile = { path, packageName: '', imports: new Map(), types: [], consts: [] };

  const parseTypeSpec = (): void => {
    const line = peek().line;
    const name = next();
    if (name.kind !== 'ident') fail('expected a type name');
    // (API types have no type parameters: `type Verbs []string` is a slice type, not `Verbs[]`)
    let alias = false;
    if (is('=')) {
      pos++;
      alias = true;
    }
    const type = parseType();
    file.types.push({ name: name.text, type, alias, ...docAbove(line), line });
  };

  const parseConstSpec = (): void => {
    const names: string[] = [];
    names.push(next().text);
    while (is(',')) {
      pos++;
      names.push(next().text);
    }
    let type: string | undefined;
    if (peek().kind === 'ident') {
      type = next().text;
      if (is('.')) {
        pos++;
        type += '.' + next().text;
      }
    }
    let value: string | undefined;
    if (is('=')) {
      pos++;
      const v = peek();
      const after = peek(1);
      if ((v.kind === 'string' || v.kind === 'rawstring') && (after.kind === 'semi' || after.text === ')' || after.text === ';')) value = v.text;
      skipStatement();
    } else endStatement();
    if (names.length === 1) file.consts.push({ name: names[0] as string, ...(type ? { type } : {}), ...(value !== undefined ? { value } : {}) });
  };

  const group = (spec: () => void): void => {
    if (is('(')) {
      pos++;
      for (;;) {
        skipSemis();
        if (is(')')) {
          pos++;
          break;
        }
        spec();
      }
      endStatement();
    } else spec();
  };

  skipSemis();
  expect('package');
  file.packageName = next().text;
  endStatement();
  for (;;) {
    skipSemis();
    const t = peek();
    if (t.kind === 'eof') break;
    if (t.kind === 'ident' && t.text === 'import') {
      pos++;
      group(() => {
        let alias: string | undefined;
        if (peek().kind === 'ident' || is('.') || is('_')) alias = next().text;
        const p = next();
        if (p.kind !== 'string') fail('expected an import path');
        file.imports.set(alias ?? lastPathElement(p.text), p.text);
        endStatement();
      });
      continue;
    }
    if (t.kind === 'ident' && t.text === 'type') {
      pos++;
      group(() => {
        parseTypeSpec();
        endStatement();
      });
      continue;
    }
    if (t.kind === 'ident' && t.text === 'const') {
      pos++;
      group(parseConstSpec);
      continue;
    }
    // func, var and anything else
    skipStatement();
  }
  return file;
}

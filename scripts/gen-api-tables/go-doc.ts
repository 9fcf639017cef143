// Comments of API types: the description text as upstream's doc generators format it
// (apimachinery's runtime/swagger_doc_generator.go fmtRawDoc: paragraphs kept, lines joined,
// indented lines kept as their own lines, `+marker` and TODO lines dropped, everything after
// `---` dropped) and the `+marker` lines that drive the other generators.

/** Comment lines as go/ast's CommentGroup.Text() gives them: `//` and one following space removed. */
export function commentText(lines: string[]): string[] {
  const out = lines.map((l) => (l.startsWith(' ') ? l.slice(1) : l).replace(/\s+$/, ''));
  // go:directives are not documentation
  const kept = out.filter((l) => !/^(go|lint|export|extern|line|nolint):\S/.test(l));
  while (kept.length && kept[0] === '') kept.shift();
  while (kept.length && kept[kept.length - 1] === '') kept.pop();
  // runs of blank lines become one
  return kept.filter((l, i) => !(l === '' && kept[i - 1] === ''));
}

/** The description of a type or field, formatted as upstream's OpenAPI and swagger documents have it. */
export function formatDoc(lines: string[]): string {
  const text = commentText(lines);
  // CommentGroup.Text() ends with a newline: the last line is followed by an empty one
  const raw = text.length ? text.join('\n') + '\n' : '';
  const beforeDashes = raw.split('---')[0] as string;
  let buffer = '';
  const delPrevChar = (): void => {
    if (buffer.length > 0) buffer = buffer.slice(0, -1);
  };
  for (let line of beforeDashes.split('\n')) {
    line = line.replace(/ +$/, '');
    const leading = line.replace(/^ +/, '');
    if (line.length === 0) {
      delPrevChar();
      buffer += '\n\n';
    } else if (leading.startsWith('TODO') || leading.startsWith('+')) {
      // one-line TODOs and generator instructions are not documentation
    } else if (line.startsWith(' ') || line.startsWith('\t')) {
      delPrevChar();
      buffer += '\n' + line + '\n';
    } else {
      buffer += line + ' ';
    }
  }
  return buffer.replace(/\n+$/, '').replace(/\\"/g, '"');
}

/** The `+name` or `+name=value` lines of a comment, in order, without the `+`. */
export function markerLines(lines: string[]): string[] {
  return commentText(lines)
    .map((l) => l.trim())
    .filter((l) => l.startsWith('+') && l.length > 1)
    .map((l) => l.slice(1));
}

export interface Markers {
  /** name -> every value given (`+listMapKey=a` and `+listMapKey=b` -> ['a', 'b']); '' for a bare marker. */
  values: Map<string, string[]>;
}

export function parseMarkers(lines: string[]): Markers {
  const values = new Map<string, string[]>();
  for (const m of lines) {
    const eq = m.indexOf('=');
    const name = eq < 0 ? m : m.slice(0, eq);
    const value = eq < 0 ? '' : m.slice(eq + 1);
    const list = values.get(name) ?? [];
    list.push(value);
    values.set(name, list);
  }
  return { values };
}

// Duplicate fields in a JSON body, as sigs.k8s.io/json's strict decoder reports them: each key
// that appears twice in one object, by its path (`metadata.name`, `spec.ports[0].port`), in
// document order. JSON.parse keeps the last silently (as Go's decoder does); fieldValidation
// decides what then happens: Strict refuses the request, Warn answers a Warning header for each,
// Ignore keeps the last. A scan of the text with a stack (no recursion), strings decoded only for
// keys.

interface Frame {
  kind: 'object' | 'array';
  path: string;
  keys: Set<string>;
  index: number;
  /** The key whose value comes next (objects). */
  key: string;
}

export function duplicateFields(text: string): string[] {
  const found: string[] = [];
  const stack: Frame[] = [];
  let expectKey = false;
  const childPath = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return '';
    if (top.kind === 'array') return `${top.path}[${top.index}]`;
    return top.path ? `${top.path}.${top.key}` : top.key;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectKey && top?.kind === 'object') {
        let key: string;
        try {
          key = JSON.parse(text.slice(i, j + 1)) as string;
        } catch {
          return found; // not JSON: the parser says so
        }
        if (top.keys.has(key)) found.push(top.path ? `${top.path}.${key}` : key);
        else top.keys.add(key);
        top.key = key;
        expectKey = false;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      stack.push({ kind: c === '{' ? 'object' : 'array', path: childPath(), keys: new Set(), index: 0, key: '' });
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      stack.pop();
      expectKey = false;
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.kind === 'array') top.index++;
      else expectKey = true;
    }
  }
  return found;
}

// Values as Go's `%#v` prints them inside field errors (`[]string{"127.96.0.5"}`,
// `map[string]string{"app":"web"}`), for the few errors whose bad value is not a scalar.
// Field errors with a GoSyntax value print its text as is; every other value is printed by
// errors.ts (strings quoted, numbers bare).

export class GoSyntax {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Go's %q for a string (close enough: JSON escaping of the same characters). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** `[]string{"a", "b"}`, or `[]string(nil)` for a missing list. */
export function goStringSlice(values: readonly string[] | undefined, type = '[]string'): GoSyntax {
  if (values === undefined) return new GoSyntax(`${type}(nil)`);
  return new GoSyntax(`${type}{${values.map(goQuote).join(', ')}}`);
}

/** `map[string]string{"a":"1", "b":"2"}` (Go prints map keys sorted), or `map[string]string(nil)`. */
export function goStringMap(values: Readonly<Record<string, string>> | undefined): GoSyntax {
  if (values === undefined) return new GoSyntax('map[string]string(nil)');
  const keys = Object.keys(values).sort();
  return new GoSyntax(`map[string]string{${keys.map((k) => `${goQuote(k)}:${goQuote(values[k]!)}`).join(', ')}}`);
}

/** A value whose Go type prints through String() (a Quantity): the text, unquoted. */
export function goStringer(text: string): GoSyntax {
  return new GoSyntax(text);
}

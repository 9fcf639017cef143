// Field paths as k8s.io/apimachinery/pkg/util/validation/field.Path prints them:
// `spec.ports[0].nodePort`, `metadata.labels[app]`.

export function child(path: string, ...names: string[]): string {
  let out = path;
  for (const name of names) out = out ? `${out}.${name}` : name;
  return out;
}

export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}

export function key(path: string, k: string): string {
  return `${path}[${k}]`;
}

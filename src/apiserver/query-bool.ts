// A boolean query parameter as kube-apiserver reads one (Go's strconv.ParseBool): python's
// kubernetes client sends watch=True, Go's sends watch=true, curl users type watch=1.
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

export function queryBool(value: string | null | undefined): boolean {
  return value !== null && value !== undefined && TRUE.has(value);
}

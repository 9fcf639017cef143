// Timestamps as the API writes them: RFC 3339 in UTC with second precision (metav1.Time).

export function nowRfc3339(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

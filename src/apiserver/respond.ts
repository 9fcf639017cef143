// Writing answers: JSON bodies and metav1.Status errors.
import type { ServerResponse } from 'node:http';
import { ApiError, internalError } from '../api/errors.js';

export function writeJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': String(payload.length),
    'Cache-Control': 'no-cache, private',
    ...headers,
  });
  res.end(payload);
}

export function writeError(res: ServerResponse, err: unknown): ApiError {
  const apiErr = err instanceof ApiError ? err : internalError((err as Error)?.message ?? String(err));
  writeJson(res, apiErr.code, apiErr.status);
  return apiErr;
}

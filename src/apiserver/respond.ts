// Writing answers: JSON bodies and metav1.Status errors. An API object (anything with an
// apiVersion and a kind: objects, lists, Tables, Status, discovery) is written as
// kube-apiserver's Go encoder writes it (src/wire/go-json.ts: fields Go always writes, upstream
// field order) and ends with a newline, as json.Encoder ends it; other documents (OpenAPI,
// /version) as they are.
import type { ServerResponse } from 'node:http';
import { ApiError, internalError } from '../api/errors.js';
import { goJsonBody } from '../wire/go-json.js';
import { bodyStillArriving, endAfterBody } from './body.js';

function isApiObject(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const o = body as { apiVersion?: unknown; kind?: unknown };
  return typeof o.apiVersion === 'string' && typeof o.kind === 'string';
}

export function writeJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const payload = Buffer.from(isApiObject(body) ? goJsonBody(body) : JSON.stringify(body));
  // an answer given while the client still sends its body (a 413, an error before reading) ends
  // after the rest is read, and closes the connection (src/apiserver/body.ts endAfterBody)
  const unread = bodyStillArriving(res.req);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': String(payload.length),
    'Cache-Control': 'no-cache, private',
    ...(unread ? { Connection: 'close' } : {}),
    ...headers,
  });
  if (!unread) {
    res.end(payload);
    return;
  }
  res.write(payload);
  endAfterBody(res.req, res);
}

export function writeError(res: ServerResponse, err: unknown): ApiError {
  const apiErr = err instanceof ApiError ? err : internalError((err as Error)?.message ?? String(err));
  writeJson(res, apiErr.code, apiErr.status);
  return apiErr;
}

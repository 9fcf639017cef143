// Reading and decoding request bodies: a size limit (3 MiB, as kube-apiserver), JSON or YAML,
// Kubernetes' wording for what cannot be read, and the rest of a body the server did not want.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { badRequest, requestEntityTooLarge, unsupportedMediaType } from '../api/errors.js';
import { decodeProtobufBody, PROTOBUF_MEDIA_TYPE } from './protobuf/index.js';
import { checkJsonDepth, YAML_EXCESSIVE_ALIASING } from './request-limits.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/**
 * Reads a request body of at most `limit` bytes. Over the limit (declared or counted) it is a 413
 * and reading stops without destroying the request: the answer goes out first, then
 * `endAfterBody` reads and discards the rest (see there).
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) return Promise.reject(requestEntityTooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (err: Error | undefined): void => {
      req.off('data', onData).off('end', onEnd).off('error', settle).off('close', onClose);
      if (err) {
        req.pause();
        reject(err);
      } else resolve(Buffer.concat(chunks));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) settle(requestEntityTooLarge(limit));
      else chunks.push(chunk);
    };
    const onEnd = (): void => settle(undefined);
    const onClose = (): void => settle(new Error('the client closed the connection before the request body was complete'));
    req.on('data', onData).on('end', onEnd).on('error', settle).on('close', onClose);
  });
}

/**
 * How much of a body the server did not want it still reads after answering (and how long it
 * waits for it), so that a client sending a body somewhat over the limit reads its 413. Go's
 * net/http reads up to maxPostHandlerReadBytes (256 KiB) and then closes with a delay; a body here
 * is answered as soon as its declared length is too large, so the bound is one more body limit.
 */
export const DISCARD_BYTES = MAX_BODY_BYTES;
export const DISCARD_MS = 5_000;

/**
 * True while an HTTP/1.x client is still sending a body the server has not read to its end. (Over
 * HTTP/2 a stream ends on its own: the server's reset of a stream it answered is NO_ERROR, which
 * clients read as "stop sending", and a Connection header is not allowed there.)
 */
export function bodyStillArriving(req: IncomingMessage): boolean {
  if (req.httpVersionMajor !== 1 || req.complete || req.destroyed) return false;
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/**
 * Ends an answer written before the request body was read to its end (a 413, or any error raised
 * before the handler read it): closing a connection with unread bytes in the kernel's buffer
 * sends a reset, which can reach the client before it has read the answer (it then sees EPIPE or
 * ECONNRESET instead of the 413). So keep reading and discarding the rest, up to DISCARD_BYTES or
 * DISCARD_MS, then end the answer; the caller has set `Connection: close`, since past the bound
 * what remains on the wire is not a request.
 */
export function endAfterBody(req: IncomingMessage, res: ServerResponse): void {
  let left = DISCARD_BYTES;
  const done = (): void => {
    clearTimeout(timer);
    req.off('data', onData).off('end', done).off('error', done).off('close', done);
    res.end();
  };
  const onData = (chunk: Buffer): void => {
    left -= chunk.length;
    if (left < 0) done();
  };
  const timer = setTimeout(done, DISCARD_MS);
  req.on('data', onData).on('end', done).on('error', done).on('close', done);
  req.resume();
}

export function mediaType(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
}

export function isYamlMediaType(contentType: string): boolean {
  return contentType === 'application/yaml' || contentType === 'application/x-yaml' || contentType === 'text/yaml' || contentType === 'application/apply-patch+yaml';
}

/** Decodes a JSON, YAML or Kubernetes protobuf body into a value; any other media type is 415. */
export function decodeBody(raw: Buffer, contentType: string): unknown {
  if (contentType === PROTOBUF_MEDIA_TYPE) return decodeProtobufBody(raw);
  const text = raw.toString('utf8');
  if (text.trim() === '') throw badRequest('the body of the request was empty');
  const isYaml = isYamlMediaType(contentType);
  const isJson = contentType === 'application/json' || contentType.endsWith('+json') || contentType === '';
  if (isYaml) {
    try {
      return parseYaml(text, { strict: true, uniqueKeys: true });
    } catch (err) {
      const message = (err as Error).message;
      if (message.includes('Excessive alias count')) throw badRequest(`error converting YAML to JSON: ${YAML_EXCESSIVE_ALIASING}`);
      throw badRequest(`error converting YAML to JSON: yaml: ${message.split('\n')[0]}`);
    }
  }
  if (!isJson) throw unsupportedMediaType(contentType);
  checkJsonDepth(text, "couldn't get version/kind; json parse error: ");
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${describeJsonError(err as Error)}`);
  }
}

function describeJsonError(err: Error): string {
  // Node: "Unexpected token } in JSON at position 12" -> keep it, it names the place.
  return err.message;
}

export { isPlainObject } from '../api/json.js';

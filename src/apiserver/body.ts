// Reading and decoding request bodies: a size limit (3 MiB, as kube-apiserver), JSON or YAML,
// and Kubernetes' wording for what cannot be read.
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { badRequest, requestEntityTooLarge, unsupportedMediaType } from '../api/errors.js';
import { decodeProtobufBody, PROTOBUF_MEDIA_TYPE } from './protobuf/index.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) throw requestEntityTooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw requestEntityTooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function mediaType(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
}

/** Decodes a JSON, YAML or Kubernetes protobuf body into a value; any other media type is 415. */
export function decodeBody(raw: Buffer, contentType: string): unknown {
  if (contentType === PROTOBUF_MEDIA_TYPE) return decodeProtobufBody(raw);
  const text = raw.toString('utf8');
  if (text.trim() === '') throw badRequest('the body of the request was empty');
  const isYaml = contentType === 'application/yaml' || contentType === 'application/x-yaml' || contentType === 'text/yaml' || contentType === 'application/apply-patch+yaml';
  const isJson = contentType === 'application/json' || contentType.endsWith('+json') || contentType === '';
  if (isYaml) {
    try {
      return parseYaml(text, { strict: true, uniqueKeys: true });
    } catch (err) {
      throw badRequest(`error converting YAML to JSON: yaml: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  if (!isJson) throw unsupportedMediaType(contentType);
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

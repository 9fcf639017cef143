// Request bodies in Kubernetes protobuf (`application/vnd.kubernetes.protobuf`, what kubectl's
// typed commands send) decoded into the plain JSON object a JSON client would have sent, so
// everything after decoding (strict field validation, defaulting, the registry) is shared.
import { badRequest } from '../../api/errors.js';
import { decodeMessage, type JsonObject } from './decode-message.js';
import { readEnvelope } from './envelope.js';
import { rootMessageFor } from './kinds.js';
import { MalformedProtobufError } from './wire.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

export { decodeMessage, type JsonObject } from './decode-message.js';
export { readEnvelope, PROTOBUF_MAGIC, type ProtobufEnvelope } from './envelope.js';
export { rootMessageFor, decodableKinds } from './kinds.js';
export { MalformedProtobufError } from './wire.js';

/** Decodes a protobuf request body; malformed or unknown content is an ApiError 400 BadRequest. */
export function decodeProtobufBody(raw: Buffer): JsonObject {
  try {
    const envelope = readEnvelope(raw);
    if (envelope.contentEncoding !== '') throw badRequest(`unsupported protobuf content encoding "${envelope.contentEncoding}"`);
    if (envelope.kind === '') throw badRequest(`Object 'Kind' is missing in the protobuf envelope`);
    const message = rootMessageFor(envelope.apiVersion, envelope.kind);
    if (!message) {
      throw badRequest(`no kind "${envelope.kind}" is registered for version "${envelope.apiVersion}" in scheme "k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:30"`);
    }
    return { apiVersion: envelope.apiVersion, kind: envelope.kind, ...decodeMessage(envelope.raw, message) };
  } catch (err) {
    if (err instanceof MalformedProtobufError) throw badRequest(err.message);
    throw err;
  }
}

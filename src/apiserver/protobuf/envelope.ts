// The envelope of a Kubernetes protobuf body: the 4-byte magic `k8s\0`, then a runtime.Unknown
// {typeMeta {apiVersion = 1, kind = 2} = 1, raw = 2, contentEncoding = 3, contentType = 4} whose
// `raw` is the object's own message (k8s.io/apimachinery/pkg/runtime/generated.proto).
import { MalformedProtobufError, readFields, WIRE_BYTES, type WireField } from './wire.js';

export const PROTOBUF_MAGIC: Buffer = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export interface ProtobufEnvelope {
  apiVersion: string;
  kind: string;
  /** The object's message bytes. */
  raw: Buffer;
  contentEncoding: string;
  contentType: string;
}

function bytesOf(f: WireField, name: string): Buffer {
  if (f.wireType !== WIRE_BYTES) throw new MalformedProtobufError(`proto: wrong wireType = ${f.wireType} for field ${name}`);
  return f.bytes;
}

export function readEnvelope(body: Buffer): ProtobufEnvelope {
  if (body.length < PROTOBUF_MAGIC.length || !body.subarray(0, PROTOBUF_MAGIC.length).equals(PROTOBUF_MAGIC)) {
    throw new MalformedProtobufError(`provided data does not appear to be a protobuf message, expected prefix [${[...PROTOBUF_MAGIC].join(' ')}]`);
  }
  const envelope: ProtobufEnvelope = { apiVersion: '', kind: '', raw: Buffer.alloc(0), contentEncoding: '', contentType: '' };
  for (const f of readFields(body.subarray(PROTOBUF_MAGIC.length), 'Unknown')) {
    if (f.field === 1) {
      for (const t of readFields(bytesOf(f, 'TypeMeta'), 'TypeMeta')) {
        if (t.field === 1) envelope.apiVersion = bytesOf(t, 'APIVersion').toString('utf8');
        else if (t.field === 2) envelope.kind = bytesOf(t, 'Kind').toString('utf8');
      }
    } else if (f.field === 2) envelope.raw = bytesOf(f, 'Raw');
    else if (f.field === 3) envelope.contentEncoding = bytesOf(f, 'ContentEncoding').toString('utf8');
    else if (f.field === 4) envelope.contentType = bytesOf(f, 'ContentType').toString('utf8');
  }
  return envelope;
}

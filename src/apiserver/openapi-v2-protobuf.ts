// kubectl asks for /openapi/v2 only in gnostic's protobuf form, and only to validate kinds
// the OpenAPI v3 documents do not describe (an unknown kind). We answer with a minimal
// OpenAPI v2 document (swagger, info; no definitions): kubectl then finds no schema for the
// kind and goes on to report what kube-apiserver users see, `no matches for kind "Foo" in
// version "v1"`, instead of "failed to download openapi".
import { versionInfo } from './discovery.js';

export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

function lengthDelimited(field: number, payload: Buffer): Buffer {
  const header: number[] = [(field << 3) | 2];
  let n = payload.length;
  while (n > 0x7f) {
    header.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  header.push(n);
  return Buffer.concat([Buffer.from(header), payload]);
}

const str = (field: number, s: string): Buffer => lengthDelimited(field, Buffer.from(s, 'utf8'));

/** openapi_v2.Document { swagger = 1; info = 2 { title = 1; version = 2 } }. */
export function minimalOpenapiV2Protobuf(): Buffer {
  const info = Buffer.concat([str(1, 'Kubernetes'), str(2, versionInfo().gitVersion)]);
  return Buffer.concat([str(1, '2.0'), lengthDelimited(2, info)]);
}

// Writes src/apiserver/protobuf/messages.ts: the protobuf field tables of the messages reachable
// from every kind of the tabled group versions (protobufRoots), derived from the Go tables; the
// kinds loopkube serves (src/apiserver/protobuf/kinds.ts) pick their messages from it.
import type { UpstreamPackage } from '../../src/api/upstream/model.js';
import { protobufMessages, protobufRoots, type MessageTable } from '../../src/api/upstream/protobuf-messages.js';
import { createTypeIndex } from '../../src/api/upstream/type-index.js';
import type { ModuleName } from './sources.js';
import { REGENERATE } from './emit-tables.js';

/** ASCII order, as the tables have always been sorted (`AWSElasticBlockStoreVolumeSource` before `Affinity`). */
const ascii = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function emitMessages(packages: readonly UpstreamPackage[], releases: Record<ModuleName, string>): string {
  const index = createTypeIndex(packages);
  const tables = protobufMessages(index, protobufRoots(packages));
  const byPackage = new Map<string, MessageTable[]>();
  for (const t of tables) byPackage.set(t.pkg, [...(byPackage.get(t.pkg) ?? []), t]);
  const order = [...byPackage.keys()].sort((a, b) => (a === 'meta.v1' ? -1 : b === 'meta.v1' ? 1 : ascii(a, b)));
  const sections = order.map((name) => {
    const pkg = index.packageOf(name);
    const messages = (byPackage.get(name) ?? []).sort((a, b) => ascii(a.message, b.message));
    const body = messages
      .map((m) => `  '${m.message}': {\n${m.fields.map((f) => `    ${f.number}: '${f.spec}',\n`).join('')}  },\n`)
      .join('');
    return `  // ${pkg?.goPackage ?? name} (generated.proto)\n${body}`;
  });
  return `// Field tables of the protobuf messages loopkube decodes: for each message, field number ->
// '<jsonName> <type>[ keep]'. Generated, do not edit by hand; see "How this file was made" below.
//
// Types: string | int32 | int64 | bool; a message name ('core.v1.PodSpec'); a special type with its
// own JSON form (Time, MicroTime: RFC 3339; Quantity: its string; IntOrString: number or string;
// FieldsV1: its raw JSON); \`T[]\` a repeated field; \`map<string,V>\` a map. \`...M\` is an embedded
// struct whose JSON is inlined into its parent (\`json:",inline"\`).
// \`keep\`: a scalar whose zero value is still sent (a Go pointer, or a field without omitempty);
// every other scalar is dropped when zero, as encoding/json's omitempty drops it.
//
// How this file was made: scripts/gen-api-tables reads the Go types of k8s.io/api ${releases.api} and
// k8s.io/apimachinery ${releases.apimachinery} (types.go: field order, json tags with omitempty, pointer or
// not, and the protobuf tags that carry go-to-protobuf's field numbers) into src/api/upstream/, and
// writes here the messages reachable from every kind of those group versions (protobufRoots in
// src/api/upstream/protobuf-messages.ts), so a kind added to src/kinds/ finds its message here.
// Regenerate: ${REGENERATE}

export const MESSAGES: Readonly<Record<string, Readonly<Record<number, string>>>> = {
${sections.join('\n')}};
`;
}

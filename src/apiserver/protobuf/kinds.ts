// Which message a protobuf body holds, by the apiVersion and kind of its envelope: the served
// kinds' objects and what clients send to their subresources (Binding, Scale, Eviction), as
// each kind declares them (src/kinds/).
import { apiVersionOf } from '../../api/resources.js';
import { KINDS } from '../../kinds/index.js';

let rootMessages: Readonly<Record<string, string>> | undefined;

/** `apiVersion/kind` -> message, built on first use (the kinds' modules import this one's neighbours). */
function messages(): Readonly<Record<string, string>> {
  rootMessages ??= Object.fromEntries<string>(
    KINDS.flatMap((k) => [
      ...(k.protobufMessage ? [[`${apiVersionOf(k.resource)}/${k.resource.kind}`, k.protobufMessage] as const] : []),
      ...Object.values(k.subresources ?? {}).flatMap((sub) => Object.entries(sub.protobufRequests ?? {})),
    ]),
  );
  return rootMessages;
}

/** The message name for `apiVersion`/`kind`, or undefined for a kind loopkube does not decode. */
export function rootMessageFor(apiVersion: string, kind: string): string | undefined {
  // DeleteOptions is registered in every group version (client-go sends the resource's own).
  if (kind === 'DeleteOptions') return 'meta.v1.DeleteOptions';
  return messages()[`${apiVersion}/${kind}`];
}

export function decodableKinds(): Array<{ apiVersion: string; kind: string }> {
  return Object.keys(messages()).map((key) => {
    const slash = key.lastIndexOf('/');
    return { apiVersion: key.slice(0, slash), kind: key.slice(slash + 1) };
  });
}

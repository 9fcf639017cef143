// Which message a protobuf body holds, by the apiVersion and kind of its envelope: the kinds
// loopkube serves, plus what clients send to them (Binding, Scale, DeleteOptions, Eviction).
const ROOT_MESSAGES: Readonly<Record<string, string>> = {
  'v1/Namespace': 'core.v1.Namespace',
  'v1/Node': 'core.v1.Node',
  'v1/Pod': 'core.v1.Pod',
  'v1/Service': 'core.v1.Service',
  'v1/Endpoints': 'core.v1.Endpoints',
  'v1/ReplicationController': 'core.v1.ReplicationController',
  'v1/Event': 'core.v1.Event',
  'v1/Binding': 'core.v1.Binding',
  'discovery.k8s.io/v1/EndpointSlice': 'discovery.v1.EndpointSlice',
  'autoscaling/v1/Scale': 'autoscaling.v1.Scale',
  'policy/v1/Eviction': 'policy.v1.Eviction',
};

/** The message name for `apiVersion`/`kind`, or undefined for a kind loopkube does not decode. */
export function rootMessageFor(apiVersion: string, kind: string): string | undefined {
  // DeleteOptions is registered in every group version (client-go sends the resource's own).
  if (kind === 'DeleteOptions') return 'meta.v1.DeleteOptions';
  return ROOT_MESSAGES[`${apiVersion}/${kind}`];
}

export function decodableKinds(): Array<{ apiVersion: string; kind: string }> {
  return Object.keys(ROOT_MESSAGES).map((key) => {
    const slash = key.lastIndexOf('/');
    return { apiVersion: key.slice(0, slash), kind: key.slice(slash + 1) };
  });
}

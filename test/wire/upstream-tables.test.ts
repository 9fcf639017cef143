// The generated API tables (src/api/upstream, made by scripts/gen-api-tables from the upstream
// Go types) hang together, and what is derived from them is what loopkube uses:
// - every type reference of every table resolves (to a table's type, a builtin or a special type);
// - the protobuf field tables loopkube decodes with (src/apiserver/protobuf/messages.ts) are exactly
//   the ones derived from the Go tables for every kind of the k8s.io/api group versions, so that
//   file is truly generated, and every served kind finds its message there without regenerating;
// - facts a user relies on, read from the tables as upstream declares them (spot checks).
import { describe, expect, it } from 'vitest';
import { goTypeOfKind, parseTypeRef, protobufMessages, protobufRoots, UPSTREAM, UPSTREAM_PACKAGES, type TypeRef } from '../../src/api/upstream/index.js';
import { MESSAGES } from '../../src/apiserver/protobuf/messages.js';
import { decodableKinds, rootMessageFor } from '../../src/apiserver/protobuf/kinds.js';

function unresolved(ref: TypeRef): string | undefined {
  switch (ref.kind) {
    case 'pointer':
    case 'slice':
      return unresolved(ref.elem);
    case 'map':
      return unresolved(ref.key) ?? unresolved(ref.value);
    case 'builtin':
      return ['string', 'bool', 'byte', 'int', 'int32', 'int64', 'float64', 'any'].includes(ref.name) ? undefined : ref.name;
    case 'named': {
      if (UPSTREAM.special(ref)) return undefined;
      const u = UPSTREAM.underlying(ref);
      if (u !== ref) return unresolved(u);
      return UPSTREAM.struct(ref.qualified) ? undefined : ref.qualified;
    }
  }
}

describe('the generated API tables', () => {
  it('cover the group versions loopkube serves and the ones being added', () => {
    expect(UPSTREAM_PACKAGES.map((p) => p.name).sort()).toEqual(
      ['apidiscovery.v2', 'apps.v1', 'autoscaling.v1', 'autoscaling.v2', 'batch.v1', 'coordination.v1', 'core.v1', 'discovery.v1', 'gateway.v1', 'meta.v1', 'metrics.v1beta1', 'networking.v1', 'policy.v1', 'storage.v1'].sort(),
    );
  });

  it('every field type of every table resolves', () => {
    const bad: string[] = [];
    for (const pkg of UPSTREAM_PACKAGES) {
      for (const [name, t] of Object.entries(pkg.types)) {
        // Time, MicroTime, Duration wrap the Go standard library's types; their JSON is their own
        if (t.kind !== 'struct' || UPSTREAM.special(parseTypeRef(`${pkg.name}.${name}`))) continue;
        for (const f of t.fields) {
          const missing = unresolved(parseTypeRef(f.type));
          if (missing) bad.push(`${pkg.name}.${name}.${f.go}: ${missing}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('messages.ts is exactly what the tables give for every kind of the k8s.io/api group versions', () => {
    const derived = Object.fromEntries(
      protobufMessages(UPSTREAM, protobufRoots(UPSTREAM_PACKAGES)).map((m) => [m.message, Object.fromEntries(m.fields.map((f) => [f.number, f.spec]))]),
    );
    expect(derived).toEqual(MESSAGES);
  });

  it('every message a served kind or its subresources decode is in messages.ts', () => {
    const roots = decodableKinds().map((k) => rootMessageFor(k.apiVersion, k.kind) as string);
    expect(roots.filter((m) => !MESSAGES[m])).toEqual([]);
  });

  const cases: Array<{ name: string; type: string; field: string; want: Record<string, unknown> }> = [
    { name: 'container name has no omitempty (always written)', type: 'core.v1.Container', field: 'name', want: { type: 'string', omitempty: undefined } },
    { name: 'container ports merge on containerPort, map keys containerPort+protocol', type: 'core.v1.Container', field: 'ports', want: { patchStrategy: 'merge', patchMergeKey: 'containerPort', listType: 'map', listMapKeys: ['containerPort', 'protocol'] } },
    { name: 'resources is a struct without a pointer (written as {})', type: 'core.v1.Container', field: 'resources', want: { type: 'core.v1.ResourceRequirements', omitempty: true } },
    { name: 'kubeProxyVersion is always written', type: 'core.v1.NodeSystemInfo', field: 'kubeProxyVersion', want: { type: 'string', omitempty: undefined } },
    { name: 'creationTimestamp is a non-pointer Time', type: 'meta.v1.ObjectMeta', field: 'creationTimestamp', want: { type: 'meta.v1.Time', omitempty: true } },
    { name: 'deployment replicas is a pointer', type: 'apps.v1.DeploymentSpec', field: 'replicas', want: { type: '*int32', protobuf: 'varint,1,opt,name=replicas' } },
    { name: 'RC selector is an atomic map', type: 'core.v1.ReplicationControllerSpec', field: 'selector', want: { mapType: 'atomic' } },
    { name: 'HTTPRoute rules are a gateway-api list', type: 'gateway.v1.HTTPRouteSpec', field: 'rules', want: { type: '[]gateway.v1.HTTPRouteRule' } },
    { name: 'pod metrics containers', type: 'metrics.v1beta1.PodMetrics', field: 'containers', want: { type: '[]metrics.v1beta1.ContainerMetrics', listType: 'atomic' } },
  ];
  it.each(cases)('$name', ({ type, field, want }) => {
    const f = UPSTREAM.struct(type)?.fields.find((x) => x.json === field);
    expect(f).toBeDefined();
    for (const [k, v] of Object.entries(want)) expect((f as unknown as Record<string, unknown>)[k], k).toEqual(v);
  });

  it('enums carry the values of their typed constants', () => {
    expect(UPSTREAM.lookup('core.v1.Protocol')).toMatchObject({ kind: 'named', type: 'string', enum: ['SCTP', 'TCP', 'UDP'] });
    expect(UPSTREAM.lookup('apps.v1.DeploymentStrategyType')).toMatchObject({ enum: ['Recreate', 'RollingUpdate'] });
  });

  it.each([
    ['v1', 'Pod', 'core.v1.Pod'],
    ['apps/v1', 'Deployment', 'apps.v1.Deployment'],
    ['batch/v1', 'CronJob', 'batch.v1.CronJob'],
    ['networking.k8s.io/v1', 'Ingress', 'networking.v1.Ingress'],
    ['storage.k8s.io/v1', 'StorageClass', 'storage.v1.StorageClass'],
    ['gateway.networking.k8s.io/v1', 'HTTPRoute', 'gateway.v1.HTTPRoute'],
    ['metrics.k8s.io/v1beta1', 'NodeMetrics', 'metrics.v1beta1.NodeMetrics'],
    ['v1', 'Status', 'meta.v1.Status'],
    ['meta.k8s.io/v1', 'Table', 'meta.v1.Table'],
    ['v1', 'NoSuchKind', undefined],
  ])('%s %s is %s', (apiVersion, kind, want) => {
    expect(goTypeOfKind(apiVersion, kind)).toBe(want);
  });
});

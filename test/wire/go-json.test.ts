// Objects written as kube-apiserver's Go encoding/json writes them, from the upstream Go types.
// Each expected text is what Go writes for the same object (the rules: encoding/json's omitempty,
// struct field order, map key order and HTML-safe escaping; metav1.Time's MarshalJSON; the
// k8s.io/api struct tags). Typed clients rely on it: the Python client refuses a Node without
// status.nodeInfo.kubeProxyVersion, and one of its e2e tests compares a Status body byte for byte.
import { describe, expect, it } from 'vitest';
import { createGoJsonEncoder, encodeGoJson, goJsonBody, goString } from '../../src/wire/go-json.js';

describe('Go encoding/json of the upstream types', () => {
  const cases: Array<{ name: string; obj: Record<string, unknown>; want: string }> = [
    {
      name: 'fields without omitempty are written with zero values; struct fields are never omitted',
      obj: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
      want: '{"kind":"Pod","apiVersion":"v1","metadata":{"name":"web","creationTimestamp":null},"spec":{"containers":[{"name":"app","image":"nginx","resources":{}}]},"status":{}}',
    },
    {
      name: 'unset metav1.Time is null (lastProbeTime of a pod condition)',
      obj: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', creationTimestamp: '2024-05-01T10:00:00Z' }, spec: { containers: [] }, status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-05-01T10:00:01Z' }] } },
      want: '{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","creationTimestamp":"2024-05-01T10:00:00Z"},"spec":{"containers":[]},"status":{"conditions":[{"type":"Ready","status":"True","lastProbeTime":null,"lastTransitionTime":"2024-05-01T10:00:01Z"}]}}',
    },
    {
      name: 'a nil slice without omitempty is null (spec.containers of an empty spec)',
      obj: { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: {} },
      want: '{"kind":"Pod","apiVersion":"v1","metadata":{"creationTimestamp":null},"spec":{"containers":null},"status":{}}',
    },
    {
      name: 'node status: nodeInfo strings and the kubelet endpoint port are always written',
      obj: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' }, status: { nodeInfo: { kubeletVersion: 'v1.32.0' } } },
      want: '{"kind":"Node","apiVersion":"v1","metadata":{"name":"node-1","creationTimestamp":null},"spec":{},"status":{"daemonEndpoints":{"kubeletEndpoint":{"Port":0}},"nodeInfo":{"machineID":"","systemUUID":"","bootID":"","kernelVersion":"","osImage":"","containerRuntimeVersion":"","kubeletVersion":"v1.32.0","kubeProxyVersion":"","operatingSystem":"","architecture":""}}}',
    },
    {
      name: 'a client-created event: source {}, null times, empty reporting fields',
      obj: { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'p' }, reason: 'Test', message: 'm' },
      want: '{"kind":"Event","apiVersion":"v1","metadata":{"name":"e","namespace":"default","creationTimestamp":null},"involvedObject":{"kind":"Pod","name":"p"},"reason":"Test","message":"m","source":{},"firstTimestamp":null,"lastTimestamp":null,"eventTime":null,"reportingComponent":"","reportingInstance":""}',
    },
    {
      name: 'pointers keep their zero values; omitempty drops zero scalars',
      obj: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', generation: 0 }, spec: { replicas: 0, paused: false, selector: { matchLabels: { app: 'd' } }, template: { spec: { containers: [] } } } },
      want: '{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"d","creationTimestamp":null},"spec":{"replicas":0,"selector":{"matchLabels":{"app":"d"}},"template":{"metadata":{"creationTimestamp":null},"spec":{"containers":[]}},"strategy":{}},"status":{}}',
    },
    {
      name: 'map keys sorted as Go sorts them, HTML-unsafe characters escaped',
      obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { z: '1', a: '2', B: '3' } }, data: { 'b.html': '<p>&</p>', a: 'x\u2028y' } },
      want: '{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"c","creationTimestamp":null,"labels":{"B":"3","a":"2","z":"1"}},"data":{"a":"x\\u2028y","b.html":"\\u003cp\\u003e\\u0026\\u003c/p\\u003e"}}',
    },
    {
      name: 'fields the Go type does not have are dropped, as Go drops them on decode',
      obj: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n', bogus: true }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' }, extra: 1 },
      want: '{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"n","creationTimestamp":null},"spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}}',
    },
    {
      name: 'quantities in canonical form; IntOrString as given',
      obj: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 'http' }, { port: 81, targetPort: 8081 }] } },
      want: '{"kind":"Service","apiVersion":"v1","metadata":{"name":"s","creationTimestamp":null},"spec":{"ports":[{"port":80,"targetPort":"http"},{"port":81,"targetPort":8081}]},"status":{"loadBalancer":{}}}',
    },
    {
      name: 'a list: ListMeta always written, items typed',
      obj: { apiVersion: 'v1', kind: 'NamespaceList', metadata: { resourceVersion: '7' }, items: [{ metadata: { name: 'a' } }] },
      want: '{"kind":"NamespaceList","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":[{"metadata":{"name":"a","creationTimestamp":null},"spec":{},"status":{}}]}',
    },
    {
      name: 'a Status in upstream field order',
      obj: { apiVersion: 'v1', kind: 'Status', code: 404, reason: 'NotFound', details: { kind: 'pods', name: 'x' }, message: 'pods "x" not found', status: 'Failure', metadata: {} },
      want: '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \\"x\\" not found","reason":"NotFound","details":{"name":"x","kind":"pods"},"code":404}',
    },
    {
      name: 'a Table: cells as given, rows without object write null, the embedded object is typed',
      obj: {
        apiVersion: 'meta.k8s.io/v1',
        kind: 'Table',
        metadata: { resourceVersion: '3' },
        columnDefinitions: [{ name: 'Name', type: 'string', format: 'name', description: 'd', priority: 0 }],
        rows: [{ cells: ['web', 3, { b: 1, a: 2 }] }, { cells: ['db'], object: { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: { name: 'db' } } }],
      },
      want: '{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"3"},"columnDefinitions":[{"name":"Name","type":"string","format":"name","description":"d","priority":0}],"rows":[{"cells":["web",3,{"a":2,"b":1}],"object":null},{"cells":["db"],"object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"db","creationTimestamp":null}}}]}',
    },
    {
      name: 'a watch event: the object inside is typed',
      obj: { apiVersion: 'meta.k8s.io/v1', kind: 'WatchEvent', type: 'ADDED', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } } },
      want: '{"type":"ADDED","object":{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"n","creationTimestamp":null},"spec":{},"status":{}}}',
    },
    {
      name: 'a kind without a table is written as given',
      obj: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { z: 1, a: 2 } },
      want: '{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"z":1,"a":2}}',
    },
  ];
  it.each(cases)('$name', ({ obj, want }) => {
    expect(encodeGoJson(obj)).toBe(want);
    // whatever Go writes is valid JSON
    expect(() => JSON.parse(encodeGoJson(obj))).not.toThrow();
  });

  it('a body ends with the newline json.Encoder writes', () => {
    expect(goJsonBody({ apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Success' })).toBe('{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success"}\n');
  });

  it('values of a type: a typed field of the wrong JSON type is written as given, not dropped', () => {
    const enc = createGoJsonEncoder();
    expect(enc.encodeAs('[]string', null)).toBe('null');
    expect(enc.encodeAs('*int32', 0)).toBe('0');
    expect(enc.encodeAs('map[string]string', { b: 'x', a: 'y' })).toBe('{"a":"y","b":"x"}');
    expect(enc.encodeAs('resource.Quantity', '1000m')).toBe('"1"');
    expect(enc.encodeAs('meta.v1.Time', '')).toBe('null');
    expect(enc.encodeAs('int32', 'seven')).toBe('"seven"');
  });

  it('strings are escaped exactly as Go escapes them', () => {
    expect(goString('a"b\\c\n\t\u0001<>&\u2029é😀')).toBe('"a\\"b\\\\c\\n\\t\\u0001\\u003c\\u003e\\u0026\\u2029é😀"');
  });
});

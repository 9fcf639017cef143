// Where a container that declares no ports listens: its image's port (the documented table), else
// the ports the Services selecting its pod send to, else 8080; declared ports always win.
import { describe, expect, it } from 'vitest';
import type { Container, Pod, Service } from '../../src/api/types.js';
import { FALLBACK_PORT, IMAGE_PORTS, choosePorts, imageRepository } from '../../nodes/image-ports.js';

describe('imageRepository', () => {
  const table: Array<[string, string]> = [
    ['nginx', 'nginx'],
    ['nginx:1.27', 'nginx'],
    ['docker.io/library/nginx:1.27-alpine', 'nginx'],
    ['index.docker.io/library/httpd@sha256:0123abcd', 'httpd'],
    ['registry.k8s.io/echoserver:1.10', 'registry.k8s.io/echoserver'],
    ['localhost:5000/team/app:v2', 'localhost:5000/team/app'],
    ['redis:7@sha256:ffff', 'redis'],
  ];
  it.each(table)('%s -> %s', (image, want) => expect(imageRepository(image)).toBe(want));
});

function pod(containers: Container[], labels: Record<string, string> = { app: 'web' }): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', labels }, spec: { containers } };
}
function service(name: string, selector: Record<string, string>, ports: Array<{ port: number; targetPort?: number | string; protocol?: string }>): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { selector, ports } } as Service;
}

describe('choosePorts', () => {
  const table: Array<{ name: string; containers: Container[]; services?: Service[]; want: Record<string, number[]>; reason?: RegExp }> = [
    { name: 'declared ports win over the image', containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 8081 }] }], want: { c: [8081] } },
    { name: 'nginx listens on 80', containers: [{ name: 'c', image: 'nginx:1.27' }], want: { c: [80] }, reason: /image "nginx"/ },
    { name: 'httpd listens on 80', containers: [{ name: 'c', image: 'httpd:2.4' }], want: { c: [80] } },
    { name: 'redis on 6379', containers: [{ name: 'c', image: 'docker.io/library/redis:7' }], want: { c: [6379] } },
    {
      name: 'an unknown image: the targetPort of a Service selecting the pod',
      containers: [{ name: 'c', image: 'example.com/shop/cart:v3' }],
      services: [service('cart', { app: 'web' }, [{ port: 80, targetPort: 9000 }]), service('other', { app: 'db' }, [{ port: 5000 }])],
      want: { c: [9000] },
      reason: /Service cart sends to/,
    },
    {
      name: 'an unknown image: a Service without targetPort sends to its port',
      containers: [{ name: 'c', image: 'example.com/shop/cart:v3' }],
      services: [service('cart', { app: 'web' }, [{ port: 80 }])],
      want: { c: [80] },
    },
    { name: 'an unknown image with no Service: 8080', containers: [{ name: 'c', image: 'example.com/app' }], want: { c: [FALLBACK_PORT] }, reason: /no Service selects the pod/ },
    {
      name: 'a sidecar of a known image does not take the main container\'s port',
      containers: [{ name: 'web', image: 'nginx' }, { name: 'cache', image: 'memcached' }, { name: 'app', image: 'example.com/app', ports: [{ containerPort: 80 }] }],
      want: { web: [], cache: [11211], app: [80] },
    },
    {
      name: 'only the first unknown container takes the fallback',
      containers: [{ name: 'a', image: 'example.com/a' }, { name: 'b', image: 'example.com/b' }],
      want: { a: [8080], b: [] },
    },
    {
      name: 'a UDP Service port is not one the app serves',
      containers: [{ name: 'c', image: 'example.com/dns' }],
      services: [service('dns', { app: 'web' }, [{ port: 53, protocol: 'UDP' }])],
      want: { c: [8080] },
    },
  ];
  it.each(table)('$name', ({ containers, services, want, reason }) => {
    const got = choosePorts(pod(containers), services ?? []);
    expect(Object.fromEntries([...got].map(([k, v]) => [k, v.ports]))).toEqual(want);
    if (reason) expect(got.get(containers[0]!.name)?.reason).toMatch(reason);
  });

  it('the table names nginx and httpd on 80', () => {
    expect(IMAGE_PORTS.nginx).toEqual([80]);
    expect(IMAGE_PORTS.httpd).toEqual([80]);
  });
});

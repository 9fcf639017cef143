// Where the built-in app listens for a container that declares no ports, as its image would: a
// small table of well-known images (those tutorials and public manifests run most), else the
// ports the Services selecting the pod send to, else 8080. Declared ports always win.
import { matchesSelectorMap } from '../src/api/labels.js';
import type { Container, Pod, Service } from '../src/api/types.js';

/**
 * Images by repository (registry `docker.io/` and `library/` dropped, tag and digest too) and the
 * TCP ports their default command listens on (from each image's documentation / EXPOSE).
 */
export const IMAGE_PORTS: Readonly<Record<string, readonly number[]>> = {
  nginx: [80],
  httpd: [80],
  caddy: [80],
  traefik: [80],
  'traefik/whoami': [80],
  'nginxdemos/hello': [80],
  'kennethreitz/httpbin': [80],
  'ealen/echo-server': [80],
  wordpress: [80],
  'nginxinc/nginx-unprivileged': [8080],
  'bitnami/nginx': [8080],
  'registry.k8s.io/echoserver': [8080],
  'k8s.gcr.io/echoserver': [8080],
  'gcr.io/google-samples/hello-app': [8080],
  'us-docker.pkg.dev/google-samples/containers/gke/hello-app': [8080],
  'kicbase/echo-server': [8080],
  'paulbouwer/hello-kubernetes': [8080],
  'hashicorp/http-echo': [5678],
  tomcat: [8080],
  'jenkins/jenkins': [8080],
  ghost: [2368],
  'grafana/grafana': [3000],
  'prom/prometheus': [9090],
  redis: [6379],
  memcached: [11211],
  postgres: [5432],
  mysql: [3306],
  mariadb: [3306],
  mongo: [27017],
  rabbitmq: [5672],
};

/** The port a container gets when nothing else says where it listens. */
export const FALLBACK_PORT = 8080;

/** `docker.io/library/nginx:1.27@sha256:..` -> `nginx`. */
export function imageRepository(image: string): string {
  let name = image.trim();
  const at = name.indexOf('@');
  if (at >= 0) name = name.slice(0, at);
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) name = name.slice(0, colon);
  name = name.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '');
  return name.replace(/^library\//, '');
}

export interface PortChoice {
  ports: number[];
  /** Why these, for the event (undefined: the container declared them). */
  reason?: string;
}

const declaredTcp = (c: Container): number[] => (c.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP').map((p) => p.containerPort);

/** The numeric target ports of the Services that select this pod (a named one needs a declared port). */
export function selectingServicePorts(pod: Pod, services: readonly Service[]): Array<{ port: number; service: string }> {
  const out: Array<{ port: number; service: string }> = [];
  for (const s of services) {
    const sel = s.spec?.selector;
    if (!sel || Object.keys(sel).length === 0 || !matchesSelectorMap(sel, pod.metadata.labels)) continue;
    for (const p of s.spec.ports ?? []) {
      if ((p.protocol ?? 'TCP') !== 'TCP') continue;
      const target = p.targetPort ?? p.port;
      if (typeof target === 'number') out.push({ port: target, service: s.metadata.name ?? '' });
    }
  }
  return out;
}

/** Every container's ports, by name. */
export function choosePorts(pod: Pod, services: readonly Service[]): Map<string, PortChoice> {
  const containers = pod.spec.containers ?? [];
  const taken = new Set(containers.flatMap(declaredTcp));
  const out = new Map<string, PortChoice>();
  let fallbackGiven = false;
  for (const c of containers) {
    const declared = declaredTcp(c);
    if ((c.ports ?? []).length > 0) {
      out.set(c.name, { ports: [...new Set(declared)] });
      continue;
    }
    const image = imageRepository(c.image ?? '');
    const known = IMAGE_PORTS[image];
    if (known) {
      const ports = known.filter((p) => !taken.has(p));
      ports.forEach((p) => taken.add(p));
      out.set(c.name, { ports, reason: `the port${known.length > 1 ? 's' : ''} image ${JSON.stringify(image)} listens on` });
      continue;
    }
    if (fallbackGiven) {
      out.set(c.name, { ports: [], reason: `image ${JSON.stringify(image)} is not one whose port is known, and another container of the pod takes the Services' ports` });
      continue;
    }
    fallbackGiven = true;
    const selected = selectingServicePorts(pod, services).filter((s) => !taken.has(s.port));
    if (selected.length > 0) {
      const ports = [...new Set(selected.map((s) => s.port))];
      ports.forEach((p) => taken.add(p));
      const names = [...new Set(selected.map((s) => s.service))].join(', ');
      out.set(c.name, { ports, reason: `the port${ports.length > 1 ? 's' : ''} Service ${names} send${names.includes(',') ? '' : 's'} to` });
      continue;
    }
    const ports = taken.has(FALLBACK_PORT) ? [] : [FALLBACK_PORT];
    ports.forEach((p) => taken.add(p));
    out.set(c.name, { ports, reason: `image ${JSON.stringify(image)} is not one whose port is known and no Service selects the pod` });
  }
  return out;
}

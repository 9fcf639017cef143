// What `loopkube load TARGET` sends its requests to: `svc/NAME[:PORT]` (a Service of the
// cluster, reached through its ClusterIP, a NodePort or its load-balancer IP) or any
// `http://HOST:PORT/PATH`. Service addresses come from the cluster DNS where a pod would use it
// (the ClusterIP, a headless service's pods) and from the API for the rest (ports, node ports,
// nodes, load-balancer IPs). ClusterIP is reachable only from inside the cluster, so by default
// the connections come from a node's address, as a pod or a node would make them.
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { resourcePath } from '../api/paths.js';
import type { EndpointSlice, Node, Service, ServicePort } from '../api/types.js';
import type { ApiClient } from '../client/client.js';
import { resolveIPv4, resolveSrv, type DnsQueryOptions } from '../dns/client.js';
import { CLUSTER_DOMAIN } from '../dns/records.js';
import type { HostPort } from './runner.js';
import { ENDPOINT_SLICES as SLICES } from '../kinds/endpointslice/resource.js';
import { NODES } from '../kinds/node/resource.js';
import { SERVICES } from '../kinds/service/resource.js';


export type Via = 'cluster-ip' | 'node-port' | 'load-balancer';
export const VIAS: readonly Via[] = ['cluster-ip', 'node-port', 'load-balancer'];

export type TargetSpec = { kind: 'service'; name: string; port?: string } | { kind: 'url'; url: URL };

/** A target that cannot be used, with the reason worded for the user. */
export class TargetError extends Error {}

const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Parses `svc/NAME[:PORT]` (also `service/`, `services/`) or an `http://` URL. */
export function parseTarget(text: string): TargetSpec {
  const svc = /^(?:svc|service|services)\/([^:/]*)(?::(.*))?$/.exec(text);
  if (svc) {
    const name = svc[1]!;
    const port = svc[2];
    if (!DNS1035_LABEL.test(name) || name.length > 63) {
      throw new TargetError(`invalid service name "${name}": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character`);
    }
    if (port !== undefined) {
      if (port === '') throw new TargetError(`"${text}" names no port after ":"`);
      if (/^\d+$/.test(port) ? Number(port) < 1 || Number(port) > 65535 : !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(port)) {
        throw new TargetError(`invalid port "${port}": must be a port number between 1 and 65535 or a port name`);
      }
    }
    return { kind: 'service', name, ...(port !== undefined ? { port } : {}) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new TargetError(`"${text}" is not a valid URL`);
    }
    if (url.protocol !== 'http:') throw new TargetError(`only http:// targets are supported (pods serve plain HTTP), not ${url.protocol}//`);
    return { kind: 'url', url };
  }
  throw new TargetError(`target "${text}" must be svc/NAME[:PORT] (a Service of the cluster) or a URL such as http://127.10.0.1:30080/`);
}

export interface ResolvedTarget {
  /** One line for the report, e.g. `svc/web ClusterIP 127.96.0.20:80 from node-1 (127.10.0.1)`. */
  description: string;
  /** Addresses to connect to; each new connection takes the next. */
  endpoints: HostPort[];
  /** Local addresses to connect from (empty: the kernel's choice). */
  from: string[];
  path: string;
  hostHeader: string;
  /** The pods that may answer (shown with 0 if they get nothing). */
  expectedPods: Array<{ pod: string; node: string }>;
  /** Things the user should know (e.g. the DNS was not reachable and the API's ClusterIP was used). */
  notes: string[];
}

export interface ResolveOptions {
  namespace: string;
  via: Via;
  /** cluster-ip: the node to connect from; node-port: the node to connect to. */
  node?: string;
  /** Local addresses given with --from. */
  from?: string[];
  path?: string;
  /** The cluster's API (needed for svc/ targets). */
  client?: ApiClient;
  /** The cluster DNS, when the cluster has one. */
  dns?: DnsQueryOptions;
}

interface NodeAddressInfo {
  name: string;
  ip: string;
  ready: boolean;
}

function nodeInfo(n: Node): NodeAddressInfo | null {
  const ip = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  if (!ip || !n.metadata.name) return null;
  const ready = n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  return { name: n.metadata.name, ip, ready };
}

function describePorts(ports: ServicePort[]): string {
  return ports.map((p) => `${p.name ? `${p.name} ` : ''}${p.port}/${p.protocol ?? 'TCP'}`).join(', ');
}

/** The service port asked for (by name or number), or its first. */
export function selectPort(svc: Service, wanted: string | undefined): ServicePort {
  const ports = svc.spec.ports ?? [];
  const name = svc.metadata.name;
  if (ports.length === 0) throw new TargetError(`service "${name}" has no ports`);
  if (wanted === undefined) return ports[0]!;
  const found = ports.find((p) => p.name === wanted || String(p.port) === wanted);
  if (!found) throw new TargetError(`service "${name}" has no port "${wanted}" (its ports: ${describePorts(ports)})`);
  return found;
}

/** The ready endpoints of a service (as pods), optionally only those on some nodes. */
function expectedPodsOf(slices: EndpointSlice[], onNodes: Set<string> | null): Array<{ pod: string; node: string }> {
  const seen = new Map<string, { pod: string; node: string }>();
  for (const s of slices) {
    for (const e of s.endpoints ?? []) {
      if (e.conditions?.ready === false) continue;
      const pod = e.targetRef?.kind === 'Pod' ? e.targetRef.name : undefined;
      if (!pod) continue;
      const node = e.nodeName ?? '';
      if (onNodes && !onNodes.has(node)) continue;
      seen.set(pod, { pod, node });
    }
  }
  return [...seen.values()];
}

/** Ready endpoint addresses with the slice port of the service port's name (headless, without DNS). */
function readyAddressesOf(slices: EndpointSlice[], sp: ServicePort): HostPort[] {
  const out: HostPort[] = [];
  for (const s of slices) {
    const port = s.ports?.find((p) => (p.name ?? '') === (sp.name ?? ''))?.port ?? (typeof sp.targetPort === 'number' ? sp.targetPort : sp.port);
    for (const e of s.endpoints ?? []) if (e.conditions?.ready !== false) for (const host of e.addresses) out.push({ host, port });
  }
  return out;
}

async function lookupIPv4(host: string, dns: DnsQueryOptions | undefined, notes: string[]): Promise<string[]> {
  if (net.isIPv4(host)) return [host];
  if (dns) {
    try {
      const r = await resolveIPv4(host, dns);
      if (r.addresses.length) return r.addresses;
    } catch (err) {
      notes.push(`the cluster DNS did not answer for ${host} (${(err as Error).message}); asked the system resolver`);
    }
  }
  try {
    const r = await lookup(host, { family: 4, all: true });
    return r.map((a) => a.address);
  } catch {
    throw new TargetError(`cannot resolve "${host}": neither the cluster DNS nor the system resolver knows it`);
  }
}

export async function resolveTarget(spec: TargetSpec, opts: ResolveOptions): Promise<ResolvedTarget> {
  const notes: string[] = [];
  if (spec.kind === 'url') {
    const url = spec.url;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = url.port ? Number(url.port) : 80;
    const addresses = await lookupIPv4(host, opts.dns, notes);
    return {
      description: `${url.href}${addresses[0] !== host ? ` (${addresses.join(', ')})` : ''}${opts.from?.length ? ` from ${opts.from.join(', ')}` : ''}`,
      endpoints: addresses.map((a) => ({ host: a, port })),
      from: opts.from ?? [],
      path: `${url.pathname}${url.search}`,
      hostHeader: url.host,
      expectedPods: [],
      notes,
    };
  }

  const client = opts.client;
  if (!client) throw new TargetError(`svc/${spec.name} needs a running cluster`);
  const ns = opts.namespace;
  const svc = await client.get<Service>(resourcePath(SERVICES, ns, spec.name));
  const sp = selectPort(svc, spec.port);
  const type = svc.spec.type ?? 'ClusterIP';
  const fqdn = `${spec.name}.${ns}.svc.${CLUSTER_DOMAIN}`;
  const nodes = (await client.list<Node>(resourcePath(NODES))).items
    .map(nodeInfo)
    .filter((n): n is NodeAddressInfo => n !== null)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const slices = (await client.list<EndpointSlice>(resourcePath(SLICES, ns), { labelSelector: `kubernetes.io/service-name=${spec.name}` })).items;
  const findNode = (name: string): NodeAddressInfo => {
    const n = nodes.find((x) => x.name === name);
    if (!n) throw new TargetError(`node "${name}" not found${nodes.length ? ` (the cluster's nodes: ${nodes.map((x) => x.name).join(', ')})` : ''}`);
    return n;
  };
  const base = { path: opts.path ?? '/', notes };
  const portLabel = sp.name ? `port "${sp.name}"` : `port ${sp.port}`;

  if (type === 'ExternalName') {
    throw new TargetError(`service "${spec.name}" is an ExternalName service (${svc.spec.externalName}): load it by URL instead`);
  }

  if (opts.via === 'cluster-ip') {
    // From inside the cluster: a node's address (or the --from addresses).
    let fromNode: NodeAddressInfo | undefined;
    if (opts.node) fromNode = findNode(opts.node);
    else if (!opts.from?.length) {
      fromNode = nodes.find((n) => n.ready) ?? nodes[0];
      if (!fromNode) {
        throw new TargetError(
          `the ClusterIP of service "${spec.name}" is reachable only from inside the cluster, and the cluster has no node to connect from; ` +
            `use --via node-port or --via load-balancer, or --from with a node or pod IP`,
        );
      }
    }
    const from = opts.from?.length ? opts.from : [fromNode!.ip];
    const fromText = opts.from?.length ? `from ${opts.from.join(', ')}` : `from ${fromNode!.name} (${fromNode!.ip})`;
    const local = svc.spec.internalTrafficPolicy === 'Local' && fromNode ? new Set([fromNode.name]) : null;

    if (svc.spec.clusterIP === 'None') {
      // Headless: straight to the pods, as a client resolving the name would.
      let endpoints: HostPort[] = [];
      if (opts.dns && sp.name) {
        const srv = await resolveSrv(`_${sp.name}._${(sp.protocol ?? 'TCP').toLowerCase()}.${fqdn}`, opts.dns);
        endpoints = srv.flatMap((s) => s.addresses.map((host) => ({ host, port: s.port })));
      } else if (opts.dns) {
        const port = typeof sp.targetPort === 'number' ? sp.targetPort : sp.port;
        endpoints = (await resolveIPv4(fqdn, opts.dns)).addresses.map((host) => ({ host, port }));
      } else {
        notes.push('the cluster has no DNS address in cluster.json; took the pod addresses from the EndpointSlices');
        endpoints = readyAddressesOf(slices, sp);
      }
      if (endpoints.length === 0) throw new TargetError(`headless service "${spec.name}" has no ready endpoints (${fqdn})`);
      return {
        ...base,
        description: `svc/${spec.name} (headless: ${endpoints.length} pod address${endpoints.length === 1 ? '' : 'es'} from DNS) ${fromText}`,
        endpoints,
        from,
        hostHeader: fqdn,
        expectedPods: expectedPodsOf(slices, null),
      };
    }

    let ip = svc.spec.clusterIP!;
    if (opts.dns) {
      try {
        const r = await resolveIPv4(fqdn, opts.dns);
        if (r.addresses[0]) ip = r.addresses[0];
        else notes.push(`the cluster DNS has no address for ${fqdn} yet; used the ClusterIP from the API`);
      } catch (err) {
        notes.push(`${(err as Error).message}; used the ClusterIP from the API`);
      }
    }
    return {
      ...base,
      description: `svc/${spec.name} ClusterIP ${ip}:${sp.port} (${portLabel}) ${fromText}`,
      endpoints: [{ host: ip, port: sp.port }],
      from,
      hostHeader: `${fqdn}:${sp.port}`,
      expectedPods: expectedPodsOf(slices, local),
    };
  }

  if (opts.via === 'node-port') {
    if (type !== 'NodePort' && type !== 'LoadBalancer') {
      throw new TargetError(`service "${spec.name}" is of type ${type}: it has no node port (use --via cluster-ip, or make it a NodePort service)`);
    }
    if (!sp.nodePort) throw new TargetError(`${portLabel} of service "${spec.name}" has no node port`);
    const targets = opts.node ? [findNode(opts.node)] : nodes.filter((n) => n.ready);
    if (targets.length === 0) throw new TargetError('the cluster has no Ready node to send node-port traffic to');
    const local = svc.spec.externalTrafficPolicy === 'Local' ? new Set(targets.map((n) => n.name)) : null;
    return {
      ...base,
      description:
        `svc/${spec.name} NodePort ${sp.nodePort} (${portLabel}) on ${targets.map((n) => `${n.name} (${n.ip})`).join(', ')}` +
        `${opts.from?.length ? ` from ${opts.from.join(', ')}` : ''}`,
      endpoints: targets.map((n) => ({ host: n.ip, port: sp.nodePort! })),
      from: opts.from ?? [],
      hostHeader: `${targets[0]!.ip}:${sp.nodePort}`,
      expectedPods: expectedPodsOf(slices, local),
    };
  }

  // load-balancer
  if (type !== 'LoadBalancer') throw new TargetError(`service "${spec.name}" is of type ${type}, not LoadBalancer: it has no load-balancer IP`);
  const ingress = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip);
  if (ingress.length === 0) throw new TargetError(`service "${spec.name}" has no load-balancer IP yet (EXTERNAL-IP is <pending>)`);
  return {
    ...base,
    description: `svc/${spec.name} LoadBalancer ${ingress.map((ip) => `${ip}:${sp.port}`).join(', ')} (${portLabel})${opts.from?.length ? ` from ${opts.from.join(', ')}` : ''}`,
    endpoints: ingress.map((host) => ({ host, port: sp.port })),
    from: opts.from ?? [],
    hostHeader: `${ingress[0]}:${sp.port}`,
    expectedPods: expectedPodsOf(slices, null),
  };
}

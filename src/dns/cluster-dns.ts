// The cluster DNS, a workload of its own as CoreDNS is (its own process, src/dns/main.ts, so a
// control-plane restart costs no lookup): Services and EndpointSlices from its own informers, a
// zone rebuilt from them when something changed (at the next query), and a server on the cluster
// DNS address (cluster.json dns.ip:dns.port, 127.96.0.10:53 when this process may bind port 53,
// else the port `loopkube up` picked). While the API server is away it answers from what its
// informers last knew.
//
// UDP is answered right on that address. TCP goes the Kubernetes way: the proxy owns
// ClusterIP:port/TCP of the `kube-system/kube-dns` Service (port `dns-tcp`, created at bootstrap)
// and forwards it to the Service's endpoints, which this starter publishes (an EndpointSlice and
// an Endpoints object, as a selectorless Service's owner does) pointing at the DNS server's own
// TCP listener (same IP, a port the kernel picks). So the two never fight over one socket, and
// DNS over TCP follows the ClusterIP rules: the proxy dials the back end from the client's own
// address, and the back end accepts only addresses inside the cluster (node IPs, IPs pods hold),
// so reaching its port directly from 127.0.0.1 gets a reset, as the ClusterIP would.
import { resourcePath } from '../api/paths.js';
import type { EndpointSlice, Endpoints, KubeObject, Node, Pod, Service } from '../api/types.js';
import { explainBindFailure } from '../cli/ports.js';
import { clusterDNSIP, type ClusterConfig } from '../cluster/config.js';
import { insideClusterRule } from '../cluster/inside-cluster.js';
import { trackPodAddresses } from '../cluster/pod-addresses.js';
import type { ApiClient } from '../client/client.js';
import type { InformerFactory } from '../client/informer-factory.js';
import type { Logger } from '../log.js';
import { buildZone, type DnsZone } from './records.js';
import { respondToQuery } from './respond.js';
import { startDnsServer, type DnsServer } from './server.js';
import { ENDPOINTS } from '../kinds/endpoints/resource.js';
import { ENDPOINT_SLICES as SLICES } from '../kinds/endpointslice/resource.js';
import { NODES } from '../kinds/node/resource.js';
import { PODS } from '../kinds/pod/resource.js';
import { SERVICES } from '../kinds/service/resource.js';


export const DNS_SERVICE_NAMESPACE = 'kube-system';
export const DNS_SERVICE_NAME = 'kube-dns';
export const DNS_TCP_PORT_NAME = 'dns-tcp';
/** The EndpointSlice of kube-dns this starter owns. */
export const DNS_SLICE_NAME = 'kube-dns-loopkube';
export const DNS_MANAGED_BY = 'cluster-dns.loopkube.dev';
const RETRY_MS = 2000;

/** Where the cluster DNS answers: cluster.json dns, else the tenth address of the service CIDR. */
export function clusterDNSAddress(config: Pick<ClusterConfig, 'dns' | 'serviceCIDR'>): { ip: string; port: number } {
  return { ip: config.dns?.ip || clusterDNSIP(config.serviceCIDR), port: config.dns?.port ?? 0 };
}

export function dnsEndpointSlice(tcp: { address: string; port: number }): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: DNS_SLICE_NAME,
      namespace: DNS_SERVICE_NAMESPACE,
      labels: { 'kubernetes.io/service-name': DNS_SERVICE_NAME, 'endpointslice.kubernetes.io/managed-by': DNS_MANAGED_BY },
    },
    addressType: 'IPv4',
    endpoints: [{ addresses: [tcp.address], conditions: { ready: true, serving: true, terminating: false } }],
    ports: [{ name: DNS_TCP_PORT_NAME, port: tcp.port, protocol: 'TCP' }],
  };
}

export function dnsEndpoints(tcp: { address: string; port: number }): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: DNS_SERVICE_NAME, namespace: DNS_SERVICE_NAMESPACE, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: tcp.address }], ports: [{ name: DNS_TCP_PORT_NAME, port: tcp.port, protocol: 'TCP' }] }],
  };
}

export interface ClusterDnsContext {
  client: ApiClient;
  config: Pick<ClusterConfig, 'dns' | 'serviceCIDR' | 'nodes'>;
  informers: InformerFactory;
  logger: Logger;
  /** Bind the server only once this settles (a standby: when the supervisor promotes it). */
  serveAfter?: Promise<unknown>;
}

export interface ClusterDns {
  /** The UDP and TCP addresses once serving (null before). */
  addresses(): { udp: { address: string; port: number }; tcp: { address: string; port: number } } | null;
  stop(): Promise<void>;
}

export function startClusterDNS(ctx: ClusterDnsContext): ClusterDns {
  const log = ctx.logger;
  const services = ctx.informers.forResource<Service>(SERVICES);
  const slices = ctx.informers.forResource<EndpointSlice>(SLICES);
  const inside = insideClusterRule(ctx.config.nodes, ctx.informers.forResource<Node>(NODES), trackPodAddresses(ctx.informers.forResource<Pod>(PODS)));
  const { ip, port } = clusterDNSAddress(ctx.config);

  let zone: DnsZone | null = null;
  let dirty = true;
  const changed = (): void => {
    dirty = true;
  };
  services.addHandlers({ add: changed, update: changed, delete: changed });
  slices.addHandlers({ add: changed, update: changed, delete: changed });
  const currentZone = (): DnsZone | null => {
    if (!services.hasSynced() || !slices.hasSynced()) return null;
    if (dirty || !zone) {
      dirty = false;
      zone = buildZone({ services: services.list(), endpointSlices: slices.list(), dnsIP: ip });
    }
    return zone;
  };

  let server: DnsServer | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let lastBindError = '';

  /** Writes `obj`: an update over what is there, or a create. */
  async function upsert<T extends KubeObject>(path: string, itemPath: string, obj: T): Promise<void> {
    try {
      const current = await ctx.client.get<T>(itemPath);
      await ctx.client.update<T>(itemPath, { ...obj, metadata: { ...obj.metadata, resourceVersion: current.metadata.resourceVersion } });
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
      await ctx.client.create<T>(path, obj);
    }
  }

  async function publish(tcp: { address: string; port: number }): Promise<void> {
    if (stopped) return;
    try {
      await upsert(resourcePath(SLICES, DNS_SERVICE_NAMESPACE), resourcePath(SLICES, DNS_SERVICE_NAMESPACE, DNS_SLICE_NAME), dnsEndpointSlice(tcp));
      await upsert(resourcePath(ENDPOINTS, DNS_SERVICE_NAMESPACE), resourcePath(ENDPOINTS, DNS_SERVICE_NAMESPACE, DNS_SERVICE_NAME), dnsEndpoints(tcp));
    } catch (err) {
      // the API server not answering yet is the start-up race (this process boots beside it): no warning
      const level = (err as { code?: number }).code === 503 ? 'info' : 'warn';
      log[level]({ err: (err as Error).message }, 'cannot publish the kube-dns endpoints yet; retrying');
      timer = setTimeout(() => void publish(tcp), RETRY_MS);
    }
  }

  async function start(): Promise<void> {
    if (stopped) return;
    try {
      const s = await startDnsServer({
        host: ip,
        port,
        tcp: { host: ip, port: 0 },
        respond: (packet, transport) => respondToQuery(packet, currentZone(), transport),
        acceptTcp: inside,
        logger: log,
      });
      if (stopped) {
        await s.close();
        return;
      }
      server = s;
      const tcp = s.tcpAddress()!;
      log.info({ udp: `${ip}:${s.udpAddress().port}`, tcpEndpoint: `${tcp.address}:${tcp.port}` }, 'cluster DNS serving');
      await publish(tcp);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
      const why = explainBindFailure('the cluster DNS address', ip, port, code, '`loopkube up`, which picks a free port when 53 is not allowed');
      if (why !== lastBindError) log.error({ code }, `cluster DNS cannot start: ${why}; retrying`);
      lastBindError = why;
      timer = setTimeout(() => void start(), RETRY_MS);
    }
  }
  void (ctx.serveAfter ?? Promise.resolve()).then(() => start());

  return {
    addresses() {
      const tcp = server?.tcpAddress();
      return server && tcp ? { udp: server.udpAddress(), tcp } : null;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      const s = server;
      server = null;
      await s?.close();
    },
  };
}

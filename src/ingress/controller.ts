// The ingress controller of class `loopkube`: watches IngressClasses, Ingresses, Services,
// EndpointSlices and Secrets through the API (its own caches, so a control-plane restart costs no
// requests), rebuilds one routing table whenever they change and swaps it in, serves HTTP and
// HTTPS (SNI) on its address from the LoadBalancer pool, and writes that address into each
// Ingress it serves.
import http from 'node:http';
import https from 'node:https';
import type { Secret } from '../api/config.js';
import type { Ingress, IngressClass } from '../api/networking.js';
import type { EndpointSlice, Service } from '../api/types.js';
import type { ApiClient } from '../client/client.js';
import { createInformerFactory } from '../client/informer-factory.js';
import type { EventRecorder } from '../controllers/events.js';
import { INGRESSES } from '../kinds/ingress/resource.js';
import { INGRESS_CLASSES } from '../kinds/ingressclass/resource.js';
import { ENDPOINT_SLICES } from '../kinds/endpointslice/resource.js';
import { SECRETS } from '../kinds/secret/resource.js';
import { SERVICES } from '../kinds/service/resource.js';
import { lowPortFixClause, unprivilegedPortStart } from '../cluster/privileged-ports.js';
import type { Logger } from '../log.js';
import { INGRESS_FALLBACK_PORTS, INGRESS_PORTS } from './address.js';
import { createBackends } from './backends.js';
import { servedBy } from './class-filter.js';
import { forwardRequest, type ForwardContext } from './forward.js';
import { INGRESS_CLASS_NAME, INGRESS_CONTROLLER_NAME } from './ingress-class.js';
import { listenWithFallback, type Listening } from './listen.js';
import { createIngressMetrics, type IngressMetrics } from './metrics.js';
import { buildRoutingTable, type RoutingTable } from './routing-table.js';
import { syncIngressStatus } from './status.js';
import { createCertificates } from './tls.js';

export interface IngressController {
  http: Listening;
  https: Listening;
  metrics: IngressMetrics;
  stop(): Promise<void>;
}

export interface IngressControllerOptions {
  client: ApiClient;
  address: string;
  logger: Logger;
  events: EventRecorder;
  /** Ports to try (default 80/443) and their fallbacks (8080/8443). */
  ports?: { http: number; https: number };
  fallbackPorts?: { http: number; https: number };
}

export async function startIngressController(opts: IngressControllerOptions): Promise<IngressController> {
  const { client, address, logger } = opts;
  const informers = createInformerFactory(client, logger);
  const classes = informers.forResource<IngressClass>(INGRESS_CLASSES);
  const ingresses = informers.forResource<Ingress>(INGRESSES);
  const services = informers.forResource<Service>(SERVICES);
  const slices = informers.forResource<EndpointSlice>(ENDPOINT_SLICES);
  const secrets = informers.forResource<Secret>(SECRETS);
  const metrics = createIngressMetrics();
  const backends = createBackends(() => services.list(), () => slices.list());

  let ours: Ingress[] = [];
  let table: RoutingTable = buildRoutingTable([]);
  const rebuild = (): void => {
    const mine = servedBy(INGRESS_CONTROLLER_NAME, classes.list());
    ours = ingresses.list().filter((i) => !i.metadata.deletionTimestamp && mine(i));
    table = buildRoutingTable(ours);
  };
  let statusTimer: NodeJS.Timeout | undefined;
  const syncStatuses = (): void => {
    if (statusTimer) return;
    statusTimer = setTimeout(() => {
      statusTimer = undefined;
      const mine = servedBy(INGRESS_CONTROLLER_NAME, classes.list());
      for (const ing of ingresses.list()) {
        if (ing.metadata.deletionTimestamp) continue;
        const served = mine(ing);
        // an Ingress of another class keeps what its own controller wrote, unless it is our address
        if (!served && !(ing.status?.loadBalancer?.ingress ?? []).some((i) => i.ip === address)) continue;
        void syncIngressStatus(client, ing, served ? address : undefined, logger);
      }
    }, 50);
  };
  const onRoutes = { add: () => { rebuild(); syncStatuses(); }, update: () => { rebuild(); syncStatuses(); }, delete: () => rebuild() };
  classes.addHandlers(onRoutes);
  ingresses.addHandlers(onRoutes);
  const onEndpoints = { add: () => backends.refresh(), update: () => backends.refresh(), delete: () => backends.refresh() };
  services.addHandlers(onEndpoints);
  slices.addHandlers(onEndpoints);

  const agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64, timeout: 60_000 });
  const certs = createCertificates(() => ours, (ns, name) => {
    const s = secrets.get(`${ns}/${name}`);
    return s && s.type === 'kubernetes.io/tls' ? s : undefined;
  });
  const ports = opts.ports ?? INGRESS_PORTS;
  const fallback = opts.fallbackPorts ?? INGRESS_FALLBACK_PORTS;
  const context = (scheme: 'http' | 'https', port: number): ForwardContext => ({ table: () => table, backends, agent, metrics, logger, scheme, port });
  let httpCtx = context('http', ports.http);
  let httpsCtx = context('https', ports.https);
  const plain = http.createServer({ keepAliveTimeout: 75_000 }, (req, res) => forwardRequest(httpCtx, req, res));
  const secure = https.createServer(
    {
      ...certs.defaultCert,
      keepAliveTimeout: 75_000,
      SNICallback: (name, cb) => cb(null, certs.contextFor(name)),
    },
    (req, res) => forwardRequest(httpsCtx, req, res),
  );
  for (const s of [plain, secure]) {
    s.headersTimeout = 60_000;
    s.requestTimeout = 300_000;
    s.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
      else socket.destroy();
    });
  }

  await informers.synced();
  rebuild();
  syncStatuses();
  const httpListening = await listenWithFallback(plain, address, ports.http, fallback.http);
  const httpsListening = await listenWithFallback(secure, address, ports.https, fallback.https);
  httpCtx = context('http', httpListening.port);
  httpsCtx = context('https', httpsListening.port);
  for (const l of [httpListening, httpsListening]) {
    if (l.fellBackFrom === undefined) continue;
    const message =
      `ingress listens on ${address}:${l.port} instead of ${address}:${l.fellBackFrom}: ports below ${unprivilegedPortStart()} need privileges; ` +
      `run the cluster as root, or ${lowPortFixClause()}`;
    logger.warn({ address, port: l.port, wanted: l.fellBackFrom }, message);
    const cls = classes.get(INGRESS_CLASS_NAME);
    if (cls) opts.events.warning(cls, 'PortFallback', message);
  }
  logger.info({ address, http: httpListening.port, https: httpsListening.port }, 'ingress controller serving');

  return {
    http: httpListening,
    https: httpsListening,
    metrics,
    async stop() {
      if (statusTimer) clearTimeout(statusTimer);
      informers.stop();
      agent.destroy();
      await Promise.all([plain, secure].map((s) => new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      })));
    },
  };
}

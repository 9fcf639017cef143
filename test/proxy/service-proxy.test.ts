// The service proxy over real sockets: a real control plane, a real proxy process, Node objects
// heartbeated by the test, selectorless Services with hand-made EndpointSlices, and pods played
// by HTTP servers on pod IPs that answer with who they are and the client address they saw. The
// whole suite runs once per data plane.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import type { Service } from '../../src/api/types.js';
import type { DataPlaneName, NodeConfig } from '../../src/cluster/config.js';
import { deleteNftablesTable, nftablesTableName } from '../../src/cluster/nftables.js';
import { silentLogger } from '../../src/log.js';
import { createSocketKeeper } from '../../src/supervisor/socket-keeper.js';
import { freePort, startTestControlPlane, waitFor, type TestControlPlane } from '../support/control-plane.js';
import { createFakeNode, type FakeNode } from '../support/fake-nodes.js';
import { testNodeConfigs } from '../support/node-process.js';
import {
  createEndpointSlice,
  createService,
  deleteQuietly,
  endpoint,
  outcome,
  refused,
  request,
  serviceEvents,
  setEndpoints,
  spread,
  startPods,
  startProxyProcess,
  holdPodIP,
  type PodServer,
  type ProxyProcess,
} from './support.js';

const NS = 'default';
// nftables programs the kernel: it needs root, as CI runs (a run without root fails here, saying so).
const PLANES: DataPlaneName[] = ['splice', 'socket', 'nftables'];

describe.each(PLANES)('on the %s data plane', (dataPlane) => {
  let cp: TestControlPlane;
  let proxy: ProxyProcess;
  let nodes: NodeConfig[];
  let fakeNodes: FakeNode[] = [];
  const cleanups: Array<() => Promise<void>> = [];

  /** A pod IP on node i (1-based): the node's pod CIDR's host `host`. */
  function podIP(i: number, host: number): string {
    return nodes[i - 1]!.podCIDR.replace(/\.0\/24$/, `.${host}`);
  }

  /** An address outside the cluster (as a client on the host, or beyond a load balancer). */
  const OUTSIDE = '127.0.0.1';
  let outsider = '';

  async function pods(specs: Array<[name: string, node: number, host: number]>): Promise<PodServer[]> {
    const started = await startPods(specs.map(([name, node, host]) => ({ name, ip: podIP(node, host), node: nodes[node - 1]!.name })));
    cleanups.push(async () => {
      await Promise.all(started.map((p) => p.close()));
    });
    return started;
  }

  /** A client pod: a Pod object holding podIP(node, host), so the proxy counts it as inside. */
  async function clientPod(name: string, node: number, host: number): Promise<string> {
    const ip = podIP(node, host);
    cleanups.push(await holdPodIP(cp.client, NS, name, nodes[node - 1]!.name, ip));
    return ip;
  }

  async function service(name: string, spec: Service['spec'], servers: PodServer[], portName = 'http') {
    const svc = await createService(cp.client, NS, name, { ports: [{ name: portName, port: 80, targetPort: servers[0]?.port ?? 8080, protocol: 'TCP' }], ...spec });
    cleanups.push(() => deleteQuietly(cp.client, `/api/v1/namespaces/${NS}/services/${name}`));
    const slice = await createEndpointSlice(cp.client, NS, name, { name: portName, port: servers[0]?.port ?? 8080 }, servers.map((s) => endpoint(s)));
    cleanups.push(() => deleteQuietly(cp.client, `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices/${slice.metadata.name}`));
    return { svc, slice };
  }

  async function ingressIP(name: string): Promise<string> {
    return waitFor(`a load-balancer IP for ${name}`, async () => {
      const s = await cp.client.get<Service>(`/api/v1/namespaces/${NS}/services/${name}`);
      return s.status?.loadBalancer?.ingress?.[0]?.ip;
    });
  }

  /** Waits until the proxy serves host:port (the snapshot with this service is applied). */
  async function served(host: string, port: number, from?: string): Promise<void> {
    await waitFor(`${host}:${port} to be served`, async () => (await outcome(host, port, from)) === 'OK');
  }

  beforeAll(async () => {
    nodes = testNodeConfigs(3);
    const metricsPort = await freePort();
    cp = await startTestControlPlane({ nodes, config: { proxy: { mode: 'round-robin', metricsPort, dataPlane } } });
    for (const n of nodes) {
      const f = await createFakeNode(cp.client, { name: n.name, ip: n.ip });
      f.startHeartbeats(1000);
      fakeNodes.push(f);
    }
    outsider = `127.9.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
    proxy = await startProxyProcess(cp.home, metricsPort);
  });

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    await proxy?.stop();
    // No rule outlives the suite, whatever happened to the proxy.
    if (dataPlane === 'nftables' && cp) deleteNftablesTable(nftablesTableName(cp.config));
    for (const f of fakeNodes) await f.stopHeartbeats();
    await cp?.stop();
  });

  describe('ClusterIP', () => {
    it('spreads 30 new connections from a node over 3 pods round-robin, 10 each, and the pod sees the node', async () => {
      const p = await pods([
        ['rr-a', 1, 11],
        ['rr-b', 2, 11],
        ['rr-c', 3, 11],
      ]);
      const { svc } = await service('rr', {}, p);
      const ip = svc.spec.clusterIP!;
      await served(ip, 80, nodes[0]!.ip);
      const seen = await request(ip, 80, nodes[0]!.ip);
      expect(seen.client).toBe(nodes[0]!.ip);
      expect(await spread(30, ip, 80, nodes[0]!.ip)).toEqual({ 'rr-a': 10, 'rr-b': 10, 'rr-c': 10 });
    });

    it("is reachable only from inside the cluster: a node or a pod's IP, not the host, an outsider, nor (userspace) an address no pod holds", async () => {
      const p = await pods([['inside-a', 1, 12]]);
      const { svc } = await service('inside', {}, p);
      const ip = svc.spec.clusterIP!;
      await served(ip, 80, nodes[1]!.ip);
      // in node-2's pod CIDR, but no pod holds it (yet). The nftables plane's kernel set holds
      // the nodes' pod CIDRs (it is rendered per sync; pods come and go without one), so there it is inside.
      const unassigned = podIP(2, 200);
      if (dataPlane === 'nftables') expect((await request(ip, 80, unassigned)).client).toBe(unassigned);
      else expect(await outcome(ip, 80, unassigned)).toMatch(/ECONNRESET|ECONNREFUSED/);
      const fromPod = await clientPod('inside-client', 2, 200);
      await served(ip, 80, fromPod);
      expect((await request(ip, 80, fromPod)).client).toBe(fromPod);
      expect(await outcome(ip, 80, OUTSIDE)).toMatch(/ECONNRESET|ECONNREFUSED/);
      expect(await outcome(ip, 80, outsider)).toMatch(/ECONNRESET|ECONNREFUSED/);
    });

    it('refuses at once when the service has no endpoint, and serves as soon as one appears (scale up)', async () => {
      const [a] = await pods([['empty-a', 1, 13]]);
      const svc = await createService(cp.client, NS, 'empty', { ports: [{ name: 'http', port: 80, targetPort: a!.port }] });
      cleanups.push(() => deleteQuietly(cp.client, `/api/v1/namespaces/${NS}/services/empty`));
      const slice = await createEndpointSlice(cp.client, NS, 'empty', { name: 'http', port: a!.port }, []);
      cleanups.push(() => deleteQuietly(cp.client, `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices/${slice.metadata.name}`));
      const ip = svc.spec.clusterIP!;
      await waitFor('the empty service to be known', () => refused(ip, 80, nodes[0]!.ip));
      expect(await outcome(ip, 80, nodes[0]!.ip)).toMatch(/ECONNRESET|ECONNREFUSED/);
      await setEndpoints(cp.client, slice, [endpoint(a!)]);
      await served(ip, 80, nodes[0]!.ip);
      expect((await request(ip, 80, nodes[0]!.ip)).pod).toBe('empty-a');
    });

    it('falls back to serving-but-terminating endpoints when none is ready, and never sends to not-ready ones', async () => {
      const [ready, terminating, notReady] = await pods([
        ['fb-ready', 1, 14],
        ['fb-term', 2, 14],
        ['fb-notready', 3, 14],
      ]);
      const { svc, slice } = await service('fallback', {}, [ready!]);
      const ip = svc.spec.clusterIP!;
      await setEndpoints(cp.client, slice, [
        endpoint(ready!),
        endpoint(terminating!, { ready: false, serving: true, terminating: true }),
        endpoint(notReady!, { ready: false, serving: false, terminating: false }),
      ]);
      await served(ip, 80, nodes[0]!.ip);
      expect(await spread(6, ip, 80, nodes[0]!.ip)).toEqual({ 'fb-ready': 6 });
      await setEndpoints(cp.client, slice, [
        endpoint(terminating!, { ready: false, serving: true, terminating: true }),
        endpoint(notReady!, { ready: false, serving: false, terminating: false }),
      ]);
      await waitFor('the terminating pod to take traffic', async () => (await request(ip, 80, nodes[0]!.ip)).pod === 'fb-term');
      expect(await spread(6, ip, 80, nodes[0]!.ip)).toEqual({ 'fb-term': 6 });
    });

    it('with internalTrafficPolicy Local sends a client only to pods on its own node', async () => {
      const p = await pods([
        ['itp-1a', 1, 15],
        ['itp-1b', 1, 16],
        ['itp-2', 2, 15],
      ]);
      const { svc } = await service('itp', { internalTrafficPolicy: 'Local' }, p);
      const ip = svc.spec.clusterIP!;
      await served(ip, 80, nodes[0]!.ip);
      expect(await spread(6, ip, 80, nodes[0]!.ip)).toEqual({ 'itp-1a': 3, 'itp-1b': 3 });
      const fromPod = await clientPod('itp-client', 2, 99);
      await served(ip, 80, fromPod);
      expect(await spread(4, ip, 80, fromPod)).toEqual({ 'itp-2': 4 });
      expect(await outcome(ip, 80, nodes[2]!.ip)).toMatch(/ECONNRESET|ECONNREFUSED/);
    });

    it('pins a client to one pod with sessionAffinity ClientIP', async () => {
      const p = await pods([
        ['aff-a', 1, 17],
        ['aff-b', 2, 17],
        ['aff-c', 3, 17],
      ]);
      const { svc } = await service('affinity', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 300 } } }, p);
      const ip = svc.spec.clusterIP!;
      await served(ip, 80, nodes[0]!.ip);
      const fromPod = await clientPod('aff-client', 3, 77);
      await served(ip, 80, fromPod);
      for (const from of [nodes[0]!.ip, nodes[1]!.ip, fromPod]) {
        const counts = await spread(9, ip, 80, from);
        expect(Object.values(counts)).toEqual([9]);
      }
    });

    it('sends no new connection to a pod once its endpoint is gone, while its established connections keep running', async () => {
      const [a, b] = await pods([
        ['gone-a', 1, 18],
        ['gone-b', 2, 18],
      ]);
      const { svc, slice } = await service('gone', {}, [a!, b!]);
      const ip = svc.spec.clusterIP!;
      await served(ip, 80, nodes[0]!.ip);

      // A keep-alive connection that lands on gone-a.
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1, localAddress: nodes[0]!.ip });
      const viaAgent = (): Promise<string> =>
        new Promise((resolve, reject) => {
          http
            .get({ host: ip, port: 80, agent }, (res) => {
              let body = '';
              res.on('data', (c: Buffer) => (body += c.toString()));
              res.on('end', () => resolve((JSON.parse(body) as { pod: string }).pod));
            })
            .on('error', reject);
        });
      try {
        let first = await viaAgent();
        while (first !== 'gone-a') {
          agent.destroy();
          first = await viaAgent();
        }
        await setEndpoints(cp.client, slice, [endpoint(b!)]);
        await waitFor('gone-a to leave the rotation', async () => {
          const s = await spread(2, ip, 80, nodes[0]!.ip);
          return s['gone-b'] === 2;
        });
        expect(await spread(10, ip, 80, nodes[0]!.ip)).toEqual({ 'gone-b': 10 });
        expect(await viaAgent()).toBe('gone-a');
      } finally {
        agent.destroy();
      }
    });

    it('keeps an established connection to a removed endpoint flowing until the pod, or the client, closes it', async () => {
      // Two TCP "pods" that greet with their name, then echo; the first keeps each socket by the
      // first line its client sent, so the test can close one from the pod's side.
      const sockets = new Map<string, net.Socket>();
      const every = new Set<net.Socket>();
      const closedByClient: string[] = [];
      const echo = (name: string): net.Server =>
        net.createServer({ allowHalfOpen: true }, (sock) => {
          every.add(sock);
          sock.on('close', () => every.delete(sock));
          sock.write(`${name}\n`);
          let id = '';
          sock.on('data', (c: Buffer) => {
            if (!id) {
              id = c.toString().split('\n')[0]!;
              sockets.set(id, sock);
            }
            sock.write(c);
          });
          sock.on('end', () => {
            closedByClient.push(id);
            sock.end();
          });
          sock.on('error', () => sock.destroy());
        });
      const [ipA, ipB] = [podIP(1, 25), podIP(2, 25)];
      const servers = [echo('est-a'), echo('est-b')];
      const port = await freePort(ipA);
      await Promise.all(servers.map((srv, i) => new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen({ host: i === 0 ? ipA : ipB, port, exclusive: true }, () => resolve());
      })));
      cleanups.push(async () => {
        for (const sock of every) sock.destroy();
        for (const srv of servers) await new Promise<void>((r) => srv.close(() => r()));
      });
      const svc = await createService(cp.client, NS, 'established', { ports: [{ name: 'tcp', port: 80, targetPort: port, protocol: 'TCP' }] });
      cleanups.push(() => deleteQuietly(cp.client, `/api/v1/namespaces/${NS}/services/established`));
      const at = (ip: string, nodeName: string) => ({ addresses: [ip], nodeName, conditions: { ready: true, serving: true, terminating: false } });
      const slice = await createEndpointSlice(cp.client, NS, 'established', { name: 'tcp', port }, [at(ipA, nodes[0]!.name)]);
      cleanups.push(() => deleteQuietly(cp.client, `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices/${slice.metadata.name}`));
      const ip = svc.spec.clusterIP!;

      /** A connection through the ClusterIP: its greeting, a way to send a line and read its echo, and its end. */
      const open = async () => {
        const s = net.connect({ host: ip, port: 80, localAddress: nodes[0]!.ip, allowHalfOpen: true });
        let buf = '';
        let done = '';
        const waiters: Array<() => void> = [];
        const wake = (): void => {
          for (const w of waiters.splice(0)) w();
        };
        s.on('data', (c: Buffer) => {
          buf += c.toString();
          wake();
        });
        const ended = new Promise<string>((resolve) => {
          s.on('end', () => resolve((done = 'end')));
          s.on('error', (err: NodeJS.ErrnoException) => resolve((done = err.code ?? 'error')));
        });
        void ended.then(wake);
        const line = async (): Promise<string> => {
          while (!buf.includes('\n')) {
            if (done) throw new Error(`connection ended (${done}) before a line`);
            await new Promise<void>((r) => waiters.push(r));
          }
          const i = buf.indexOf('\n');
          const l = buf.slice(0, i);
          buf = buf.slice(i + 1);
          return l;
        };
        const greeting = await line();
        return { s, greeting, ended, say: async (text: string) => (s.write(`${text}\n`), line()) };
      };

      await waitFor('est-a to serve', async () => {
        const c = await open().catch(() => undefined);
        c?.s.destroy();
        return c?.greeting === 'est-a';
      });
      const c1 = await open();
      const c2 = await open();
      expect([c1.greeting, c2.greeting, await c1.say('c1'), await c2.say('c2')]).toEqual(['est-a', 'est-a', 'c1', 'c2']);

      await setEndpoints(cp.client, slice, [at(ipB, nodes[1]!.name)]);
      await waitFor('new connections to go to est-b', async () => {
        const c = await open().catch(() => undefined);
        c?.s.destroy();
        return c?.greeting === 'est-b';
      });
      // Both established connections still reach est-a, whose endpoint is gone.
      expect(await c1.say('still here')).toBe('still here');
      expect(await c2.say('me too')).toBe('me too');
      // The pod closes one: its client sees the end.
      sockets.get('c1')!.end();
      expect(await c1.ended).toBe('end');
      c1.s.end();
      // The client closes the other: the pod sees it.
      c2.s.end();
      await waitFor('est-a to see c2 close', () => closedByClient.includes('c2'));
      expect(await c2.ended).toBe('end');
    });

    it('frees its ports at once when the service is deleted', async () => {
      const p = await pods([['del-a', 1, 19]]);
      const { svc } = await service('deleted', {}, p);
      const ip = svc.spec.clusterIP!;
      await served(ip, 80, nodes[0]!.ip);
      await cp.client.delete(`/api/v1/namespaces/${NS}/services/deleted`);
      await waitFor('the listener to close', async () => (await outcome(ip, 80, nodes[0]!.ip)) === 'ECONNREFUSED');
      const taker = net.createServer();
      await new Promise<void>((resolve, reject) => {
        taker.once('error', reject);
        taker.listen({ host: ip, port: 80, exclusive: true }, () => resolve());
      });
      await new Promise<void>((r) => taker.close(() => r()));
    });
  });

  describe('NodePort', () => {
    it('serves the same port on every node, round-robin over every pod, the pod seeing the node that took the connection (SNAT)', async () => {
      const p = await pods([
        ['np-a', 1, 21],
        ['np-b', 2, 21],
        ['np-c', 3, 21],
      ]);
      const { svc } = await service('nodeport', { type: 'NodePort' }, p);
      const nodePort = svc.spec.ports![0]!.nodePort!;
      for (const n of nodes) {
        await served(n.ip, nodePort);
        expect((await request(n.ip, nodePort, outsider)).client).toBe(n.ip);
        expect(await spread(30, n.ip, nodePort, outsider)).toEqual({ 'np-a': 10, 'np-b': 10, 'np-c': 10 });
      }
    });

    it('with externalTrafficPolicy Local forwards only to pods on the node, keeps the client IP, and a node without one refuses', async () => {
      const p = await pods([
        ['local-1a', 1, 22],
        ['local-1b', 1, 23],
        ['local-2', 2, 22],
      ]);
      const { svc } = await service('local', { type: 'NodePort', externalTrafficPolicy: 'Local' }, p);
      const nodePort = svc.spec.ports![0]!.nodePort!;
      await served(nodes[0]!.ip, nodePort);
      expect(await spread(4, nodes[0]!.ip, nodePort, outsider)).toEqual({ 'local-1a': 2, 'local-1b': 2 });
      expect(await spread(3, nodes[1]!.ip, nodePort, outsider)).toEqual({ 'local-2': 3 });
      expect((await request(nodes[1]!.ip, nodePort, outsider)).client).toBe(outsider);
      expect(await outcome(nodes[2]!.ip, nodePort, outsider)).toMatch(/ECONNRESET|ECONNREFUSED/);
    });

    it('records an Event with the reason and the fix when a port cannot be opened (userspace), or serves it regardless (nftables)', async () => {
      const p = await pods([['busy-a', 1, 24]]);
      // Something else holds node-2's address at the node port the service asks for.
      const nodePort = 30000 + Math.floor(Math.random() * 2700);
      const squatter = net.createServer();
      await new Promise<void>((resolve, reject) => {
        squatter.once('error', reject);
        squatter.listen({ host: nodes[1]!.ip, port: nodePort, exclusive: true }, () => resolve());
      });
      cleanups.push(() => new Promise<void>((r) => squatter.close(() => r())));
      const svc = await createService(cp.client, NS, 'busy', { type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: p[0]!.port, nodePort }] });
      cleanups.push(() => deleteQuietly(cp.client, `/api/v1/namespaces/${NS}/services/busy`));
      const slice = await createEndpointSlice(cp.client, NS, 'busy', { name: 'http', port: p[0]!.port }, [endpoint(p[0]!)]);
      cleanups.push(() => deleteQuietly(cp.client, `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices/${slice.metadata.name}`));
      await served(nodes[0]!.ip, nodePort);
      await served(svc.spec.clusterIP!, 80, nodes[0]!.ip);
      if (dataPlane === 'nftables') {
        // The kernel's rules take the connection before any socket: the squatter never sees it.
        expect((await request(nodes[1]!.ip, nodePort, outsider)).pod).toBe('busy-a');
        expect((await serviceEvents(cp.client, NS, 'busy')).filter((e) => e.reason === 'FailedToOpenPort')).toEqual([]);
        return;
      }
      const event = await waitFor('the FailedToOpenPort event', async () =>
        (await serviceEvents(cp.client, NS, 'busy')).find((e) => e.reason === 'FailedToOpenPort'),
      );
      expect(event.type).toBe('Warning');
      expect(event.message).toContain(`${nodes[1]!.ip}:${nodePort}`);
      expect(event.message).toContain('address already in use');
      expect(event.message).toContain('another nodePort');
      // Once the address is free again, the proxy takes it (it keeps retrying).
      await new Promise<void>((r) => squatter.close(() => r()));
      await served(nodes[1]!.ip, nodePort);
    });
  });

  describe('LoadBalancer', () => {
    it('gets an IP from the pool, reachable from outside, spread round-robin over every pod', async () => {
      const p = await pods([
        ['lb-a', 1, 31],
        ['lb-b', 2, 31],
        ['lb-c', 3, 31],
      ]);
      await service('lb', { type: 'LoadBalancer' }, p);
      const ip = await ingressIP('lb');
      const pool = cp.config.loadBalancerPool.replace(/\.0\/24$/, '.');
      expect(ip.startsWith(pool)).toBe(true);
      await served(ip, 80, outsider);
      expect(await spread(30, ip, 80, outsider)).toEqual({ 'lb-a': 10, 'lb-b': 10, 'lb-c': 10 });
      // Cluster policy: the pod sees one of the nodes (SNAT), never the client.
      const seen = new Set((await Promise.all([1, 2, 3].map(() => request(ip, 80, outsider)))).map((a) => a.client));
      for (const c of seen) expect(nodes.map((n) => n.ip)).toContain(c);
    });

    it('with externalTrafficPolicy Local spreads over the nodes with pods (25/25/50), keeps the client IP, and answers health checks', async () => {
      const p = await pods([
        ['lbl-1a', 1, 32],
        ['lbl-1b', 1, 33],
        ['lbl-2', 2, 32],
      ]);
      const { svc } = await service('lb-local', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' }, p);
      const ip = await ingressIP('lb-local');
      await served(ip, 80, outsider);
      const counts = await spread(40, ip, 80, outsider);
      expect(counts).toEqual({ 'lbl-1a': 10, 'lbl-1b': 10, 'lbl-2': 20 });
      expect((await request(ip, 80, outsider)).client).toBe(outsider);

      const hcPort = svc.spec.healthCheckNodePort!;
      expect(hcPort).toBeGreaterThan(0);
      const health = (host: string) =>
        new Promise<{ status: number; body: string; weight: string | undefined }>((resolve, reject) => {
          http
            .get({ host, port: hcPort, path: '/', agent: false }, (res) => {
              let body = '';
              res.on('data', (c: Buffer) => (body += c.toString()));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body, weight: res.headers['x-load-balancing-endpoint-weight'] as string | undefined }));
            })
            .on('error', reject);
        });
      const h1 = await waitFor('the health check on node-1', () => health(nodes[0]!.ip).catch(() => undefined));
      expect(h1.status).toBe(200);
      expect(JSON.parse(h1.body)).toEqual({ service: { namespace: NS, name: 'lb-local' }, localEndpoints: 2, serviceProxyHealthy: true });
      expect(h1.weight).toBe('2');
      const h3 = await health(nodes[2]!.ip);
      expect(h3.status).toBe(503);
      expect(JSON.parse(h3.body)).toEqual({ service: { namespace: NS, name: 'lb-local' }, localEndpoints: 0, serviceProxyHealthy: true });
    });
  });

  describe('NotReady nodes', () => {
    it('serve no NodePort and take no load-balancer traffic until Ready again', async () => {
      const p = await pods([
        ['nr-a', 1, 35],
        ['nr-b', 2, 35],
        ['nr-c', 3, 35],
      ]);
      const { svc } = await service('notready', { type: 'LoadBalancer' }, p);
      const ip = await ingressIP('notready');
      const nodePort = svc.spec.ports![0]!.nodePort!;
      await served(nodes[2]!.ip, nodePort);
      await served(ip, 80, outsider);
      const node3 = fakeNodes[2]!;
      await node3.stopHeartbeats();
      try {
        await cp.client.patch(`/api/v1/nodes/${nodes[2]!.name}/status`, {
          status: { conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'test', lastHeartbeatTime: new Date().toISOString() }] },
        });
        await waitFor('node-3 to stop serving its NodePort', async () => (await outcome(nodes[2]!.ip, nodePort, outsider)) === 'ECONNREFUSED');
        const seen = new Set<string>();
        for (let i = 0; i < 12; i++) seen.add((await request(ip, 80, outsider)).client);
        expect([...seen].sort()).toEqual([nodes[0]!.ip, nodes[1]!.ip].sort());
        // Its pod is still an endpoint: with Cluster policy the other nodes still reach it.
        expect(await spread(30, ip, 80, outsider)).toEqual({ 'nr-a': 10, 'nr-b': 10, 'nr-c': 10 });
      } finally {
        await node3.heartbeat();
        node3.startHeartbeats(1000);
      }
      await served(nodes[2]!.ip, nodePort, outsider);
    });
  });

  describe('health check ports', () => {
    it('records an Event when a healthCheckNodePort cannot be opened on a node', async () => {
      const p = await pods([['hcbusy-a', 1, 34]]);
      const hcPort = 30000 + Math.floor(Math.random() * 2700);
      const squatter = net.createServer();
      await new Promise<void>((resolve, reject) => {
        squatter.once('error', reject);
        squatter.listen({ host: nodes[2]!.ip, port: hcPort, exclusive: true }, () => resolve());
      });
      cleanups.push(() => new Promise<void>((r) => squatter.close(() => r())));
      await service('hc-busy', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: hcPort }, p);
      const event = await waitFor('the FailedToStartServiceHealthcheck event', async () =>
        (await serviceEvents(cp.client, NS, 'hc-busy')).find((e) => e.reason === 'FailedToStartServiceHealthcheck'),
      );
      expect(event.message).toContain(`node ${nodes[2]!.name} failed to start healthcheck "${NS}/hc-busy" on port ${hcPort}`);
      expect(event.message).toContain('address already in use');
    });
  });

  describe('control plane away', () => {
    it('keeps serving with what it last knew while the API server does not answer', async () => {
      const p = await pods([
        ['away-a', 1, 45],
        ['away-b', 2, 45],
      ]);
      const { svc } = await service('away', { type: 'NodePort' }, p);
      const nodePort = svc.spec.ports![0]!.nodePort!;
      await served(nodes[0]!.ip, nodePort);
      cp.process.kill('SIGSTOP');
      try {
        expect(await spread(4, nodes[0]!.ip, nodePort, outsider)).toEqual({ 'away-a': 2, 'away-b': 2 });
        expect(await spread(2, svc.spec.clusterIP!, 80, nodes[1]!.ip)).toEqual({ 'away-a': 1, 'away-b': 1 });
      } finally {
        cp.process.kill('SIGCONT');
      }
    });
  });

  describe('metrics', () => {
    it('runs the data plane the cluster asks for, and says which', async () => {
      expect((await proxy.get('/metrics')).body).toContain(`loopkube_proxy_data_plane{plane="${dataPlane}"} 1`);
    });

    it('counts connections, bytes and refusals per frontend and per endpoint', async () => {
      const p = await pods([['m-a', 1, 41]]);
      const { svc } = await service('metered', {}, p);
      const ip = svc.spec.clusterIP!;
      await served(ip, 80, nodes[0]!.ip);
      await spread(5, ip, 80, nodes[0]!.ip);
      await outcome(ip, 80, OUTSIDE);
      const text = await waitFor('the counters', async () => {
        const m = await proxy.get('/metrics');
        return /loopkube_proxy_frontend_refused_total\{namespace="default",service="metered",[^}]*kind="clusterIP"[^}]*\} [1-9]/.test(m.body) && m.body;
      });
      expect(text).toMatch(/loopkube_proxy_frontend_connections_total\{namespace="default",service="metered",port="http",kind="clusterIP",address="[0-9.]+:80",node=""\} ([6-9]|\d\d)/);
      expect(text).toMatch(new RegExp(`loopkube_proxy_endpoint_connections_total\\{namespace="default",service="metered",port="http",endpoint="${p[0]!.ip}:${p[0]!.port}",node="${nodes[0]!.name}"\\} ([6-9]|\\d\\d)`));
      expect(text).toMatch(/loopkube_proxy_endpoint_bytes_out_total\{namespace="default",service="metered"[^}]*\} [1-9]\d*/);
      const stats = JSON.parse((await proxy.get('/stats')).body) as {
        frontends: Array<{ service: string; bytesIn: number; flows: Array<{ client: string; endpoint: string; connectionsTotal: number; connectionsActive: number; bytes: number }> }>;
      };
      const fe = stats.frontends.find((f) => f.service === 'metered')!;
      expect(fe.bytesIn).toBeGreaterThan(0);
      // the service map's flows: who the client was and which pod it reached (the refused outsider is no flow)
      expect(fe.flows).toEqual([{ client: nodes[0]!.ip, endpoint: `${p[0]!.ip}:${p[0]!.port}`, connectionsTotal: expect.any(Number), connectionsActive: expect.any(Number), bytes: expect.any(Number) }]);
      expect(fe.flows[0]!.connectionsTotal).toBeGreaterThanOrEqual(6);
      expect(fe.flows[0]!.bytes).toBeGreaterThan(0);
    });

    it("serves /metrics and /stats only with the cluster's token, /healthz to anyone", async () => {
      expect((await proxy.get('/metrics', false)).status).toBe(401);
      expect((await proxy.get('/stats', false)).status).toBe(401);
      expect((await proxy.get('/healthz', false)).status).toBe(200);
    });
  });

  describe('restart', () => {
    it('comes back after SIGKILL with every listener (nftables: its rules keep serving meanwhile, as on a node whose kube-proxy died)', async () => {
      const p = await pods([['rs-a', 1, 51]]);
      const { svc } = await service('restart', { type: 'LoadBalancer' }, p);
      const lbIP = await ingressIP('restart');
      const nodePort = svc.spec.ports![0]!.nodePort!;
      const targets: Array<[string, number, string]> = [
        [svc.spec.clusterIP!, 80, nodes[0]!.ip],
        ...nodes.map((n): [string, number, string] => [n.ip, nodePort, outsider]),
        [lbIP, 80, outsider],
      ];
      for (const [h, port, from] of targets) await served(h, port, from);
      await proxy.kill();
      for (const [h, port, from] of targets) expect(await outcome(h, port, from)).toBe(dataPlane === 'nftables' ? 'OK' : 'ECONNREFUSED');
      proxy = await startProxyProcess(cp.home, proxy.metricsPort);
      for (const [h, port, from] of targets) expect(await outcome(h, port, from)).toBe('OK');
    });

    it('with a supervisor holding its listening sockets refuses nothing across a SIGKILL: what arrives meanwhile is served by the next proxy (nftables: it asks for no socket)', async () => {
      const keeper = createSocketKeeper('proxy', silentLogger());
      cleanups.push(async () => keeper.closeAll());
      await proxy.stop();
      proxy = await startProxyProcess(cp.home, proxy.metricsPort, { keeper });
      const p = await pods([['held-a', 1, 52]]);
      const { svc } = await service('held', { type: 'NodePort' }, p);
      const nodePort = svc.spec.ports![0]!.nodePort!;
      const targets: Array<[string, number, string]> = [
        [svc.spec.clusterIP!, 80, nodes[0]!.ip],
        ...nodes.map((n): [string, number, string] => [n.ip, nodePort, outsider]),
      ];
      for (const [h, port, from] of targets) await served(h, port, from);
      if (dataPlane === 'nftables') {
        expect(keeper.held()).toBe(0);
      } else {
        // each listening socket of this service is held (a count would be met by the earlier
        // tests' services' sockets before this one's arrive: the hold is a message of its own)
        await waitFor('the supervisor to hold every listener of the service', () => targets.every(([h, port]) => keeper.holds(`${h}:${port}`)));
      }
      await proxy.kill();
      // while no proxy runs: the kernel completes the handshakes into the held sockets' backlogs
      const answers = targets.map(([h, port, from]) => request(h, port, from, 30_000).then((a) => a.pod, (err: { code?: string }) => err.code ?? 'ERROR'));
      proxy = await startProxyProcess(cp.home, proxy.metricsPort, { keeper });
      expect(await Promise.all(answers)).toEqual(targets.map(() => 'held-a'));
    });
  });
});

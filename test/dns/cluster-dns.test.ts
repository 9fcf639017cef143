// The cluster DNS, a process of its own beside a real control plane, asked with dig (Debian's
// dnsutils), as a user would: `dig @<dns ip> -p PORT web.default.svc.cluster.local`.
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findResource } from '../../src/kinds/catalog.js';
import { resourcePath } from '../../src/api/paths.js';
import type { EndpointSlice, Pod, Service } from '../../src/api/types.js';
import { clusterDNSIP } from '../../src/cluster/config.js';
import { DNS_SLICE_NAME } from '../../src/dns/cluster-dns.js';
import { claimAddressBlock } from '../support/address-block.js';
import { startTestControlPlane, waitFor, type TestControlPlane } from '../support/control-plane.js';
import { ENDPOINT_SLICES as SLICES } from '../../src/kinds/endpointslice/resource.js';
import { PODS } from '../../src/kinds/pod/resource.js';
import { SERVICES } from '../../src/kinds/service/resource.js';
import { startDnsProcess, type DnsProcess } from '../support/dns-process.js';
import { createFakeNode, setPodStatus } from '../support/fake-nodes.js';
import { testNodeConfigs } from '../support/node-process.js';


interface Dig {
  status: string;
  answers: string[];
  authority: string[];
}

function freeUdpPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind({ address: host, port: 0 }, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Runs dig and reads its status line and its answer and authority sections. */
function dig(args: string[]): Promise<Dig> {
  return new Promise((resolve, reject) => {
    execFile('dig', ['+tries=1', '+time=2', '+nocookie', ...args], { timeout: 15_000 }, (err, stdout) => {
      if (err && !stdout) {
        reject(new Error(`dig ${args.join(' ')} failed: ${err.message} (dig comes from Debian's dnsutils: apt-get install dnsutils)`));
        return;
      }
      const status = /status: (\w+)/.exec(stdout)?.[1] ?? 'NO-ANSWER';
      const section = (title: string): string[] => {
        const m = new RegExp(`;; ${title} SECTION:\\n([\\s\\S]*?)(?:\\n\\n|$)`).exec(stdout);
        return m ? m[1]!.split('\n').map((l) => l.trim().split(/\s+/).filter((_, i) => i !== 1).join(' ')) : [];
      };
      resolve({ status, answers: section('ANSWER'), authority: section('AUTHORITY') });
    });
  });
}

describe('cluster DNS (real control plane, dig)', () => {
  // A service subnet of an address block of its own: a random one could be another test
  // cluster's, whose proxy listens on its kube-dns ClusterIP.
  const block = claimAddressBlock();
  const serviceCIDR = block.serviceSubnet;
  const dnsIP = clusterDNSIP(serviceCIDR);
  const nodes = testNodeConfigs(1);
  let cp: TestControlPlane | undefined;
  let dns: DnsProcess | undefined;
  let port = 0;
  let at: string[] = [];

  beforeAll(async () => {
    port = await freeUdpPort(dnsIP);
    at = [`@${dnsIP}`, '-p', String(port)];
    cp = await startTestControlPlane({ nodes, config: { serviceCIDR, dns: { ip: dnsIP, port } } });
    dns = await startDnsProcess(cp.home);
  });
  afterAll(async () => {
    await dns?.stop();
    await cp?.stop();
    block.release();
  });

  it('creates kube-system/kube-dns with the DNS address and port (TCP: the proxy carries it)', async () => {
    const svc = await waitFor('kube-dns', () => cp!.client.get<Service>(resourcePath(SERVICES, 'kube-system', 'kube-dns')));
    expect(svc.spec.clusterIP).toBe(dnsIP);
    expect(svc.spec.ports).toEqual([expect.objectContaining({ name: 'dns-tcp', port, protocol: 'TCP' })]);
  });

  it('answers a ClusterIP service by its full name, its search forms, and SRV for its named port', async () => {
    const web = await cp!.client.create<Service>(resourcePath(SERVICES, 'default'), {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    });
    const ip = web.spec.clusterIP!;
    const full = await waitFor('web in DNS', async () => {
      const r = await dig([...at, 'web.default.svc.cluster.local']);
      return r.status === 'NOERROR' && r.answers.length > 0 ? r : undefined;
    });
    expect(full.answers).toEqual([`web.default.svc.cluster.local. IN A ${ip}`]);

    for (const name of ['web.default.svc', 'web.default', 'web']) {
      const r = await dig([...at, name]);
      expect(r.answers, name).toEqual([`${name}. IN A ${ip}`]);
    }

    const srv = await dig([...at, 'SRV', '_http._tcp.web.default.svc.cluster.local']);
    expect(srv.answers).toEqual(['_http._tcp.web.default.svc.cluster.local. IN SRV 0 100 80 web.default.svc.cluster.local.']);
  });

  it('says NXDOMAIN with the SOA for a name that does not exist, and NOERROR with no answer for AAAA', async () => {
    const nx = await dig([...at, 'nope.default.svc.cluster.local']);
    expect(nx.status).toBe('NXDOMAIN');
    expect(nx.authority).toEqual([expect.stringMatching(/^cluster\.local\. IN SOA ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. /)]);

    const aaaa = await dig([...at, 'AAAA', 'web.default.svc.cluster.local']);
    expect(aaaa.status).toBe('NOERROR');
    expect(aaaa.answers).toEqual([]);
  });

  it('answers the ready endpoints of a headless service', async () => {
    await cp!.client.create(resourcePath(SERVICES, 'default'), {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'db' },
      spec: { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] },
    });
    await cp!.client.create(resourcePath(SLICES, 'default'), {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'db-manual', labels: { 'kubernetes.io/service-name': 'db' } },
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['127.244.1.5'], conditions: { ready: true } },
        { addresses: ['127.244.2.6'], conditions: { ready: true } },
        { addresses: ['127.244.3.7'], conditions: { ready: false } },
      ],
      ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
    });
    const r = await waitFor('db in DNS', async () => {
      const d = await dig([...at, 'db.default.svc.cluster.local']);
      return d.answers.length === 2 ? d : undefined;
    });
    expect(r.answers.sort()).toEqual(['db.default.svc.cluster.local. IN A 127.244.1.5', 'db.default.svc.cluster.local. IN A 127.244.2.6']);
  });

  it('serves TCP at the kube-dns endpoint it publishes (where the proxy sends kube-dns TCP) only to addresses inside the cluster', async () => {
    const slice = await waitFor('the kube-dns EndpointSlice', () => cp!.client.get<EndpointSlice>(resourcePath(SLICES, 'kube-system', DNS_SLICE_NAME)));
    const endpoint = slice.endpoints![0]!.addresses[0]!;
    const tcpPort = slice.ports![0]!.port!;
    expect(endpoint).toBe(dnsIP);
    const overTcp = (from: string): Promise<Dig> => dig(['+tcp', '-b', from, `@${endpoint}`, '-p', String(tcpPort), 'kubernetes.default.svc.cluster.local']);

    // a node's address, and a pod's once one holds it, are inside: answered, as through the proxy
    const fromNode = await overTcp(nodes[0]!.ip);
    expect(fromNode.status).toBe('NOERROR');
    expect(fromNode.answers).toHaveLength(1);

    // 127.0.0.1, and an address of the node's pod CIDR no pod holds, are outsiders: reset, as
    // the ClusterIP would refuse them
    const podIP = nodes[0]!.podCIDR.replace(/0\/24$/, '77');
    for (const outsider of ['127.0.0.1', podIP]) {
      const r = await overTcp(outsider);
      expect(r.status, `from ${outsider}`).toBe('NO-ANSWER');
    }

    const node = await createFakeNode(cp!.client, { name: nodes[0]!.name, ip: nodes[0]!.ip });
    const pod = await cp!.client.create<Pod>(resourcePath(PODS, 'default'), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'dns-client' },
      spec: { nodeName: nodes[0]!.name, containers: [{ name: 'app', image: 'loopkube/echo' }] },
    });
    await setPodStatus(cp!.client, pod, { ip: podIP, ready: true });
    const fromPod = await waitFor('the pod IP inside', async () => {
      const r = await overTcp(podIP);
      return r.status === 'NOERROR' ? r : undefined;
    });
    expect(fromPod.answers).toHaveLength(1);
    await node.delete();
  });

  it('forgets a deleted service', async () => {
    await cp!.client.delete(resourcePath(SERVICES, 'default', 'web'));
    const r = await waitFor('web gone from DNS', async () => {
      const d = await dig([...at, 'web.default.svc.cluster.local']);
      return d.status === 'NXDOMAIN' ? d : undefined;
    });
    expect(r.answers).toEqual([]);
  });

  it('keeps answering, from what it last knew, while the control plane is down', async () => {
    await cp!.client.create(resourcePath(SERVICES, 'default'), {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'survivor' },
      spec: { ports: [{ port: 80 }] },
    });
    const before = await waitFor('survivor in DNS', async () => {
      const r = await dig([...at, 'survivor.default.svc.cluster.local']);
      return r.status === 'NOERROR' && r.answers.length === 1 ? r : undefined;
    });
    cp!.process.kill('SIGKILL');
    await new Promise<void>((resolve) => (cp!.process.exitCode !== null || cp!.process.signalCode !== null ? resolve() : cp!.process.once('exit', () => resolve())));
    const during = await dig([...at, 'survivor.default.svc.cluster.local']);
    expect(during.status).toBe('NOERROR');
    expect(during.answers).toEqual(before.answers);
  });
});

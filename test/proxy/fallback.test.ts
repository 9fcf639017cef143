// The splice data plane leans on Node's internal TCP bindings; where they are not as expected the
// proxy must still serve, on the net.Socket plane, and say why in one log line. Node's
// permission model denies process.binding(), which makes a real case of it: a proxy run under it
// with proxy.dataPlane splice serves a NodePort and a ClusterIP through the socket plane.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { NodeConfig } from '../../src/cluster/config.js';
import { freePort, startTestControlPlane, waitFor, type TestControlPlane } from '../support/control-plane.js';
import { createFakeNode, type FakeNode } from '../support/fake-nodes.js';
import { testNodeConfigs } from '../support/node-process.js';
import {
  createEndpointSlice,
  createService,
  endpoint,
  outcome,
  permissionFlag,
  request,
  startPods,
  startProxyProcess,
  type PodServer,
  type ProxyProcess,
} from './support.js';

let cp: TestControlPlane;
let proxy: ProxyProcess;
let nodes: NodeConfig[];
let fake: FakeNode | undefined;
let pods: PodServer[] = [];

beforeAll(async () => {
  nodes = testNodeConfigs(1);
  const metricsPort = await freePort();
  cp = await startTestControlPlane({ nodes, config: { proxy: { mode: 'round-robin', metricsPort, dataPlane: 'splice' } } });
  fake = await createFakeNode(cp.client, { name: nodes[0]!.name, ip: nodes[0]!.ip });
  fake.startHeartbeats(1000);
  proxy = await startProxyProcess(cp.home, metricsPort, { nodeArgs: [permissionFlag(), '--allow-fs-read=*', '--allow-fs-write=*', '--no-warnings'] });
});

afterAll(async () => {
  await proxy?.stop();
  await Promise.all(pods.map((p) => p.close()));
  await fake?.stopHeartbeats();
  await cp?.stop();
});

describe('a Node whose TCP bindings the splice plane cannot use', () => {
  it('logs once that it falls back to the net.Socket plane, and why', () => {
    const lines = readFileSync(proxy.logFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"using":"socket"'))
      .map((l) => JSON.parse(l) as { requested: string; using: string; reason: string; msg: string });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.requested).toBe('splice');
    expect(lines[0]!.reason).toMatch(/process\.binding/);
    expect(lines[0]!.msg).toContain('net.Socket data plane');
  });

  it('serves Services through the socket plane', async () => {
    expect((await proxy.get('/metrics')).body).toContain('loopkube_proxy_data_plane{plane="socket"} 1');
    const podIP = nodes[0]!.podCIDR.replace(/\.0\/24$/, '.31');
    pods = await startPods([{ name: 'fb-a', ip: podIP, node: nodes[0]!.name }]);
    const svc = await createService(cp.client, 'default', 'fb', { type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: pods[0]!.port }] });
    await createEndpointSlice(cp.client, 'default', 'fb', { name: 'http', port: pods[0]!.port }, [endpoint(pods[0]!)]);
    const nodePort = svc.spec.ports![0]!.nodePort!;
    await waitFor('the NodePort to answer', async () => (await outcome(nodes[0]!.ip, nodePort)) === 'OK');
    expect((await request(nodes[0]!.ip, nodePort)).client).toBe(nodes[0]!.ip);
    expect((await request(svc.spec.clusterIP!, 80, nodes[0]!.ip)).pod).toBe('fb-a');
  });
});

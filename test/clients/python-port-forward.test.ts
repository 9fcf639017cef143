// pods/portforward through Debian's python3-kubernetes (22.6.0), as the client's own e2e suite
// uses it (test_portforward_http): not kubectl's SPDY but the kubelet's channel WebSocket
// (v4.channel.k8s.io, `ports` in the query, the port's two bytes first on its data and error
// channels). An HTTP request through it is answered by the pod; a closed port is told on the
// error channel in the kubelet's words.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';
import { pythonClient, type PythonClient } from './drivers.js';

let c: TestCluster;
let py: PythonClient;
const NS = 'default';
const POD = 'pf-web';

beforeAll(async () => {
  c = await startTestCluster({ nodes: 1 });
  py = pythonClient(c.kubeconfig);
  await py.call({ op: 'createPod', namespace: NS, name: POD, image: 'nginx' });
  await waitFor('the pod to run', async () => (await py.call<{ phase: string }>({ op: 'readPodPhase', namespace: NS, name: POD })).phase === 'Running', 60_000);
}, 120_000);

afterAll(async () => {
  await py?.close().catch(() => undefined);
  await c?.down();
});

describe('python3-kubernetes port-forward (channel WebSocket)', () => {
  it("carries an HTTP request to the pod's port 80 (nginx's) and its whole answer back, then closes", async () => {
    const r = await py.call<{ answer: string; error: string | null }>({ op: 'portForward', namespace: NS, name: POD, port: 80 });
    expect(r.answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(r.answer).toContain(`"pod":"${POD}"`);
    expect(r.error ?? '').toBe('');
  }, 60_000);

  it("a port nothing listens on: the error channel says so in the kubelet's words", async () => {
    const r = await py.call<{ answer: string; error: string | null }>({ op: 'portForward', namespace: NS, name: POD, port: 9 });
    expect(r.answer).toBe('');
    expect(r.error).toMatch(new RegExp(`^error forwarding port 9 to pod ${POD}_${NS}, uid [0-9a-f-]+: failed to connect to 127\\.\\d+\\.\\d+\\.\\d+:9 inside namespace "${POD}_${NS}", IPv4: dial tcp4 127\\.\\d+\\.\\d+\\.\\d+:9: connect: connection refused$`));
  }, 60_000);
});

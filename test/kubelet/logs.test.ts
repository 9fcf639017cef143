// pods/log through the API server to the node's kubelet, driven with the real kubectl: the
// built-in app's access log and lifecycle lines, -f, --previous, --tail, --since, --timestamps,
// --limit-bytes, -c, --all-containers, -l, deploy/NAME; upstream's errors; and a kubelet endpoint
// that answers only the control plane.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node, Pod } from '../../src/api/types.js';
import { clusterPaths } from '../../src/cluster/config.js';
import { sendPodControl } from '../../src/client/pod-control.js';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';

let c: TestCluster;
const NS = 'logs';

const k = async (args: string[], input?: string): Promise<string> => {
  const r = await c.kubectl([...args, '-n', NS], { ...(input ? { input } : {}), timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const kFails = async (args: string[]): Promise<string> => {
  const r = await c.kubectl([...args, '-n', NS], { timeoutMs: 60_000 });
  expect(r.code, `kubectl ${args.join(' ')} should fail; stdout: ${r.stdout}`).not.toBe(0);
  return r.stderr;
};
const pod = (name: string): Promise<Pod> => c.client.get<Pod>(`/api/v1/namespaces/${NS}/pods/${name}`);
const running = async (name: string): Promise<Pod | undefined> => {
  const p = await pod(name);
  return p.status?.containerStatuses?.length && p.status.containerStatuses.every((s) => s.ready) ? p : undefined;
};
async function hit(ip: string, port: number, path: string, method = 'GET'): Promise<number> {
  const r = await fetch(`http://${ip}:${port}${path}`, { method });
  await r.text();
  return r.status;
}

const podManifest = (name: string, containers: Array<{ name: string; port: number }>, labels: Record<string, string> = {}): string =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels },
    spec: { containers: containers.map((x) => ({ name: x.name, image: 'registry.example/web:1', ports: [{ containerPort: x.port }] })) },
  });

let one: Pod;
let two: Pod;

beforeAll(async () => {
  c = await startTestCluster({ nodes: 1 });
  await k(['create', 'namespace', NS]);
  await k(['apply', '-f', '-'], podManifest('one', [{ name: 'app', port: 8080 }], { app: 'one' }));
  await k(['apply', '-f', '-'], podManifest('two', [{ name: 'a', port: 8080 }, { name: 'b', port: 9090 }], { app: 'two' }));
  one = await waitFor('pod one ready', () => running('one'), 60_000);
  two = await waitFor('pod two ready', () => running('two'), 60_000);
}, 120_000);
afterAll(async () => {
  await c?.down();
});

describe('kubectl logs', () => {
  it('shows the listening line and an access-log line per request (client IP, method, path, status, latency)', async () => {
    expect(await hit(one.status!.podIP!, 8080, '/hello?x=1')).toBe(200);
    const out = await waitFor('the access line', async () => {
      const s = await k(['logs', 'one']);
      return s.includes('/hello?x=1') ? s : undefined;
    });
    expect(out).toContain(`listening on http://${one.status!.podIP}:8080`);
    expect(out).toMatch(/^\d{4}-\d\d-\d\dT\S+Z 127\.\S+ GET \/hello\?x=1 200 \d+\.\d{3}ms$/m);
  });

  const table: Array<{ name: string; args: string[]; check(out: string): void }> = [
    { name: '--tail=1 is the last line only', args: ['logs', 'one', '--tail=1'], check: (o) => expect(o.trimEnd().split('\n')).toHaveLength(1) },
    { name: '--tail=0 is nothing', args: ['logs', 'one', '--tail=0'], check: (o) => expect(o).toBe('') },
    { name: '--timestamps prefixes RFC3339 with nanoseconds', args: ['logs', 'one', '--timestamps'], check: (o) => expect(o.split('\n')[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z listening on /) },
    { name: '--since=1h keeps recent lines', args: ['logs', 'one', '--since=1h'], check: (o) => expect(o).toContain('listening on') },
    { name: '--since-time in the future keeps none', args: ['logs', 'one', '--since-time=2999-01-01T00:00:00Z'], check: (o) => expect(o).toBe('') },
    { name: '--limit-bytes cuts the answer', args: ['logs', 'one', '--limit-bytes=5'], check: (o) => expect(o).toBe('liste') },
    { name: '-c picks a container', args: ['logs', 'two', '-c', 'b'], check: (o) => expect(o).toContain(':9090') },
    { name: '--all-containers shows each', args: ['logs', 'two', '--all-containers'], check: (o) => expect(o).toMatch(/:8080[\s\S]*:9090|:9090[\s\S]*:8080/) },
    { name: '-l selects pods by label', args: ['logs', '-l', 'app=one', '--prefix'], check: (o) => expect(o).toContain('[pod/one/app] listening on') },
  ];
  for (const row of table) {
    it(row.name, async () => row.check(await k(row.args)));
  }

  it('a pod of several containers needs one named, in upstream words', async () => {
    const err = await kFails(['get', '--raw', `/api/v1/namespaces/${NS}/pods/two/log`]);
    expect(err).toContain('a container name must be specified for pod two, choose one of: [a b]');
    expect(await kFails(['logs', 'two', '-c', 'nope'])).toContain('container nope is not valid for pod two');
  });

  it('invalid options are refused as PodLogOptions validation does', async () => {
    expect(await kFails(['get', '--raw', `/api/v1/namespaces/${NS}/pods/one/log?tailLines=-1`])).toContain('tailLines: Invalid value: -1: must be greater than or equal to 0');
    expect(await kFails(['get', '--raw', `/api/v1/namespaces/${NS}/pods/one/log?sinceSeconds=5&sinceTime=2020-01-01T00:00:00Z`])).toContain('at most one of `sinceTime` or `sinceSeconds` may be specified');
    expect(await kFails(['logs', 'nosuch'])).toContain('pods "nosuch" not found');
  });

  it('-f follows new lines until stopped', async () => {
    const follower = c.kubectlProcess(['logs', '-f', 'one', '--tail=0', '-n', NS]);
    let seen = '';
    follower.stdout!.on('data', (d: Buffer) => (seen += d.toString()));
    try {
      await waitFor('a followed line', async () => {
        await hit(one.status!.podIP!, 8080, '/followed');
        return seen.includes('GET /followed 200');
      });
    } finally {
      follower.kill();
    }
  });

  it('--previous shows the instance before a restart, with its exit', async () => {
    expect(await kFails(['logs', 'one', '--previous'])).toContain('previous terminated container "app" in pod "one" not found');
    // the crash goes through the pod's node (the app's own ports carry no control)
    const crash = await sendPodControl({
      nodeIP: one.status!.hostIP!,
      token: readFileSync(clusterPaths(c.home).token, 'utf8').trim(),
      target: { namespace: NS, pod: 'one', container: 'app' },
      action: 'crash',
      query: { exitCode: '3' },
    });
    expect(crash.status).toBe(200);
    await waitFor('one restarted and ready', async () => {
      const p = await pod('one');
      return (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && p.status?.containerStatuses?.[0]?.ready;
    }, 60_000);
    const previous = await k(['logs', 'one', '--previous']);
    expect(previous).toContain('GET /hello?x=1 200');
    expect(previous).toContain('exit 3');
    const current = await k(['logs', 'one']);
    expect(current).not.toContain('/hello?x=1');
    expect(current).toContain('listening on');
  });

  it('deploy/NAME reads a pod of the Deployment', async () => {
    await k(['create', 'deployment', 'web', '--image=registry.example/web:1', '--port=8080']);
    await waitFor('web available', async () => (await k(['get', 'deploy', 'web', '-o', 'jsonpath={.status.availableReplicas}'])) === '1', 60_000);
    expect(await k(['logs', 'deploy/web'])).toContain('listening on http://');
  });
});

describe('the kubelet endpoint', () => {
  it('answers 401 to anyone but the control plane, the cluster token included', async () => {
    const node = await c.client.get<Node>(`/api/v1/nodes/${one.spec.nodeName}`);
    const ip = node.status!.addresses!.find((a) => a.type === 'InternalIP')!.address;
    const port = node.status!.daemonEndpoints!.kubeletEndpoint!.Port;
    const url = `http://${ip}:${port}/containerLogs/${NS}/one/app`;
    const userToken = readFileSync(clusterPaths(c.home).token, 'utf8').trim();
    const attempts: Array<Record<string, string>> = [{}, { Authorization: `Bearer ${userToken}` }, { Authorization: 'Bearer x' }];
    for (const headers of attempts) {
      const r = await fetch(url, { headers });
      expect(r.status).toBe(401);
      expect(await r.text()).toBe('Unauthorized');
    }
  });
});

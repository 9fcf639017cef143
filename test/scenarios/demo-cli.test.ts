// `loopkube demo` starting the cluster itself when it is not running: it starts it, runs the
// scenario, and stops it again (or leaves it up with --keep); a running cluster is reused and
// left running. The cluster is made by the test helper (its own address block), then taken down
// without --purge, so `demo` finds a stopped cluster to start.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../support/cluster.js';

let c: TestCluster;

beforeAll(async () => {
  c = await startTestCluster({ nodes: 3 });
  const r = await c.loopkube(['down', '--name', c.name]);
  expect(r.code, r.stderr).toBe(0);
});

afterAll(async () => {
  await c?.down();
});

const running = async (): Promise<boolean> => (await c.loopkube(['status', '--name', c.name])).code === 0;

it('starts a stopped cluster for the demo and leaves it, and the objects, in place with --keep', async () => {
  const r = await c.loopkube(['demo', 'multi-container-pod', '--name', c.name, '--keep'], { timeoutMs: 120_000 });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  expect(r.stdout).toContain(`Starting cluster "${c.name}" for the demo`);
  expect(r.stdout).toContain('Look yourself (the objects are still there):');
  expect(await running()).toBe(true);
  const pod = await c.kubectl(['get', 'pod', 'two-containers', '-n', 'multi-container-pod', '-o', 'jsonpath={.status.phase}']);
  expect(pod.stdout).toBe('Running');
});

it('reuses the running cluster, starting the scenario from a fresh namespace, and leaves the cluster running', async () => {
  const r = await c.loopkube(['demo', 'multi-container-pod', '--name', c.name], { timeoutMs: 120_000 });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  expect(r.stdout).toContain(`Using the running cluster "${c.name}"`);
  expect(r.stdout).not.toContain('Stopped cluster');
  expect(await running()).toBe(true);
  expect((await c.kubectl(['get', 'ns', 'multi-container-pod'])).code).toBe(1);
});

it('stops the cluster it started when the demo ends', async () => {
  expect((await c.loopkube(['down', '--name', c.name])).code).toBe(0);
  const unsuited = await c.loopkube(['demo', 'scheduling', '--name', c.name]);
  expect(unsuited.code).toBe(1);
  expect(unsuited.stderr).toContain(`cluster "${c.name}" exists (stopped) but does not suit scenario scheduling`);
  expect(await running()).toBe(false);
  const r = await c.loopkube(['demo', '01', '--name', c.name], { timeoutMs: 120_000 });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  expect(r.stdout).toContain(`Starting cluster "${c.name}" for the demo`);
  expect(r.stdout).toContain(`Stopped cluster "${c.name}"`);
  expect(await running()).toBe(false);
});

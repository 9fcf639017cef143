// Built-in containers that end, on a real node process: a pod whose restartPolicy is Never or
// OnFailure serves for a short while and exits as a Job's process would, reported as kubelet
// reports it (phase Succeeded/Failed, state terminated with exitCode and reason Completed/Error,
// Ready False with reason PodCompleted); OnFailure restarts a failed container in place, with
// back-off; Never does not; RUN_SECONDS and EXIT_CODE shape it; a finished pod gives its IP back.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Container, Event, Pod } from '../../src/api/types.js';
import type { NodeConfig } from '../../src/cluster/config.js';
import { startTestControlPlane, waitFor, type TestControlPlane } from '../support/control-plane.js';
import { startNodeProcess, testNodeConfigs, type NodeProcess } from '../support/node-process.js';

const POD_PATH = '/api/v1/namespaces/default/pods';

let cp: TestControlPlane;
let nodeCfg: NodeConfig;
let node: NodeProcess | undefined;

beforeAll(async () => {
  // A /29: five pod addresses, so a node that kept the IPs of finished pods would soon run out.
  const [cfg] = testNodeConfigs(1);
  nodeCfg = { ...cfg!, podCIDR: cfg!.podCIDR.replace(/\/24$/, '/29') };
  cp = await startTestControlPlane({ nodes: [nodeCfg] });
  node = startNodeProcess(cp.home, nodeCfg.name, { LOOPKUBE_RESTART_BACKOFF_MS: '300' });
});

afterAll(async () => {
  await node?.kill();
  await cp?.stop();
});

function container(env: Record<string, string> = {}, over: Partial<Container> = {}): Container {
  return { name: 'task', image: 'busybox:1.36', ports: [{ containerPort: 8080 }], env: Object.entries(env).map(([name, value]) => ({ name, value })), ...over };
}

async function createPod(name: string, restartPolicy: 'Never' | 'OnFailure' | 'Always', c: Container): Promise<Pod> {
  return cp.client.create<Pod>(POD_PATH, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { nodeName: nodeCfg.name, restartPolicy, containers: [c] },
  });
}

const getPod = (name: string): Promise<Pod> => cp.client.get<Pod>(`${POD_PATH}/${name}`);
const readyCondition = (pod: Pod) => pod.status?.conditions?.find((c) => c.type === 'Ready');

async function waitPhase(name: string, phase: string, timeoutMs = 20_000): Promise<Pod> {
  return waitFor(`pod ${name} ${phase}`, async () => {
    const p = await getPod(name);
    return p.status?.phase === phase ? p : undefined;
  }, timeoutMs);
}

async function deletePod(name: string): Promise<void> {
  await cp.client.delete(`${POD_PATH}/${name}`).catch(() => undefined);
  await waitFor(`pod ${name} gone`, async () => getPod(name).then(() => false, (err: { code?: number }) => err.code === 404));
}

function answers(ip: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: ip, port: 8080, path: '/', agent: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

describe('built-in containers that end', () => {
  it('a Never pod serves for its run, then exits 0: Succeeded, terminated Completed, Ready False (PodCompleted), its port closed', async () => {
    await createPod('once', 'Never', container({ RUN_SECONDS: '1.5' }));
    const running = await waitPhase('once', 'Running');
    const ip = running.status!.podIP!;
    expect(await answers(ip)).toBe(true);
    const done = await waitPhase('once', 'Succeeded');
    const cs = done.status!.containerStatuses![0]!;
    expect(cs.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(cs.state.terminated!.startedAt).toBeDefined();
    expect(cs.state.terminated!.finishedAt).toBeDefined();
    expect(cs.restartCount).toBe(0);
    expect(cs.ready).toBe(false);
    expect(readyCondition(done)).toMatchObject({ status: 'False', reason: 'PodCompleted' });
    // kubelet keeps the pod's IP in its status; nothing listens there any more.
    expect(done.status!.podIP).toBe(ip);
    expect(await answers(ip)).toBe(false);
    await deletePod('once');
  });

  it('a Never pod that exits non-zero is Failed with reason Error and is not restarted', async () => {
    await createPod('broken', 'Never', container({ RUN_SECONDS: '0.5', EXIT_CODE: '3' }));
    const failed = await waitPhase('broken', 'Failed');
    const cs = failed.status!.containerStatuses![0]!;
    expect(cs.state.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(cs.restartCount).toBe(0);
    // It stays failed: no restart follows.
    await new Promise((r) => setTimeout(r, 1000));
    const later = await getPod('broken');
    expect(later.status!.phase).toBe('Failed');
    expect(later.status!.containerStatuses![0]!.restartCount).toBe(0);
    await deletePod('broken');
  });

  it('an OnFailure pod restarts its failed container in place, with back-off, on the same IP', async () => {
    await createPod('retry', 'OnFailure', container({ RUN_SECONDS: '0.3', EXIT_CODE: '1' }));
    const first = await waitPhase('retry', 'Running');
    const restarted = await waitFor('retry restarted twice', async () => {
      const p = await getPod('retry');
      return (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2 ? p : undefined;
    });
    expect(restarted.status!.phase).toBe('Running');
    expect(restarted.status!.podIP).toBe(first.status!.podIP);
    expect(restarted.status!.containerStatuses![0]!.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    const events = (await cp.client.list<Event>('/api/v1/namespaces/default/events', { fieldSelector: 'involvedObject.name=retry' })).items;
    expect(events.some((e) => e.reason === 'BackOff' && /^Back-off restarting failed container task in pod retry_default\(/.test(e.message ?? ''))).toBe(true);
    await deletePod('retry');
  });

  it('an OnFailure pod that exits 0 is Succeeded', async () => {
    await createPod('fine', 'OnFailure', container({ RUN_SECONDS: '0.3' }));
    const done = await waitPhase('fine', 'Succeeded');
    expect(done.status!.containerStatuses![0]!.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    await deletePod('fine');
  });

  it('a batch pod with no RUN_SECONDS ends after the documented 2 s', async () => {
    await createPod('default-run', 'Never', container());
    const done = await waitPhase('default-run', 'Succeeded');
    const t = done.status!.containerStatuses![0]!.state.terminated!;
    const ranMs = Date.parse(t.finishedAt!) - Date.parse(t.startedAt!);
    // Timestamps have one-second resolution.
    expect(ranMs).toBeGreaterThanOrEqual(1000);
    expect(ranMs).toBeLessThanOrEqual(3000);
    await deletePod('default-run');
  });

  it('a server (restartPolicy Always) with RUN_SECONDS exits and is restarted, and stays Running', async () => {
    await createPod('short-lived', 'Always', container({ RUN_SECONDS: '0.3' }));
    const p = await waitFor('short-lived restarted', async () => {
      const got = await getPod('short-lived');
      return (got.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? got : undefined;
    });
    expect(p.status!.phase).toBe('Running');
    expect(p.status!.containerStatuses![0]!.lastState?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    await deletePod('short-lived');
  });

  it('finished pods give their IP back: more pods than the podCIDR holds run one after another', async () => {
    // The /29 has five addresses; eight batch pods finish in turn, and a server starts after them.
    for (let i = 0; i < 8; i++) {
      await createPod(`batch-${i}`, 'Never', container({ RUN_SECONDS: '0.2' }));
      await waitPhase(`batch-${i}`, 'Succeeded');
    }
    await createPod('server', 'Always', container());
    const server = await waitPhase('server', 'Running');
    expect(await answers(server.status!.podIP!)).toBe(true);
    for (let i = 0; i < 8; i++) await deletePod(`batch-${i}`);
    await deletePod('server');
  });
});

// Pod lifecycle as kubelet runs it, against a real control plane and a real node process:
// preStop / postStart hooks (sleep, exec, httpGet), the grace period covering preStop then
// SIGTERM then the kill, the built-in app's SIGTERM and start-up knobs, and a terminating pod's
// endpoint turning `ready: false, serving: true, terminating: true`.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Container, EndpointSlice, Event, Pod, Service } from '../../src/api/types.js';
import type { NodeConfig } from '../../src/cluster/config.js';
import { startTestControlPlane, waitFor, type TestControlPlane } from '../support/control-plane.js';
import { startNodeProcess, testNodeConfigs, type NodeProcess } from '../support/node-process.js';

interface Answer {
  status: number;
  body: string;
}

function get(host: string, port: number, path = '/'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, path, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** The error code of a GET (undefined when it was answered). */
async function failureOf(host: string, port: number, path = '/'): Promise<string | undefined> {
  try {
    await get(host, port, path);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  }
}

const POD_PATH = '/api/v1/namespaces/default/pods';
let cp: TestControlPlane;
let nodeCfg: NodeConfig;
let node: NodeProcess | undefined;

function container(over: Partial<Container> = {}): Container {
  return { name: 'app', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 8080 }], ...over };
}

async function createPod(name: string, c: Container, extra: Partial<Pod['spec']> = {}): Promise<Pod> {
  return cp.client.create<Pod>(POD_PATH, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: name } },
    spec: { nodeName: nodeCfg.name, containers: [c], ...extra },
  });
}

const getPod = (name: string): Promise<Pod> => cp.client.get<Pod>(`${POD_PATH}/${name}`);
const condition = (pod: Pod, type: string): string | undefined => pod.status?.conditions?.find((c) => c.type === type)?.status;

async function waitReady(name: string): Promise<string> {
  const pod = await waitFor(`pod ${name} Ready`, async () => {
    const p = await getPod(name);
    return condition(p, 'Ready') === 'True' ? p : undefined;
  });
  return pod.status!.podIP!;
}

async function gone(name: string): Promise<boolean> {
  try {
    await getPod(name);
    return false;
  } catch (err) {
    return (err as { code?: number }).code === 404;
  }
}

async function waitGone(name: string, timeoutMs?: number): Promise<void> {
  await waitFor(`pod ${name} gone`, () => gone(name), timeoutMs);
}

async function waitEvent(name: string, reason: string, match?: RegExp): Promise<Event> {
  return waitFor(`event ${reason} on ${name}`, async () => {
    const list = await cp.client.list<Event>('/api/v1/namespaces/default/events', { fieldSelector: `involvedObject.name=${name}` });
    return list.items.find((e) => e.reason === reason && (!match || match.test(e.message ?? '')));
  });
}

beforeAll(async () => {
  nodeCfg = testNodeConfigs(1)[0]!;
  cp = await startTestControlPlane({ nodes: [nodeCfg] });
  node = startNodeProcess(cp.home, nodeCfg.name, { LOOPKUBE_RESTART_BACKOFF_MS: '200' });
});

afterAll(async () => {
  await node?.kill();
  await cp?.stop();
});

describe('preStop: the pod keeps serving new connections until its hook is done, then SIGTERM', () => {
  const cases: Array<{ name: string; preStop: NonNullable<Container['lifecycle']>['preStop'] }> = [
    { name: 'sleep-action', preStop: { sleep: { seconds: 3 } } },
    { name: 'exec-sleep', preStop: { exec: { command: ['sleep', '3'] } } },
    { name: 'exec-bin-sleep', preStop: { exec: { command: ['/bin/sleep', '3s'] } } },
    { name: 'exec-sh-sleep', preStop: { exec: { command: ['sh', '-c', 'sleep 3'] } } },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      await createPod(tc.name, container({ lifecycle: { preStop: tc.preStop } }), { terminationGracePeriodSeconds: 30 });
      const ip = await waitReady(tc.name);
      await cp.client.delete(`${POD_PATH}/${tc.name}`);
      await waitFor(`${tc.name} terminating`, async () => (await getPod(tc.name)).metadata.deletionTimestamp);
      // Without a preStop hook the listener would be closed by now (SIGTERM drains at once).
      const answer = await get(ip, 8080);
      expect(JSON.parse(answer.body).pod).toBe(tc.name);
      await waitEvent(tc.name, 'Killing', /^Stopping container app$/);
      await waitGone(tc.name);
      expect(await failureOf(ip, 8080)).toBe('ECONNREFUSED');
    });
  }
});

describe('hook failures are Warning events in kubelet words', () => {
  it('an exec preStop the built-in app cannot run: FailedPreStopHook, and the pod still goes', async () => {
    await createPod('bad-prestop', container({ lifecycle: { preStop: { exec: { command: ['nginx', '-s', 'quit'] } } } }));
    await waitReady('bad-prestop');
    await cp.client.delete(`${POD_PATH}/bad-prestop`);
    const ev = await waitEvent('bad-prestop', 'FailedPreStopHook');
    expect(ev.type).toBe('Warning');
    expect(ev.message).toMatch(/^Exec lifecycle hook \(\[nginx -s quit\]\) for Container "app" in Pod "bad-prestop_default\([0-9a-f-]+\)" failed - error: .*executable file not found in \$PATH/);
    await waitGone('bad-prestop');
  });

  it('a failing postStart: FailedPostStartHook, the container is killed and restarted', async () => {
    await createPod('bad-poststart', container({ lifecycle: { postStart: { httpGet: { path: '/warm', port: 9999 } } } }));
    const ev = await waitEvent('bad-poststart', 'FailedPostStartHook');
    expect(ev.type).toBe('Warning');
    expect(ev.message).toMatch(/^HTTP lifecycle hook \(\/warm\) for Container "app" in Pod "bad-poststart_default\(.*\)" failed - error: Get "http:\/\/[\d.]+:9999\/warm": dial tcp [\d.]+:9999: connect: connection refused$/);
    const pod = await waitFor('bad-poststart restarted', async () => {
      const p = await getPod('bad-poststart');
      return (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? p : undefined;
    });
    expect(condition(pod, 'Ready')).toBe('False');
    await cp.client.delete(`${POD_PATH}/bad-poststart`);
    await waitGone('bad-poststart');
  });

  it('an httpGet preStop reaches the container itself and its app counts it', async () => {
    await createPod('http-prestop', container({ env: [{ name: 'ON_SIGTERM', value: 'ignore' }], lifecycle: { preStop: { httpGet: { path: '/shutdown', port: 'http' } } } }), { terminationGracePeriodSeconds: 3 });
    const ip = await waitReady('http-prestop');
    const before = JSON.parse((await get(ip, 8080)).body).requests as number;
    await cp.client.delete(`${POD_PATH}/http-prestop`);
    // The app ignores SIGTERM, so it answers until the kill: one answer shows the hook's request.
    await waitFor('the hook counted by the app', async () => {
      const n = JSON.parse((await get(ip, 8080)).body).requests as number;
      return n >= before + 3 || undefined; // this GET, the hook's, and at least one poll between
    });
    await waitGone('http-prestop');
  });
});

describe('the grace period covers preStop, then SIGTERM, then the kill', () => {
  it('a preStop longer than the grace period is cut: the pod goes long before the hook would end', async () => {
    // (exec, not the sleep action: upstream's validation refuses a sleep longer than the grace period)
    await createPod('overrun', container({ lifecycle: { preStop: { exec: { command: ['sleep', '600'] } } } }), { terminationGracePeriodSeconds: 1 });
    await waitReady('overrun');
    await cp.client.delete(`${POD_PATH}/overrun`);
    await waitGone('overrun');
  });

  it('ON_SIGTERM=ignore keeps serving until the kill, and the delete completes', async () => {
    await createPod('stubborn', container({ env: [{ name: 'ON_SIGTERM', value: 'ignore' }] }), { terminationGracePeriodSeconds: 3 });
    const ip = await waitReady('stubborn');
    await cp.client.delete(`${POD_PATH}/stubborn`);
    await waitFor('stubborn terminating', async () => (await getPod('stubborn')).metadata.deletionTimestamp);
    expect(JSON.parse((await get(ip, 8080)).body).pod).toBe('stubborn');
    await waitGone('stubborn');
    expect(await failureOf(ip, 8080)).toBe('ECONNREFUSED');
  });

  it('ON_SIGTERM=exit cuts the request in flight; drain (the default) finishes it', async () => {
    for (const [name, env, wantAnswer] of [
      ['exits', [{ name: 'ON_SIGTERM', value: 'exit' }], false],
      ['drains', [], true],
    ] as const) {
      await createPod(name, container({ env: [...env, { name: 'RESPONSE_DELAY_MS', value: '2000' }] }));
      const ip = await waitReady(name);
      const inFlight = get(ip, 8080).then(
        (a) => a.status,
        (err: NodeJS.ErrnoException) => err.code ?? err.message,
      );
      // The request is being served (its connection is up) before the delete.
      await new Promise((r) => setTimeout(r, 300));
      await cp.client.delete(`${POD_PATH}/${name}`);
      const outcome = await inFlight;
      if (wantAnswer) expect(outcome).toBe(200);
      else expect(outcome).toBe('ECONNRESET');
      await waitGone(name);
    }
  });
});

describe('start-up and readiness', () => {
  it('STARTUP_DELAY_MS: the container runs but refuses until it listens; a readiness probe keeps it out until then', async () => {
    await createPod(
      'slow-start',
      container({ env: [{ name: 'STARTUP_DELAY_MS', value: '2500' }], readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 1 } }),
    );
    const pod = await waitFor('slow-start running', async () => {
      const p = await getPod('slow-start');
      return p.status?.containerStatuses?.[0]?.state?.running && p.status.podIP ? p : undefined;
    });
    const ip = pod.status!.podIP!;
    // Running, not listening yet: refused, and not Ready.
    expect(await failureOf(ip, 8080)).toBe('ECONNREFUSED');
    expect(condition(await getPod('slow-start'), 'Ready')).not.toBe('True');
    await waitReady('slow-start');
    expect(JSON.parse((await get(ip, 8080)).body).pod).toBe('slow-start');
    await cp.client.delete(`${POD_PATH}/slow-start`);
    await waitGone('slow-start');
  });

  it("a terminating pod's endpoint is ready: false, serving: true, terminating: true while it still serves", async () => {
    await cp.client.create<Service>('/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'ending' },
      spec: { selector: { app: 'ending' }, ports: [{ port: 8000, targetPort: 8080 }] },
    });
    await createPod('ending', container({ lifecycle: { preStop: { sleep: { seconds: 4 } } } }));
    await waitReady('ending');
    const endpointOf = async (): Promise<NonNullable<EndpointSlice['endpoints']>[number] | undefined> => {
      const slices = await cp.client.list<EndpointSlice>('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', { labelSelector: 'kubernetes.io/service-name=ending' });
      return slices.items.flatMap((s) => s.endpoints ?? []).find((e) => e.targetRef?.name === 'ending');
    };
    await waitFor('endpoint ready', async () => (await endpointOf())?.conditions?.ready === true);
    await cp.client.delete(`${POD_PATH}/ending`);
    const ep = await waitFor('endpoint terminating', async () => {
      const e = await endpointOf();
      return e?.conditions?.terminating ? e : undefined;
    });
    expect(ep.conditions).toEqual({ ready: false, serving: true, terminating: true });
    await waitGone('ending');
    await waitFor('endpoint gone', async () => (await endpointOf()) === undefined);
    await cp.client.delete('/api/v1/namespaces/default/services/ending');
  });
});

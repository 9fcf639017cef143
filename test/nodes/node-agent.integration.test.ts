// A real control plane and a real node process: registration, pods on their own IPs, readiness,
// crashes and restarts, graceful deletion, new IPs for new pods, and a node restart.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Container, Event, Lease, Node, Pod } from '../../src/api/types.js';
import { cidrContains, formatIPv4, parseCidr, parseIPv4 } from '../../src/cluster/cidr.js';
import type { NodeConfig } from '../../src/cluster/config.js';
import { httpGet, type HttpAnswer } from '../support/http-get.js';
import { startTestControlPlane, waitFor, type TestControlPlane } from '../support/control-plane.js';
import { startNodeProcess, testNodeConfigs, type NodeProcess } from '../support/node-process.js';
import { sendPodControl, type PodControlAction } from '../../src/client/pod-control.js';

const get = (host: string, port: number, path = '/', method = 'GET'): Promise<HttpAnswer> => httpGet(host, port, path, { method });

/** The connection error code when nothing listens there any more (undefined while it answers). */
async function refused(host: string, port: number): Promise<string | undefined> {
  try {
    await get(host, port, '/healthz');
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code;
  }
}

const POD_PATH = '/api/v1/namespaces/default/pods';

/** The app's control, through the node (its kubelet port, with the cluster's token), as `loopkube pod` does. */
async function control(pod: string, action: PodControlAction, query: Record<string, string> = {}): Promise<void> {
  const res = await sendPodControl({ nodeIP: nodeCfg.ip, token: cp.clientConfig.token, target: { namespace: 'default', pod, container: 'app' }, action, query });
  if (res.status !== 200) throw new Error(`control ${action} of ${pod}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
}

let cp: TestControlPlane;
let nodeCfg: NodeConfig;
let node: NodeProcess | undefined;

function container(over: Partial<Container> = {}): Container {
  return { name: 'app', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 8080 }], ...over };
}

async function createPod(name: string, containers: Container[], extra: Partial<Pod['spec']> = {}): Promise<Pod> {
  return cp.client.create<Pod>(POD_PATH, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: name } },
    spec: { nodeName: nodeCfg.name, containers, ...extra },
  });
}

const getPod = (name: string): Promise<Pod> => cp.client.get<Pod>(`${POD_PATH}/${name}`);
const condition = (pod: Pod, type: string): string | undefined => pod.status?.conditions?.find((c) => c.type === type)?.status;

/** The highest pod IP handed out so far (IPs go round-robin: the next pod gets the one after). */
let highestIP = 0;

async function waitRunning(name: string): Promise<Pod> {
  const pod = await waitFor(`pod ${name} Running and Ready`, async () => {
    const p = await getPod(name);
    return p.status?.phase === 'Running' && condition(p, 'Ready') === 'True' ? p : undefined;
  });
  highestIP = Math.max(highestIP, parseIPv4(pod.status!.podIP!) ?? 0);
  return pod;
}

async function eventsFor(name: string): Promise<Event[]> {
  const list = await cp.client.list<Event>('/api/v1/namespaces/default/events', { fieldSelector: `involvedObject.name=${name}` });
  return list.items;
}

async function waitEvent(name: string, reason: string, match?: RegExp): Promise<Event> {
  return waitFor(`event ${reason} on ${name}`, async () => (await eventsFor(name)).find((e) => e.reason === reason && (!match || match.test(e.message ?? ''))));
}

async function deletePodAndWait(name: string): Promise<void> {
  await cp.client.delete(`${POD_PATH}/${name}`).catch(() => undefined);
  await waitFor(`pod ${name} gone`, async () => {
    try {
      await getPod(name);
      return false;
    } catch (err) {
      return (err as { code?: number }).code === 404;
    }
  });
}

beforeAll(async () => {
  nodeCfg = testNodeConfigs(1, { labels: { 'topology.kubernetes.io/zone': 'zone-a' } })[0]!;
  cp = await startTestControlPlane({ nodes: [nodeCfg] });
  node = startNodeProcess(cp.home, nodeCfg.name, { LOOPKUBE_RESTART_BACKOFF_MS: '200' });
});

afterAll(async () => {
  await node?.kill();
  await cp?.stop();
});

describe('node agent against a real control plane', () => {
  it('registers its Node Ready, as kubelet reports it, and serves its health endpoint', async () => {
    const n = await waitFor('node Ready', async () => {
      const got = await cp.client.get<Node>(`/api/v1/nodes/${nodeCfg.name}`);
      return got.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? got : undefined;
    });
    expect(n.metadata.labels).toMatchObject({
      'kubernetes.io/hostname': nodeCfg.name,
      'kubernetes.io/os': 'linux',
      'topology.kubernetes.io/zone': 'zone-a',
    });
    expect(n.spec?.podCIDR).toBe(nodeCfg.podCIDR);
    expect(n.status?.addresses).toEqual([
      { type: 'InternalIP', address: nodeCfg.ip },
      { type: 'Hostname', address: nodeCfg.name },
    ]);
    expect(n.status?.allocatable).toEqual({ cpu: '4', memory: '8Gi', pods: '110' });
    expect(n.status?.nodeInfo?.kubeletVersion).toMatch(/^v1\.\d+\.\d+/);
    expect(n.status?.nodeInfo?.containerRuntimeVersion).toBe('loopkube://0.1');
    const ready = n.status!.conditions!.find((c) => c.type === 'Ready')!;
    expect(ready).toMatchObject({ reason: 'KubeletReady', message: 'kubelet is posting ready status' });
    expect(n.status!.conditions!.map((c) => c.type)).toEqual(['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready']);

    // Heartbeats move lastHeartbeatTime on, not lastTransitionTime.
    const later = await waitFor('a later heartbeat', async () => {
      const got = await cp.client.get<Node>(`/api/v1/nodes/${nodeCfg.name}`);
      const r = got.status!.conditions!.find((c) => c.type === 'Ready')!;
      return r.lastHeartbeatTime !== ready.lastHeartbeatTime ? r : undefined;
    });
    expect(later.lastTransitionTime).toBe(ready.lastTransitionTime);

    expect((await get(nodeCfg.ip, 10248, '/healthz')).status).toBe(200);
  });

  let firstIP = '';

  it('holds its Lease in kube-node-lease, as kubelet does (kubectl describe node shows it)', async () => {
    const lease = await waitFor('node lease', async () => {
      try {
        return await cp.client.get<Lease>(`/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${nodeCfg.name}`);
      } catch {
        return undefined;
      }
    });
    expect(lease.spec).toMatchObject({ holderIdentity: nodeCfg.name, leaseDurationSeconds: 40 });
    expect(Date.parse(lease.spec!.renewTime!)).toBeGreaterThan(0);
    expect(lease.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Node', name: nodeCfg.name });
  });

  it('runs a pod bound to it: Running on an IP of the podCIDR, answering with its identity', async () => {
    await createPod('web', [container()]);
    const pod = await waitRunning('web');
    firstIP = pod.status!.podIP!;
    expect(cidrContains(parseCidr(nodeCfg.podCIDR)!, parseIPv4(firstIP)!)).toBe(true);
    expect(pod.status).toMatchObject({ hostIP: nodeCfg.ip, podIPs: [{ ip: firstIP }], qosClass: 'BestEffort' });
    expect(pod.status!.startTime).toBeTruthy();
    expect(pod.status!.conditions!.map((c) => `${c.type}=${c.status}`).sort()).toEqual(
      ['ContainersReady=True', 'Initialized=True', 'PodReadyToStartContainers=True', 'PodScheduled=True', 'Ready=True'],
    );
    const cs = pod.status!.containerStatuses![0]!;
    expect(cs).toMatchObject({ name: 'app', ready: true, started: true, restartCount: 0, image: 'nginx:1.27' });
    expect(cs.containerID).toMatch(/^loopkube:\/\/[0-9a-f]{64}$/);
    expect(cs.state.running?.startedAt).toBeTruthy();

    const answer = JSON.parse((await get(firstIP, 8080)).body);
    expect(answer).toMatchObject({ pod: 'web', namespace: 'default', podIP: firstIP, node: nodeCfg.name, container: 'app', port: 8080 });

    await waitEvent('web', 'Pulled', /^Container image "nginx:1.27" already present on machine$/);
    await waitEvent('web', 'Created', /^Created container: app$/);
    const started = await waitEvent('web', 'Started', /^Started container app$/);
    expect(started.source).toEqual({ component: 'kubelet', host: nodeCfg.name });
  });

  it('flips Ready when the container fails its readiness, and back', async () => {
    const ip = (await getPod('web')).status!.podIP!;
    // the pod's own port carries no control: a client of the Service cannot make it unready
    expect((await get(ip, 8080, '/_loopkube/readiness?ready=false', 'POST')).status).toBe(200);
    expect(condition(await getPod('web'), 'Ready')).toBe('True');
    await control('web', 'readiness', { ready: 'false' });
    const notReady = await waitFor('web not ready', async () => {
      const p = await getPod('web');
      return condition(p, 'Ready') === 'False' ? p : undefined;
    });
    expect(notReady.status!.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ reason: 'ContainersNotReady', message: 'containers with unready status: [app]' });
    expect(notReady.status!.phase).toBe('Running');
    await control('web', 'readiness', { ready: 'true' });
    await waitRunning('web');
  });

  it('runs readiness probes: a failing probe makes the pod not ready and records Unhealthy', async () => {
    await createPod('probed', [
      container({ readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1, failureThreshold: 1 } }),
    ]);
    await waitRunning('probed');
    await control('probed', 'readiness', { ready: 'false' });
    await waitFor('probed not ready', async () => condition(await getPod('probed'), 'Ready') === 'False');
    await waitEvent('probed', 'Unhealthy', /^Readiness probe failed: HTTP probe failed with statuscode: 503$/);
    await control('probed', 'readiness', { ready: 'true' });
    await waitRunning('probed');
    await deletePodAndWait('probed');
  });

  it('restarts a crashed container: restartCount 1, same IP, serving again', async () => {
    await control('web', 'crash', { exitCode: '2' });
    const restarted = await waitFor('web restarted', async () => {
      const p = await getPod('web');
      const cs = p.status?.containerStatuses?.[0];
      return cs?.restartCount === 1 && cs.state.running && condition(p, 'Ready') === 'True' ? p : undefined;
    });
    expect(restarted.status!.podIP).toBe(firstIP);
    const cs = restarted.status!.containerStatuses![0]!;
    expect(cs.lastState?.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
    expect(JSON.parse((await get(firstIP, 8080)).body).pod).toBe('web');
  });

  it('restarts a container that fails its liveness probe', async () => {
    await createPod('alive', [
      container({ livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1, failureThreshold: 1 } }),
    ]);
    const pod = await waitRunning('alive');
    await control('alive', 'liveness', { healthy: 'false' });
    await waitFor('alive restarted', async () => {
      const p = await getPod('alive');
      const cs = p.status?.containerStatuses?.[0];
      return cs && cs.restartCount >= 1 && cs.state.running ? p : undefined;
    });
    await waitEvent('alive', 'Killing', /^Container app failed liveness probe, will be restarted$/);
    await waitEvent('alive', 'Unhealthy', /^Liveness probe failed: HTTP probe failed with statuscode: 503$/);
    await deletePodAndWait('alive');
  });

  it('leaves a container that cannot bind its port waiting, with the reason and a Warning event', async () => {
    // IPs go round-robin: the next pod gets the address after the last one handed out. Something
    // else holds port 8080 there already.
    const nextIP = formatIPv4(highestIP + 1);
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(8080, nextIP, r));
    try {
      await createPod('clash', [container()]);
      const pod = await waitFor('clash waiting', async () => {
        const p = await getPod('clash');
        return p.status?.containerStatuses?.[0]?.state.waiting?.reason === 'RunContainerError' ? p : undefined;
      });
      expect(pod.status!.podIP).toBe(nextIP);
      const waiting = pod.status!.containerStatuses![0]!.state.waiting!;
      expect(waiting.message).toContain(`failed to listen on ${nextIP}:8080`);
      expect(waiting.message).toContain('EADDRINUSE');
      expect(condition(pod, 'Ready')).toBe('False');
      const failed = await waitEvent('clash', 'Failed', /EADDRINUSE/);
      expect(failed.type).toBe('Warning');
    } finally {
      squatter.close();
    }
    // Once the port is free, the back-off retry starts it.
    await waitRunning('clash');
    await deletePodAndWait('clash');
  });

  it('terminates gracefully on delete: in-flight requests finish, the port closes, the pod object goes', async () => {
    await createPod('slow', [container({ env: [{ name: 'RESPONSE_DELAY_MS', value: '3000' }] })], { terminationGracePeriodSeconds: 20 });
    const pod = await waitRunning('slow');
    const ip = pod.status!.podIP!;
    const inFlight = get(ip, 8080);
    await new Promise((r) => setTimeout(r, 500));
    await cp.client.delete(`${POD_PATH}/slow`);
    await waitFor('slow stops accepting', async () => (await refused(ip, 8080)) === 'ECONNREFUSED');
    // Still Ready while it drains, as kubelet reports it (no readiness probe: ready while the
    // container runs); its endpoint is `serving` and `terminating` meanwhile, not `ready`.
    const draining = await getPod('slow');
    expect(draining.metadata.deletionTimestamp).toBeDefined();
    expect(condition(draining, 'Ready')).toBe('True');
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).pod).toBe('slow');
    await waitFor('slow gone', async () => {
      try {
        await getPod('slow');
        return false;
      } catch (err) {
        return (err as { code?: number }).code === 404;
      }
    });
    await waitEvent('slow', 'Killing', /^Stopping container app$/);
  });

  it('deleting a pod closes its port; a new pod gets a different IP', async () => {
    await deletePodAndWait('web');
    await waitFor('old IP stops answering', async () => (await refused(firstIP, 8080)) === 'ECONNREFUSED');
    await createPod('web', [container()]);
    const again = await waitRunning('web');
    expect(again.status!.podIP).not.toBe(firstIP);
    expect(JSON.parse((await get(again.status!.podIP!, 8080)).body).podIP).toBe(again.status!.podIP);
  });

  it('keeps pods when its process stops, and brings them back on the same IP when it starts again', async () => {
    const before = await waitRunning('web');
    const ip = before.status!.podIP!;
    // The last IP handed out before the restart belongs to a pod that is gone by then.
    await createPod('temp', [container()]);
    await waitRunning('temp');
    await deletePodAndWait('temp');
    expect(await node!.stop()).toBe(0);
    expect(await refused(ip, 8080)).toBe('ECONNREFUSED');
    expect((await getPod('web')).metadata.deletionTimestamp).toBeUndefined();

    node = startNodeProcess(cp.home, nodeCfg.name, { LOOPKUBE_RESTART_BACKOFF_MS: '200' });
    const after = await waitFor('web back', async () => {
      const p = await getPod('web');
      const cs = p.status?.containerStatuses?.[0];
      return cs && cs.restartCount === before.status!.containerStatuses![0]!.restartCount + 1 && cs.ready ? p : undefined;
    });
    expect(after.status!.podIP).toBe(ip);
    expect(JSON.parse((await get(ip, 8080)).body).pod).toBe('web');

    // The restarted node continues after the last IP it handed out (temp's): no address of a
    // pod deleted before the restart comes back at once.
    const usedBefore = highestIP;
    await createPod('fresh', [container()]);
    const fresh = await waitRunning('fresh');
    expect(parseIPv4(fresh.status!.podIP!)).toBe(usedBefore + 1);
  });
});

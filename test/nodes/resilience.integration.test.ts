// A node agent (in-process, so its status writes can be counted) against a real control plane:
// status writes are coalesced and skipped when nothing changed; while the API server is down
// the pods keep serving (and restarting), and once it is back the node catches up.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node, Pod } from '../../src/api/types.js';
import { createApiClient, type ApiClient } from '../../src/client/client.js';
import type { NodeConfig } from '../../src/cluster/config.js';
import { CLUSTER_HOME_ENV, PROCESS_NAME_ENV, SUPERVISOR_PID_ENV } from '../../src/cluster/parent-watch.js';
import { silentLogger } from '../../src/log.js';
import { startNodeAgent, type NodeAgent } from '../../nodes/agent.js';
import { CONTROL_PLANE_MAIN, REPO, startTestControlPlane, waitFor, type TestControlPlane } from '../support/control-plane.js';
import { testNodeConfigs } from '../support/node-process.js';
import { sendPodControl } from '../../src/client/pod-control.js';

function get(host: string, port: number, path = '/', method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, path, method, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

const POD_PATH = '/api/v1/namespaces/default/pods';
const ready = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

let cp: TestControlPlane;
let nodeCfg: NodeConfig;
let agentClient: ApiClient;
let agent: NodeAgent | undefined;
let secondControlPlane: ChildProcess | undefined;

beforeAll(async () => {
  nodeCfg = testNodeConfigs(1)[0]!;
  cp = await startTestControlPlane({ nodes: [nodeCfg] });
  agentClient = createApiClient(cp.clientConfig, { requestTimeoutMs: 3000 });
  agent = await startNodeAgent({ node: nodeCfg, client: agentClient, logger: silentLogger(), restartBackoff: { baseMs: 100, maxMs: 1000 } });
  await agent.ready();
});

afterAll(async () => {
  await agent?.stop();
  agentClient?.close();
  if (secondControlPlane && secondControlPlane.exitCode === null && secondControlPlane.signalCode === null) {
    const exited = new Promise((r) => secondControlPlane!.once('exit', r));
    secondControlPlane.kill('SIGKILL');
    await exited;
  }
  await cp?.stop();
});

describe('node agent status writes and API server outages', () => {
  it('starting a pod takes a write or two, and nothing is written while nothing changes', async () => {
    const writes = agent!.pods()!.statusSync.writes;
    const before = writes();
    await cp.client.create(POD_PATH, { metadata: { name: 'calm' }, spec: { nodeName: nodeCfg.name, containers: [{ name: 'app', image: 'nginx', ports: [{ containerPort: 8080 }] }] } });
    await waitFor('calm ready', async () => ready(await cp.client.get<Pod>(`${POD_PATH}/calm`)));
    const afterStart = writes();
    expect(afterStart - before).toBeGreaterThanOrEqual(1);
    expect(afterStart - before).toBeLessThanOrEqual(2);
    // A few heartbeats later: the informer echoed our own writes back, and nothing was rewritten.
    const node0 = await cp.client.get<Node>(`/api/v1/nodes/${nodeCfg.name}`);
    const beat0 = node0.status!.conditions!.find((c) => c.type === 'Ready')!.lastHeartbeatTime;
    await waitFor('two more heartbeats', async () => {
      const n = await cp.client.get<Node>(`/api/v1/nodes/${nodeCfg.name}`);
      const beat = n.status!.conditions!.find((c) => c.type === 'Ready')!.lastHeartbeatTime!;
      return Date.parse(beat) - Date.parse(beat0!) >= 2000;
    });
    expect(writes()).toBe(afterStart);
  });

  it('keeps pods serving and restarting while the API server is down, and catches up once it is back', async () => {
    const pod = await cp.client.get<Pod>(`${POD_PATH}/calm`);
    const ip = pod.status!.podIP!;
    const exited = new Promise((r) => cp.process.once('exit', r));
    cp.process.kill('SIGKILL');
    await exited;

    expect(JSON.parse((await get(ip, 8080)).body).pod).toBe('calm');
    // The container crashes while nobody can be told (through its node: the API is not needed).
    const crash = await sendPodControl({ nodeIP: nodeCfg.ip, token: cp.clientConfig.token, target: { namespace: 'default', pod: 'calm', container: 'app' }, action: 'crash' });
    expect(crash.status).toBe(200);
    await waitFor('calm serving again', async () => (await get(ip, 8080)).status === 200);

    secondControlPlane = spawn(process.execPath, [CONTROL_PLANE_MAIN, '--home', cp.home], {
      cwd: REPO,
      stdio: 'ignore',
      env: { ...process.env, [SUPERVISOR_PID_ENV]: String(process.pid), [CLUSTER_HOME_ENV]: cp.home, [PROCESS_NAME_ENV]: 'control-plane' },
    });
    const restartedAt = Date.now();
    const caughtUp = await waitFor('the crash reported once the API server is back', async () => {
      const p = await cp.client.get<Pod>(`${POD_PATH}/calm`);
      return p.status?.containerStatuses?.[0]?.restartCount === 1 && ready(p) ? p : undefined;
    });
    expect(caughtUp.status!.podIP).toBe(ip);
    await waitFor('heartbeats again', async () => {
      const n = await cp.client.get<Node>(`/api/v1/nodes/${nodeCfg.name}`);
      const r = n.status!.conditions!.find((c) => c.type === 'Ready')!;
      return r.status === 'True' && Date.parse(r.lastHeartbeatTime!) >= Math.floor(restartedAt / 1000) * 1000;
    });
  });
});

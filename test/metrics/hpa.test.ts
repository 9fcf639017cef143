// The HorizontalPodAutoscaler on measured CPU, end to end with the real kubectl: `kubectl
// autoscale deploy` (autoscaling/v1, as kubectl 1.32 sends it), load through the Service that
// makes each request burn CPU_PER_REQUEST, the HPA scaling the Deployment up through its scale
// subresource with upstream's event and conditions, `kubectl get hpa` as kubectl prints it, and
// back down once the load stops (a short scale-down window set through `behavior`).
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment } from '../../src/api/apps.js';
import type { Event, Node, Service } from '../../src/api/types.js';
import type { HorizontalPodAutoscaler } from '../../src/kinds/horizontalpodautoscaler/types.js';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';

let c: TestCluster;
const NS = 'hpa';

const kubectl = async (args: string[], input?: string): Promise<string> => {
  const r = await c.kubectl([...args, '-n', NS], { ...(input ? { input } : {}), timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

const manifest = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${NS} }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
      - name: app
        image: registry.example/web:1
        ports: [{ containerPort: 8080 }]
        env: [{ name: CPU_PER_REQUEST, value: 4ms }]
        resources: { requests: { cpu: 20m } }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: ${NS} }
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080 }]
`;

/** New connections from node-1's address to the ClusterIP, one request each, until stopped. */
function load(ip: string, nodeIP: string): { stop(): void } {
  let stopped = false;
  const loop = (): void => {
    if (stopped) return;
    http
      .get({ host: ip, port: 80, path: '/', localAddress: nodeIP, agent: false }, (res) => {
        res.resume();
        res.on('end', loop);
      })
      .on('error', () => setTimeout(loop, 20));
  };
  for (let i = 0; i < 3; i++) loop();
  return {
    stop() {
      stopped = true;
    },
  };
}

const hpa = (): Promise<HorizontalPodAutoscaler> => c.client.get<HorizontalPodAutoscaler>(`/apis/autoscaling/v2/namespaces/${NS}/horizontalpodautoscalers/web`);
const deployment = (): Promise<Deployment> => c.client.get<Deployment>(`/apis/apps/v1/namespaces/${NS}/deployments/web`);
let running: { stop(): void } | undefined;
const hpaEvent = async (message: RegExp): Promise<Event | undefined> => {
  const events = await c.client.list<Event>(`/api/v1/namespaces/${NS}/events`, { fieldSelector: 'involvedObject.kind=HorizontalPodAutoscaler' });
  return events.items.find((e) => message.test(e.message ?? ''));
};
const nodeIP = async (): Promise<string> => {
  const n = await c.client.get<Node>('/api/v1/nodes/node-1');
  return n.status!.addresses!.find((a) => a.type === 'InternalIP')!.address;
};

beforeAll(async () => {
  c = await startTestCluster({ nodes: 2, env: { LOOPKUBE_METRIC_RESOLUTION: '1s', LOOPKUBE_HPA_SYNC_PERIOD: '1s' } });
  await c.kubectl(['create', 'namespace', NS]);
  await kubectl(['apply', '-f', '-'], manifest);
  await waitFor('web available', async () => ((await deployment()).status?.availableReplicas === 1 ? true : undefined), 60_000);
}, 120_000);

afterAll(async () => {
  running?.stop();
  await c?.down();
});

describe('HorizontalPodAutoscaler', () => {
  it('kubectl autoscale creates it (autoscaling/v1), stored and served as autoscaling/v2', async () => {
    expect(await kubectl(['autoscale', 'deploy', 'web', '--cpu-percent=50', '--min=1', '--max=4'])).toContain('horizontalpodautoscaler.autoscaling/web autoscaled');
    const h = await hpa();
    expect(h.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }]);
    expect(h.spec.minReplicas).toBe(1);
    // a short scale-down window so the way down is quick
    await kubectl(['patch', 'hpa', 'web', '--type=merge', '-p', JSON.stringify({ spec: { behavior: { scaleDown: { stabilizationWindowSeconds: 2 } } } })]);
    expect((await hpa()).spec.behavior?.scaleDown).toEqual({ stabilizationWindowSeconds: 2, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });
  });

  it('finds the metric and reports it before any load', async () => {
    const h = await waitFor('ScalingActive', async () => {
      const x = await hpa();
      return x.status?.conditions?.find((cond) => cond.type === 'ScalingActive')?.status === 'True' ? x : undefined;
    }, 60_000);
    expect(h.status?.conditions?.find((cond) => cond.type === 'ScalingActive')?.reason).toBe('ValidMetricFound');
    const out = await kubectl(['get', 'hpa', 'web']);
    expect(out.split('\n')[0]).toMatch(/^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE$/);
    expect(out.split('\n')[1]).toMatch(/^web\s+Deployment\/web\s+cpu: \d+%\/50%\s+1\s+4\s+1\s+\S+$/);
  });

  it('scales the Deployment up under load, with the event upstream writes', async () => {
    const svc = await c.client.get<Service>(`/api/v1/namespaces/${NS}/services/web`);
    running = load(svc.spec.clusterIP!, await nodeIP());
    const d = await waitFor('more than one replica', async () => {
      const x = await deployment();
      return (x.spec.replicas ?? 1) > 1 ? x : undefined;
    }, 90_000);
    expect(d.spec.replicas).toBeLessThanOrEqual(4);
    // the event is written after the scale: wait for it
    const event = await waitFor('the SuccessfulRescale event', () => hpaEvent(/^New size: (\d+); reason: cpu resource utilization \(percentage of request\) above target$/), 30_000);
    expect(event.reason).toBe('SuccessfulRescale');
    expect(Number(/^New size: (\d+)/.exec(event.message!)![1])).toBeGreaterThan(1);
    const h = await waitFor('the status after the rescale', async () => {
      const x = await hpa();
      return x.status?.lastScaleTime ? x : undefined;
    }, 30_000);
    expect(h.status?.conditions?.find((x) => x.type === 'AbleToScale')).toMatchObject({ status: 'True' });
  });

  it('scales back down to minReplicas once the load stops', async () => {
    running?.stop();
    running = undefined;
    await waitFor('back to one replica', async () => ((await deployment()).spec.replicas === 1 ? true : undefined), 90_000);
    const event = await waitFor('the SuccessfulRescale event down', () => hpaEvent(/^New size: 1; reason: All metrics below target$/), 30_000);
    expect(event.reason).toBe('SuccessfulRescale');
  });
});

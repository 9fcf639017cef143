// What a created or updated Pod looks like after admission: upstream's defaults, priority,
// canonical quantities, and its QoS class.
import { describe, expect, it } from 'vitest';
import type { Pod } from '../../src/api/types.js';
import { cluster, pod } from './helpers.js';

describe('pod defaults', () => {
  it('a minimal pod gets upstream defaults and a Pending status', async () => {
    const p = (await cluster().create(pod())) as Pod;
    expect(p.spec).toMatchObject({
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      securityContext: {},
      enableServiceLinks: true,
      priority: 0,
      preemptionPolicy: 'PreemptLowerPriority',
    });
    expect(p.spec.containers[0]).toMatchObject({
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      ports: [{ containerPort: 8080, protocol: 'TCP' }],
    });
    expect(p.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
  });

  const pullCases: Array<[string, string]> = [
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['registry.local:5000/nginx', 'Always'],
    ['nginx:1.27', 'IfNotPresent'],
    ['nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'IfNotPresent'],
  ];
  for (const [image, policy] of pullCases) {
    it(`imagePullPolicy of ${image} defaults to ${policy}`, async () => {
      const p = (await cluster().create(pod((o) => (o.spec.containers[0].image = image)))) as Pod;
      expect(p.spec.containers[0]!.imagePullPolicy).toBe(policy);
    });
  }

  it('probes get their default timings, path and scheme', async () => {
    const p = (await cluster().create(pod((o) => (o.spec.containers[0].readinessProbe = { httpGet: { port: 8080 } })))) as Pod;
    expect(p.spec.containers[0]!.readinessProbe).toEqual({
      httpGet: { port: 8080, path: '/', scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
  });

  it('requests default to the limits, quantities are canonical, and the pod is Guaranteed', async () => {
    const p = (await cluster().create(pod((o) => (o.spec.containers[0].resources = { limits: { cpu: '0.5', memory: '1024Mi' } })))) as Pod;
    expect(p.spec.containers[0]!.resources).toEqual({ limits: { cpu: '500m', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } });
    expect(p.status?.qosClass).toBe('Guaranteed');
  });

  it('requests below the limits make the pod Burstable', async () => {
    const p = (await cluster().create(pod((o) => (o.spec.containers[0].resources = { requests: { memory: '64Mi' }, limits: { memory: '128Mi' } })))) as Pod;
    expect(p.status?.qosClass).toBe('Burstable');
  });

  it('a built-in PriorityClass gives its priority', async () => {
    const p = (await cluster().create(pod((o) => (o.spec.priorityClassName = 'system-node-critical')))) as Pod;
    expect(p.spec.priority).toBe(2000001000);
  });

  it('a status sent on create is replaced by the API server\'s own', async () => {
    const p = (await cluster().create(pod((o) => (o.status = { phase: 'Running', podIP: '127.244.1.9' })))) as Pod;
    expect(p.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
  });
});

describe('pod updates', () => {
  it('images, labels and added tolerations may change', async () => {
    const c = cluster();
    const stored = (await c.create(pod())) as Pod;
    const next = structuredClone(stored);
    next.spec.containers[0]!.image = 'loopkube/echo:2';
    next.metadata.labels = { app: 'web', track: 'canary' };
    next.spec.tolerations = [{ key: 'dedicated', operator: 'Exists' }];
    const updated = (await c.update(next, stored)) as Pod;
    expect(updated.spec.containers[0]!.image).toBe('loopkube/echo:2');
    expect(updated.metadata.labels).toEqual({ app: 'web', track: 'canary' });
  });

  it('re-applying the un-defaulted manifest is not a change', async () => {
    const c = cluster();
    const stored = (await c.create(pod())) as Pod;
    const again = pod();
    again.metadata.uid = stored.metadata.uid;
    await expect(c.update(again, stored)).resolves.toBeDefined();
  });

  it('a main update keeps the stored status', async () => {
    const c = cluster();
    const stored = (await c.create(pod())) as Pod;
    stored.status = { phase: 'Running', podIP: '127.244.1.5', podIPs: [{ ip: '127.244.1.5' }], qosClass: 'BestEffort' };
    const next = structuredClone(stored);
    next.status = { phase: 'Failed' };
    const updated = (await c.update(next, stored)) as Pod;
    expect(updated.status).toEqual(stored.status);
  });

  it('a status update keeps the spec and the QoS class, and fills podIPs from podIP', async () => {
    const c = cluster();
    const stored = (await c.create(pod())) as Pod;
    const next = structuredClone(stored);
    next.spec.containers[0]!.image = 'changed';
    next.status = { phase: 'Running', podIP: '127.244.1.5', hostIP: '127.10.0.1' };
    const updated = (await c.update(next, stored, 'status')) as Pod;
    expect(updated.spec).toEqual(stored.spec);
    expect(updated.status).toEqual({
      phase: 'Running',
      podIP: '127.244.1.5',
      podIPs: [{ ip: '127.244.1.5' }],
      hostIP: '127.10.0.1',
      hostIPs: [{ ip: '127.10.0.1' }],
      qosClass: 'BestEffort',
    });
  });
});

import { describe, expect, it } from 'vitest';
import type { Container, ContainerState, Pod } from '../../src/api/types.js';
import { createRestartBackoff } from '../../nodes/backoff.js';
import { buildPodStatus, podPhase, qosClassOf, statusDiffers, type ContainerSnapshot } from '../../nodes/pod-status.js';

const running: ContainerState = { running: { startedAt: '2025-01-01T00:00:00Z' } };
const waiting: ContainerState = { waiting: { reason: 'ContainerCreating' } };
const exited = (exitCode: number): ContainerState => ({ terminated: { exitCode, reason: exitCode ? 'Error' : 'Completed', finishedAt: '2025-01-01T00:00:01Z' } });

function snap(name: string, state: ContainerState, over: Partial<ContainerSnapshot> = {}): ContainerSnapshot {
  return { name, image: 'nginx', state, lastState: {}, ready: !!state.running, started: !!state.running, restartCount: 0, ...over };
}

function pod(restartPolicy: 'Always' | 'OnFailure' | 'Never' = 'Always', containers: Container[] = [{ name: 'app', image: 'nginx' }]): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { containers, restartPolicy } };
}

describe('pod phase (kubelet getPhase)', () => {
  it.each([
    ['a container not started yet keeps the pod Pending', 'Always', [snap('a', waiting)], 'Pending'],
    ['a running container makes it Running', 'Always', [snap('a', running)], 'Running'],
    ['one running and one not started yet is still Pending', 'Always', [snap('a', running), snap('b', waiting)], 'Pending'],
    ['a container in back-off after a crash is Running (Always)', 'Always', [snap('a', { waiting: { reason: 'CrashLoopBackOff' } }, { lastState: exited(1) })], 'Running'],
    ['all exited 0 with Never is Succeeded', 'Never', [snap('a', exited(0))], 'Succeeded'],
    ['one exited non-zero with Never is Failed', 'Never', [snap('a', exited(0)), snap('b', exited(1))], 'Failed'],
    ['all exited 0 with OnFailure is Succeeded', 'OnFailure', [snap('a', exited(0))], 'Succeeded'],
    ['exited non-zero with OnFailure is Running (it restarts)', 'OnFailure', [snap('a', exited(1))], 'Running'],
  ] as const)('%s', (_rule, policy, containers, want) => {
    expect(podPhase(pod(policy), [...containers])).toBe(want);
  });
});

describe('QoS class', () => {
  it.each([
    ['no requests or limits', [{ name: 'a' }], 'BestEffort'],
    ['requests only', [{ name: 'a', resources: { requests: { cpu: '100m' } } }], 'Burstable'],
    ['limits for cpu and memory (requests default to them)', [{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' } } }], 'Guaranteed'],
    ['requests below limits', [{ name: 'a', resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } }], 'Burstable'],
  ] as const)('%s', (_rule, containers, want) => {
    expect(qosClassOf(containers as unknown as Container[])).toBe(want);
  });
});

describe('pod status', () => {
  it('reports a ready pod with its IPs, kubelet conditions and sorted container statuses', () => {
    const s = buildPodStatus(pod(), { podIP: '127.244.1.5', hostIP: '127.10.0.1', startTime: 'T0', containers: [snap('b', running), snap('a', running)] }, 'T1');
    expect(s).toMatchObject({ phase: 'Running', podIP: '127.244.1.5', podIPs: [{ ip: '127.244.1.5' }], hostIP: '127.10.0.1', hostIPs: [{ ip: '127.10.0.1' }], startTime: 'T0' });
    expect(s.containerStatuses!.map((c) => c.name)).toEqual(['a', 'b']);
    expect(s.conditions!.map((c) => `${c.type}=${c.status}`)).toEqual(['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
  });

  it('names the unready containers, and keeps transition times of conditions that did not change', () => {
    const before = pod();
    before.status = buildPodStatus(before, { podIP: '127.244.1.5', hostIP: 'h', startTime: 'T0', containers: [snap('a', running), snap('b', running)] }, 'T1');
    const after = buildPodStatus(before, { podIP: '127.244.1.5', hostIP: 'h', startTime: 'T0', containers: [snap('a', running), snap('b', running, { ready: false })] }, 'T2');
    const ready = after.conditions!.find((c) => c.type === 'Ready')!;
    expect(ready).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [b]', lastTransitionTime: 'T2' });
    expect(after.conditions!.find((c) => c.type === 'Initialized')!.lastTransitionTime).toBe('T1');
  });

  it('keeps conditions other components own', () => {
    const p = pod();
    p.status = { conditions: [{ type: 'example.com/Gate', status: 'True', lastTransitionTime: 'T0' }] };
    const s = buildPodStatus(p, { podIP: '', hostIP: 'h', startTime: 'T0', containers: [snap('a', waiting)] }, 'T1');
    expect(s.conditions!.map((c) => c.type)).toContain('example.com/Gate');
    expect(s.conditions!.find((c) => c.type === 'PodReadyToStartContainers')!.status).toBe('False');
    expect(s.podIP).toBeUndefined();
  });

  it('sees no change where only nulls or key order differ, and a change where a value differs', () => {
    const p = pod();
    const s = buildPodStatus(p, { podIP: '127.244.1.5', hostIP: 'h', startTime: 'T0', containers: [snap('a', running)] }, 'T1');
    const echoed = JSON.parse(JSON.stringify(s)) as typeof s;
    echoed.conditions = echoed.conditions!.map((c) => ({ lastProbeTime: null, ...c }));
    expect(statusDiffers(echoed, s)).toBe(false);
    expect(statusDiffers({ ...echoed, podIP: '127.244.1.6' }, s)).toBe(true);
    expect(statusDiffers(undefined, s)).toBe(true);
  });
});

describe('crash-loop back-off', () => {
  it('restarts at once the first time, then waits base, 2x, 4x ... up to the cap', () => {
    const b = createRestartBackoff({ baseMs: 10_000, maxMs: 300_000 });
    let t = 0;
    const waits = Array.from({ length: 8 }, () => {
      const w = b.next(t);
      t += w + 1000; // runs a second after each restart, then crashes again
      return w;
    });
    expect(waits).toEqual([0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  });

  it('starts over once the container stayed up for more than twice the cap', () => {
    const b = createRestartBackoff({ baseMs: 1000, maxMs: 5000 });
    b.next(0);
    expect(b.next(100)).toBe(1000);
    expect(b.next(100 + 10_001 + 1000)).toBe(0);
    expect(b.next(100 + 10_001 + 1100)).toBe(1000);
  });
});

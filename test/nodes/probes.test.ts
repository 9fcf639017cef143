import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Probe } from '../../src/api/types.js';
import { DEFAULT_KNOBS } from '../../nodes/app-knobs.js';
import { createAppControl, type AppControl } from '../../nodes/control.js';
import { newRequestCounter, startPodApp, type PodApp } from '../../nodes/pod-app.js';
import { startProbeWorker, type ProbeWorker } from '../../nodes/prober.js';
import { resolveProbePort, runProbe, type ProbeResult } from '../../nodes/probes.js';

function randomPodIP(): string {
  const r = (lo: number, hi: number): number => lo + Math.floor(Math.random() * (hi - lo + 1));
  return `127.${r(200, 239)}.${r(0, 255)}.${r(2, 254)}`;
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function app(ip: string, port: number): Promise<{ app: PodApp; control: AppControl }> {
  const control = createAppControl();
  const a = await startPodApp({
    identity: { pod: 'p', namespace: 'default', podIP: ip, node: 'node-1', container: 'c', hostname: 'p', version: 'latest' },
    port,
    knobs: DEFAULT_KNOBS,
    control,
    counter: newRequestCounter(),
  });
  cleanups.push(() => a.destroy());
  return { app: a, control };
}

const container = { ports: [{ name: 'http', containerPort: 8080 }, { name: 'admin', containerPort: 9000 }] };

describe('resolving a probe port', () => {
  it.each([
    ['a number', 8080, 8080],
    ['a number given as text', '9000', 9000],
    ['a named container port', 'admin', 9000],
    ['an unknown name', 'metrics', null],
    ['a port out of range', 70000, null],
  ])('%s', (_rule, port, want) => {
    expect(resolveProbePort(port, container)).toBe(want);
  });
});

describe('running one probe against a real socket', () => {
  it('httpGet passes on 200 from the pod app, via a named port', async () => {
    const ip = randomPodIP();
    await app(ip, 8080);
    const r = await runProbe({ httpGet: { path: '/healthz', port: 'http' } }, 'readiness', ip, container);
    expect(r).toEqual({ ok: true, message: '' });
  });

  it('httpGet fails with kubelet\'s wording when the app answers 503', async () => {
    const ip = randomPodIP();
    const { control } = await app(ip, 8080);
    control.ready = false;
    const r = await runProbe({ httpGet: { path: '/healthz', port: 8080 } }, 'readiness', ip, container);
    expect(r).toEqual({ ok: false, message: 'HTTP probe failed with statuscode: 503' });
    // The same path still passes as a liveness probe: only readiness was switched off.
    expect((await runProbe({ httpGet: { path: '/healthz', port: 8080 } }, 'liveness', ip, container)).ok).toBe(true);
  });

  it('httpGet names the refused connection as kubelet does', async () => {
    const ip = randomPodIP();
    const r = await runProbe({ httpGet: { path: '/healthz', port: 8080 } }, 'liveness', ip, container);
    expect(r.ok).toBe(false);
    expect(r.message).toBe(`Get "http://${ip}:8080/healthz": dial tcp ${ip}:8080: connect: connection refused`);
  });

  it('httpGet fails after timeoutSeconds when nothing answers', async () => {
    const ip = randomPodIP();
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(8080, ip, r));
    cleanups.push(() => {
      silent.close();
    });
    const r = await runProbe({ httpGet: { path: '/', port: 8080 }, timeoutSeconds: 1 }, 'readiness', ip, container);
    expect(r.ok).toBe(false);
    expect(r.message).toContain('context deadline exceeded (Client.Timeout exceeded while awaiting headers)');
  });

  it('httpGet on an unknown named port fails and says so', async () => {
    const r = await runProbe({ httpGet: { path: '/', port: 'metrics' } }, 'readiness', randomPodIP(), container);
    expect(r).toEqual({ ok: false, message: 'unable to find port named "metrics"' });
  });

  it('tcpSocket passes when the port accepts, fails when refused', async () => {
    const ip = randomPodIP();
    await app(ip, 9000);
    expect(await runProbe({ tcpSocket: { port: 'admin' } }, 'liveness', ip, container)).toEqual({ ok: true, message: '' });
    const refused = await runProbe({ tcpSocket: { port: 8080 } }, 'liveness', ip, container);
    expect(refused).toEqual({ ok: false, message: `dial tcp ${ip}:8080: connect: connection refused` });
  });

  it('exec probes pass: loopkube runs no commands', async () => {
    expect((await runProbe({ exec: { command: ['cat', '/tmp/healthy'] } }, 'liveness', randomPodIP(), container)).ok).toBe(true);
  });
});

describe('probe worker thresholds', () => {
  /** Runs a worker over a scripted list of results; returns the thresholded results it reported. */
  async function script(kind: 'readiness' | 'liveness', probe: Probe, results: boolean[]): Promise<{ flips: boolean[]; failures: number; final: boolean }> {
    const flips: boolean[] = [];
    let failures = 0;
    let i = 0;
    let done: () => void = () => {};
    const finished = new Promise<void>((r) => (done = r));
    let worker: ProbeWorker | undefined;
    worker = startProbeWorker({
      kind,
      probe,
      msPerSecond: 1,
      run: (): Promise<ProbeResult> => {
        // Past the script the probe never answers, so nothing more is reported before stop().
        if (i >= results.length) return new Promise<ProbeResult>(() => {});
        const ok = results[i++]!;
        if (i >= results.length) setImmediate(done);
        return Promise.resolve({ ok, message: ok ? '' : 'nope' });
      },
      onResult: (ok) => flips.push(ok),
      onFailure: () => failures++,
    });
    cleanups.push(() => worker?.stop());
    await finished;
    await new Promise((r) => setImmediate(r));
    worker.stop();
    return { flips, failures, final: worker.ok() };
  }

  it('readiness starts not ready and turns ready after successThreshold passes in a row', async () => {
    const r = await script('readiness', { successThreshold: 2, periodSeconds: 1 }, [true, false, true, true]);
    expect(r.flips).toEqual([true]);
    expect(r.final).toBe(true);
  });

  it('readiness turns not ready only after failureThreshold failures in a row', async () => {
    const r = await script('readiness', { failureThreshold: 3, periodSeconds: 1 }, [true, false, false, true, false, false, false]);
    expect(r.flips).toEqual([true, false]);
    expect(r.failures).toBe(5);
  });

  it('liveness starts healthy and fails after failureThreshold failures in a row', async () => {
    const r = await script('liveness', { failureThreshold: 2, periodSeconds: 1 }, [true, false, true, false, false]);
    expect(r.flips).toEqual([false]);
    expect(r.final).toBe(false);
  });
});

// `loopkube load --timeline --during CMD` on a real 3-node cluster, driven through the built CLI:
// the timeline's version shares, and the verdict's attribution when a pod is deleted under load.
// The pods answer slowly (RESPONSE_DELAY_MS) and the pod is deleted with no grace period, so the
// node's kill always cuts requests in flight on it: the assertions are on the counts the run
// measured (how many failed, on which pod, for which cause), never on timings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourcePath } from '../../src/api/paths.js';
import type { EndpointSlice, Pod } from '../../src/api/types.js';
import { ENDPOINT_SLICES as SLICES } from '../../src/kinds/endpointslice/resource.js';
import { PODS } from '../../src/kinds/pod/resource.js';
import type { DuringResult } from '../../src/load/during.js';
import type { LoadSummary } from '../../src/load/stats.js';
import type { Verdict } from '../../src/load/verdict.js';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';


const rc = (name: string, app: string, tag: string, replicas: number, delayMs: number): string => `
apiVersion: v1
kind: ReplicationController
metadata: { name: ${name} }
spec:
  replicas: ${replicas}
  selector: { app: ${app}, track: ${name} }
  template:
    metadata: { labels: { app: ${app}, track: ${name} } }
    spec:
      containers:
      - name: app
        image: loopkube/echo:${tag}
        ports: [{ containerPort: 8080 }]
        env: [{ name: RESPONSE_DELAY_MS, value: "${delayMs}" }]
---
`;

const service = (name: string, app: string): string => `
apiVersion: v1
kind: Service
metadata: { name: ${name} }
spec:
  selector: { app: ${app} }
  ports: [{ port: 8080, targetPort: 8080 }]
---
`;

/** A bare pod labelled as a Deployment's ReplicaSet labels its pods. */
const hashed = `
apiVersion: v1
kind: Pod
metadata: { name: mixed-hashed, labels: { app: mixed, pod-template-hash: 5d8f7c9b4 } }
spec:
  containers:
  - name: app
    image: loopkube/echo:v3
    ports: [{ containerPort: 8080 }]
`;

type Full = LoadSummary & { during?: DuringResult; verdict?: Verdict };

describe('loopkube load --timeline --during on a 3-node cluster', () => {
  let c: TestCluster | undefined;

  async function load(args: string[]): Promise<Full> {
    const r = await c!.loopkube(['load', '--name', c!.name, ...args, '--json'], { timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`loopkube load ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
    return JSON.parse(r.stdout) as Full;
  }

  async function readyEndpoints(svc: string): Promise<number> {
    const slices = await c!.client.list<EndpointSlice>(resourcePath(SLICES, 'default'), { labelSelector: `kubernetes.io/service-name=${svc}` });
    return slices.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready).length;
  }

  async function podsOf(app: string): Promise<Pod[]> {
    return (await c!.client.list<Pod>(resourcePath(PODS, 'default'), { labelSelector: `app=${app}` })).items.filter((p) => !p.metadata.deletionTimestamp);
  }

  beforeAll(async () => {
    c = await startTestCluster({ nodes: 3 });
    const manifest = rc('slow', 'slow', 'v1', 3, 1500) + service('slow', 'slow') + rc('mixed-v1', 'mixed', 'v1', 1, 0) + rc('mixed-v2', 'mixed', 'v2', 1, 0) + service('mixed', 'mixed') + hashed;
    const applied = await c.kubectl(['apply', '-f', '-'], { input: manifest });
    if (applied.code !== 0) throw new Error(`kubectl apply: ${applied.stderr}`);
    await waitFor('the endpoints of svc/slow and svc/mixed', async () => (await readyEndpoints('slow')) === 3 && (await readyEndpoints('mixed')) === 3, 90_000);
    await waitFor('svc/mixed to answer through its ClusterIP', async () => (await load(['svc/mixed', '--requests', '3'])).requests === 3, 30_000);
  }, 240_000);

  afterAll(async () => {
    await c?.down();
  });

  it('the timeline counts the answers of each version: image tags, and a pod-template-hash', async () => {
    const s = await load(['svc/mixed', '--new-connection', '-c', '3', '--requests', '300', '--timeline', '500ms']);
    expect(s.requests).toBe(300);
    expect(s.timeline.intervalSeconds).toBe(0.5);
    const versions: Record<string, number> = {};
    for (const row of s.timeline.rows) {
      expect(Object.values(row.versions).reduce((a, b) => a + b, 0)).toBe(row.requests);
      for (const [v, n] of Object.entries(row.versions)) versions[v] = (versions[v] ?? 0) + n;
    }
    // Round-robin over three pods, one per version.
    expect(versions).toEqual({ v1: 100, v2: 100, '5d8f7c9b4': 100 });
    expect(s.pods.map((p) => p.version).sort()).toEqual(['5d8f7c9b4', 'v1', 'v2']);
  });

  const cases: Array<{ rule: string; mode: string[]; cause: 'keep-alive' | 'terminating' }> = [
    { rule: 'keep-alive: the requests cut on a deleted pod count as keep-alive connections the pod closed', mode: [], cause: 'keep-alive' },
    { rule: 'a new connection per request: the requests cut count as reset by a terminating pod', mode: ['--new-connection'], cause: 'terminating' },
  ];
  for (const tc of cases) {
    it(tc.rule, async () => {
      const [victim] = await podsOf('slow');
      const name = victim!.metadata.name!;
      // Answers take 1.5 s, so a pod deleted at once (no grace) always has requests in flight to cut.
      const s = await load(['svc/slow', ...tc.mode, '-c', '6', '-d', '9s', '--timeline', '--during', `kubectl delete pod ${name} --force --grace-period=0`]);
      const v = s.verdict!;
      expect(s.during!.exitCode).toBe(0);
      expect(v.failed).toBeGreaterThan(0);
      expect(Object.values(v.causes).reduce((a, b) => a + b, 0)).toBe(v.failed);
      expect(v.causes[tc.cause]).toBe(v.failed);
      // Every one of them on the deleted pod.
      expect(v.pods).toEqual({ [name]: { [tc.cause]: v.failed } });
      expect(v.sentence).toMatch(new RegExp(`^${v.failed} requests? failed during the rollout`));
      expect(v.fixes.length).toBeGreaterThan(0);
      // The timeline marks the command and names the pod that failed the requests.
      const marks = s.timeline.rows.flatMap((r) => r.marks);
      expect(marks.some((m) => m.includes('started: kubectl delete pod'))).toBe(true);
      expect(marks.some((m) => m.includes('ended: kubectl delete pod') && m.includes('exit 0'))).toBe(true);
      const failedBy: Record<string, number> = {};
      for (const r of s.timeline.rows) for (const [pod, n] of Object.entries(r.errorPods)) failedBy[pod] = (failedBy[pod] ?? 0) + n;
      expect(Object.values(failedBy).reduce((a, b) => a + b, 0)).toBe(v.failed + v.outside);
      await waitFor('the RC to replace the deleted pod', async () => (await readyEndpoints('slow')) === 3, 60_000);
    }, 180_000);
  }
});

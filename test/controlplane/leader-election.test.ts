// client-go-style leader election on a real API server's Lease, with short timings: of three
// candidates one leads; a leader that stops releases the Lease and another takes over at once;
// a leader that can no longer renew stops leading within the renew deadline, and another one
// takes over only after the lease duration (as seen by its own clock).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeaderElectionConfig } from '../../src/cluster/config.js';
import { createApiClient, type ApiClient } from '../../src/client/client.js';
import { microTime, newIdentity, startLeaderElection, type Lease, type LeaderElector } from '../../src/controlplane/leader-election.js';
import { silentLogger } from '../../src/log.js';
import { startTestControlPlane, waitFor, type TestControlPlane } from '../support/control-plane.js';

const TIMING: LeaderElectionConfig = { leaseDurationSeconds: 3, renewDeadlineSeconds: 2, retryPeriodSeconds: 0.25 };
const NS = 'kube-system';

describe('leader election on a Lease', () => {
  let cp: TestControlPlane | undefined;
  const clients: ApiClient[] = [];
  const electors: LeaderElector[] = [];
  beforeAll(async () => {
    cp = await startTestControlPlane();
  });
  afterAll(async () => {
    for (const e of electors) await e.stop();
    for (const c of clients) c.close();
    await cp?.stop();
  });

  interface Candidate {
    id: string;
    elector: LeaderElector;
    client: ApiClient;
    /** Times (ms) it started and stopped leading. */
    started: number[];
    stopped: number[];
  }

  function candidate(lease: string, name: string): Candidate {
    const client = createApiClient(cp!.clientConfig);
    clients.push(client);
    const c: Candidate = { id: newIdentity(name), client, started: [], stopped: [], elector: undefined as unknown as LeaderElector };
    c.elector = startLeaderElection({
      client,
      namespace: NS,
      name: lease,
      identity: c.id,
      timing: TIMING,
      logger: silentLogger(),
      onStartedLeading: () => void c.started.push(Date.now()),
      onStoppedLeading: () => void c.stopped.push(Date.now()),
    });
    electors.push(c.elector);
    return c;
  }

  const holder = async (lease: string) => ((await cp!.client.get<Lease>(`/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/${lease}`)).spec ?? {});

  it('elects one of three, and hands over at once when the leader stops on purpose', async () => {
    const all = ['a', 'b', 'c'].map((n) => candidate('test-release', n));
    const first = await waitFor('a leader', () => all.find((c) => c.elector.isLeader()), 20_000);
    // Several renewals later, still exactly one leader, and it is the Lease's holder.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(all.filter((c) => c.elector.isLeader())).toEqual([first]);
    const spec = await holder('test-release');
    expect(spec).toMatchObject({ holderIdentity: first.id, leaseDurationSeconds: 3, leaseTransitions: 0 });
    expect(spec.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

    const stoppedAt = Date.now();
    await first.elector.stop();
    expect(first.stopped).toHaveLength(1);
    const next = await waitFor('another leader', () => all.find((c) => c !== first && c.elector.isLeader()), 20_000);
    // A released Lease is taken without waiting out its duration.
    expect(next.started[0] - stoppedAt).toBeLessThan(TIMING.leaseDurationSeconds * 1000);
    expect((await holder('test-release')).leaseTransitions).toBe(1);
  });

  it('stops a leader that cannot renew within the renew deadline; another takes over after the lease duration', async () => {
    const all = ['x', 'y'].map((n) => candidate('test-lost', n));
    const leader = await waitFor('a leader', () => all.find((c) => c.elector.isLeader()), 20_000);
    const other = all.find((c) => c !== leader)!;
    // Its API connection goes away (as if its API server hung): renewals fail from now on.
    const cutAt = Date.now();
    leader.client.close();
    (leader.client as { get: unknown }).get = () => Promise.reject(new Error('cut off'));
    (leader.client as { update: unknown }).update = () => Promise.reject(new Error('cut off'));
    await waitFor('the cut-off leader to stop leading', () => leader.stopped.length > 0, 20_000);
    const lostAfter = leader.stopped[0] - cutAt;
    // Within the renew deadline of its last renewal, so before its lease can run out for others.
    expect(lostAfter).toBeLessThan(TIMING.leaseDurationSeconds * 1000);
    await waitFor('the other candidate to lead', () => other.elector.isLeader(), 20_000);
    // Not before the lease ran out (since its last renewal, at or before the cut).
    expect(other.started[0] - cutAt).toBeGreaterThanOrEqual(TIMING.leaseDurationSeconds * 1000 - TIMING.retryPeriodSeconds * 1000);
    // And never two at once: the old leader had stopped before the new one started.
    expect(leader.stopped[0]).toBeLessThan(other.started[0]);
    expect(microTime(new Date('2026-01-02T03:04:05.678Z'))).toBe('2026-01-02T03:04:05.678000Z');
  });
});

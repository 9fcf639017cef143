// The cluster survives any one process: under steady load (new connections and a keep-alive
// connection through a NodePort, DNS lookups, API writes), SIGKILL in turn the supervisor, the
// control plane, the cluster DNS, the proxy and a node. What may fail, per the README's failure
// table: nothing when the supervisor or the control plane dies (API writes excepted, which fail
// with an error while the API server restarts); a few lookups when the DNS dies (those in
// flight); when the proxy dies only the connections it was splicing (none refused: the
// supervisor holds its listening sockets); when a node dies, the connections its pods were
// serving. No acknowledged write is lost. Figures: bench:failover.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChaos, type ChaosResult, type PhaseResult, type Victim } from '../../scripts/chaos/phases.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';

let cluster: TestCluster;
let result: ChaosResult;

const NEW = 'new connections (NodePort)';
const KEEP = 'keep-alive connection (NodePort)';
const DNS = 'DNS lookups (UDP)';
const WRITES = 'API writes';

/** At most this many requests are open at once on the new-connection probe (probes.ts). */
const IN_FLIGHT = 16;

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 2 });
  result = await runChaos({ home: cluster.home, config: cluster.config, client: cluster.client }, { log: (l) => process.stdout.write(`[chaos] ${l}\n`) });
}, 600_000);

afterAll(async () => {
  await cluster?.down();
});

function phase(victim: Victim, adopted?: boolean): PhaseResult {
  const p = result.phases.find((x) => x.victim === victim && (adopted === undefined || x.adopted === adopted));
  if (!p) throw new Error(`no phase for ${victim}`);
  return p;
}

describe('killing one process at a time under steady load', () => {
  it('the supervisor: nothing fails; a new supervisor adopts every process', () => {
    const p = phase('supervisor');
    for (const probe of [NEW, KEEP, DNS, WRITES]) expect(p.probes[probe]!.failed, `${probe}: ${JSON.stringify(p.probes[probe])}`).toBe(0);
  });

  it('the control plane: the data plane and DNS serve throughout; writes fail with an error until it is back', () => {
    const p = phase('control-plane');
    for (const probe of [NEW, KEEP, DNS]) expect(p.probes[probe]!.failed, `${probe}: ${JSON.stringify(p.probes[probe])}`).toBe(0);
    // a failed write is an answer (503, connection refused), never a hang
    expect(Object.keys(p.probes[WRITES]!.errors).filter((e) => e === 'TIMEOUT')).toEqual([]);
  });

  it('the DNS: only the lookups in flight and during its standby’s promotion fail; nothing else does', () => {
    const p = phase('dns');
    for (const probe of [NEW, KEEP, WRITES]) expect(p.probes[probe]!.failed, `${probe}: ${JSON.stringify(p.probes[probe])}`).toBe(0);
    // generous: a lookup every 20 ms, one second's worth at most
    expect(p.probes[DNS]!.failed, JSON.stringify(p.probes[DNS])).toBeLessThanOrEqual(50);
  });

  it('the proxy, adopted by a new supervisor (nothing held its sockets): its standby binds them at once; refusals only in that gap', () => {
    const p = phase('proxy', true);
    // generous: refused for at most two seconds (a booted standby binds within milliseconds)
    for (const probe of [NEW, KEEP]) expect(p.probes[probe]!.outageMs, `${probe}: ${JSON.stringify(p.probes[probe])}`).toBeLessThanOrEqual(2000);
    for (const probe of [DNS, WRITES]) expect(p.probes[probe]!.failed, `${probe}: ${JSON.stringify(p.probes[probe])}`).toBe(0);
  });

  it('the proxy, the supervisor’s own child: only the connections it was splicing are reset; no connection is refused', () => {
    const p = phase('proxy', false);
    const fresh = p.probes[NEW]!;
    expect(fresh.errors.ECONNREFUSED ?? 0, JSON.stringify(fresh)).toBe(0);
    expect(fresh.failed, JSON.stringify(fresh)).toBeLessThanOrEqual(IN_FLIGHT);
    expect(p.probes[KEEP]!.failed, JSON.stringify(p.probes[KEEP])).toBeLessThanOrEqual(1);
    for (const probe of [DNS, WRITES]) expect(p.probes[probe]!.failed, `${probe}: ${JSON.stringify(p.probes[probe])}`).toBe(0);
  });

  it('a node: only the connections its pods were serving fail; new connections go to the other pods', () => {
    const p = phase('node');
    expect(p.probes[NEW]!.failed, JSON.stringify(p.probes[NEW])).toBeLessThanOrEqual(IN_FLIGHT);
    expect(p.probes[KEEP]!.failed, JSON.stringify(p.probes[KEEP])).toBeLessThanOrEqual(1);
    for (const probe of [DNS, WRITES]) expect(p.probes[probe]!.failed, `${probe}: ${JSON.stringify(p.probes[probe])}`).toBe(0);
  });

  it('no write the API acknowledged is lost', () => {
    expect(result.acked).toBeGreaterThan(100);
    expect(result.missing).toEqual([]);
  });
});

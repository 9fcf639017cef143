// The nftables data plane: the kernel moves every byte (DNAT/SNAT rules as kube-proxy's nftables
// mode writes them, rules.ts), and this process only keeps the cluster's table in step with the
// routing snapshot, one atomic transaction at a time (transaction.ts), re-rendering only the
// service ports a snapshot changed. Counters are read back from the table once a second into the
// same stats the userspace planes keep (connections from each endpoint chain's counter, bytes
// from the counting chain: whole IP packets, headers included), and open connections from the
// kernel's connection tracking (conntrack.ts); the service map's flows (client -> frontend ->
// endpoint) from two dynamic sets of the table (flows.ts).
//
// The table lives as long as the cluster, not the process: a proxy that starts replaces whatever
// an earlier run left (one transaction, so connections to Services never find no rule), and one
// that stops deletes it. A proxy that crashes leaves its rules serving, as a node does when
// kube-proxy dies; `loopkube down` and the next `loopkube up` remove them.
import type { BalancingMode } from '../../../src/cluster/config.js';
import { nft } from '../../../src/cluster/nftables.js';
import type { Logger } from '../../../src/log.js';
import type { Frontend, RoutingSnapshot } from '../../snapshot.js';
import { endpointCounters, flowCounters, type StatsRegistry } from '../../stats.js';
import type { DataPlane, ServeFailure } from '../types.js';
import { countOpen, readConntrack, type OpenConnections } from './conntrack.js';
import { createFlowReader, parseFlowSet, type FlowGrowth } from './flows.js';
import { FLOW_BYTES_SET, FLOW_CONNECTIONS_SET, baseDefinitions, hex32, markTagOf, renderCluster, renderUnit, type RenderContext, type Unit } from './rules.js';
import { buildTransaction } from './transaction.js';

export interface NftablesPlaneOptions {
  table: string;
  /** Shown in `nft list table`: whose rules these are. */
  comment: string;
  mode: BalancingMode;
  stats: StatsRegistry;
  logger: Logger;
  /** How often counters and open connections are read back (default 1 s). */
  statsIntervalMs?: number;
}

/** A flushed chain is deleted this long after (kube-proxy's one second). */
const STALE_CHAIN_MS = 1000;
const CLUSTER_UNIT = '';
const NO_FAILURES: ReadonlyMap<string, ServeFailure> = new Map();


interface Counter {
  packets: number;
  bytes: number;
}

function parseCounters(json: string): Map<string, Counter> {
  const out = new Map<string, Counter>();
  try {
    const doc = JSON.parse(json) as { nftables?: Array<{ counter?: { name: string; packets: number; bytes: number } }> };
    for (const item of doc.nftables ?? []) if (item.counter) out.set(item.counter.name, { packets: item.counter.packets, bytes: item.counter.bytes });
  } catch {
    // an empty or partial answer: no counters this time
  }
  return out;
}

export function createNftablesPlane(opts: NftablesPlaneOptions): DataPlane {
  const { table, stats, logger } = opts;
  const mode = opts.mode === 'random' ? 'random' : 'round-robin';
  if (opts.mode === 'least-connections') logger.warn({ table }, 'the nftables data plane cannot balance by least connections; balancing round-robin');
  const tag = markTagOf(table);

  const applied = new Map<string, Unit>();
  const unitOfAddress = new Map<string, string>();
  const staleChains = new Map<string, number>();
  let started = false;
  let latest: RoutingSnapshot | null = null;
  let dirty: Set<string> | 'all' = new Set();
  let running: Promise<void> | null = null;
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  let closed = false;
  let open: OpenConnections = { byFrontend: new Map(), byEndpoint: new Map(), byFlow: new Map(), total: 0 };
  const readFlows = createFlowReader();

  const contextFor = (snap: RoutingSnapshot): RenderContext => {
    const index = new Map(snap.nodes.map((n, i) => [n.name, i + 1]));
    return { mode, markOf: (node) => hex32(tag | (index.get(node) ?? 0xffff)) };
  };

  async function run(): Promise<void> {
    const snap = latest;
    if (!snap || closed) return;
    const units = dirty;
    dirty = new Set();
    const ctx = contextFor(snap);
    const byUnit = new Map<string, Frontend[]>();
    for (const fe of snap.frontends.values()) {
      if (units !== 'all' && !units.has(fe.service.key)) continue;
      const list = byUnit.get(fe.service.key);
      if (list) list.push(fe);
      else byUnit.set(fe.service.key, [fe]);
    }
    const keys = units === 'all' ? new Set([...applied.keys(), ...byUnit.keys()]) : units;
    keys.delete(CLUSTER_UNIT);
    const next = new Map<string, Unit | undefined>();
    for (const key of keys) {
      const fes = byUnit.get(key);
      next.set(key, fes ? renderUnit(key, fes, snap.sources, ctx) : undefined);
    }
    if (units === 'all' || !applied.has(CLUSTER_UNIT)) next.set(CLUSTER_UNIT, renderCluster(snap.sources, snap.nodes, ctx));

    const now = performance.now();
    const due = [...staleChains].filter(([, at]) => now - at >= STALE_CHAIN_MS).map(([name]) => name);
    const tx = buildTransaction({ table, changes: [...next].map(([key, after]) => ({ before: applied.get(key), after })), deleteChains: due });
    const fresh = started ? '' : `add table ip ${table}\ndelete table ip ${table}\n${baseDefinitions(table, opts.comment, hex32(tag))}\n`;
    const script = fresh + tx.script;
    if (!script) return;
    const result = await nft(['-f', '-'], script);
    if (!result.ok) {
      failures++;
      // What was asked meanwhile (apply() may have run while nft did) and what failed, again.
      const meanwhile = dirty as Set<string> | 'all';
      dirty = units === 'all' || meanwhile === 'all' ? 'all' : new Set([...meanwhile, ...units]);
      const retryMs = Math.min(1000 * 2 ** Math.min(failures - 1, 5), 30_000);
      logger.error({ table, error: result.error.split('\n').slice(0, 6).join(' | '), retryInMs: retryMs }, 'nftables transaction failed; the rules stay as they were');
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        kick();
      }, retryMs);
      retryTimer.unref();
      return;
    }
    failures = 0;
    started = true;
    for (const [key, unit] of next) {
      const before = applied.get(key);
      for (const f of before?.stats.frontends ?? []) unitOfAddress.delete(`${f.frontend.address}:${f.frontend.port}`);
      if (unit) {
        applied.set(key, unit);
        for (const f of unit.stats.frontends) unitOfAddress.set(`${f.frontend.address}:${f.frontend.port}`, key);
      } else applied.delete(key);
    }
    for (const name of due) staleChains.delete(name);
    for (const name of tx.revived) staleChains.delete(name);
    for (const name of tx.flushedStale) staleChains.set(name, performance.now());
  }

  function kick(): void {
    // While backing off after a failure, changes wait for the retry.
    if (running || closed || retryTimer) return;
    running = run()
      .catch((err: unknown) => logger.error({ err, table }, 'nftables sync failed'))
      .finally(() => {
        running = null;
        if (dirty === 'all' || dirty.size > 0) kick();
      });
  }

  async function readStats(): Promise<void> {
    if (!started || closed) return;
    const [listed, text, flowConns, flowBytes] = await Promise.all([
      nft(['-j', 'list', 'counters', 'table', 'ip', table]),
      readConntrack(),
      nft(['-j', 'list', 'set', 'ip', table, FLOW_CONNECTIONS_SET]),
      nft(['-j', 'list', 'set', 'ip', table, FLOW_BYTES_SET]),
    ]);
    if (!listed.ok || closed) return;
    // By frontend: `frontend ip:port` -> [client, endpoint, growth].
    const grown = new Map<string, Array<[string, string, FlowGrowth]>>();
    if (flowConns.ok && flowBytes.ok) {
      for (const [key, g] of readFlows(parseFlowSet(flowConns.stdout), parseFlowSet(flowBytes.stdout))) {
        const [client, via, endpoint] = key.split('|') as [string, string, string];
        const list = grown.get(via);
        if (list) list.push([client, endpoint, g]);
        else grown.set(via, [[client, endpoint, g]]);
      }
    }
    const counters = parseCounters(listed.stdout);
    open = countOpen(text, new Set(unitOfAddress.keys()));
    const packets = (name: string): number => counters.get(name)?.packets ?? 0;
    const bytes = (name: string): number => counters.get(name)?.bytes ?? 0;
    for (const unit of applied.values()) {
      const first = unit.stats.frontends[0]?.frontend;
      if (!first) continue;
      for (const f of unit.stats.frontends) {
        const s = stats.frontend(f.frontend);
        s.connectionsTotal = packets(f.connections);
        s.refused = packets(f.refused);
        s.bytesIn = bytes(f.bytesIn);
        s.bytesOut = bytes(f.bytesOut);
        const at = `${f.frontend.address}:${f.frontend.port}`;
        s.connectionsActive = open.byFrontend.get(at) ?? 0;
        for (const [client, endpoint, g] of grown.get(at) ?? []) {
          const flow = flowCounters(s, client, endpoint);
          flow.connectionsTotal += g.connections;
          flow.bytes += g.bytes;
        }
        for (const flow of s.flows?.values() ?? []) flow.connectionsActive = open.byFlow.get(`${flow.client}|${at}|${flow.endpoint}`) ?? 0;
      }
      const sp = stats.servicePort(first.service);
      for (const e of unit.stats.endpoints) {
        const s = endpointCounters(sp, e.endpoint.key, e.endpoint.nodeName);
        s.connectionsTotal = packets(e.connections);
        s.bytesIn = bytes(e.bytesIn);
        s.bytesOut = bytes(e.bytesOut);
        let active = 0;
        for (const f of unit.stats.frontends) active += open.byEndpoint.get(`${f.frontend.address}:${f.frontend.port}|${e.endpoint.key}`) ?? 0;
        s.connectionsActive = active;
      }
    }
  }

  let reading = false;
  const statsTimer = setInterval(() => {
    if (reading) return;
    reading = true;
    void readStats()
      .catch((err: unknown) => logger.debug({ err }, 'reading nftables counters failed'))
      .finally(() => (reading = false));
  }, opts.statsIntervalMs ?? 1000);
  statsTimer.unref();

  return {
    name: 'nftables',
    apply(snapshot) {
      latest = snapshot;
      const changed = snapshot.changes.addresses;
      if (changed === null) dirty = 'all';
      else if (dirty !== 'all') {
        for (const at of changed) {
          const was = unitOfAddress.get(at);
          if (was !== undefined) dirty.add(was);
          const fe = snapshot.frontends.get(at);
          if (fe) dirty.add(fe.service.key);
        }
      }
      kick();
      return running ?? undefined;
    },
    servingCount: () => unitOfAddress.size,
    failed: () => NO_FAILURES,
    activeConnections: () => open.total,
    backpressureWaits: () => 0,
    sweep() {},
    async close() {
      closed = true;
      clearInterval(statsTimer);
      clearTimeout(retryTimer);
      await running;
      const r = await nft(['delete', 'table', 'ip', table]);
      if (!r.ok && !/No such file or directory/.test(r.error)) logger.error({ table, error: r.error }, 'cannot remove the nftables table');
    },
  };
}

// The service map's flows on the nftables plane: who connected through which frontend to which
// pod, read back from the table's two flow sets (rules.ts: one counter per element, connections
// in one, bytes both ways in the other) into the same flow counters the userspace planes keep.
// The kernel's elements expire when idle (FLOW_TIMEOUT_S) and start again from zero when the
// flow comes back, so what is added to the stats is each element's growth since the last read.

/** One flow set element: `client|frontend ip:port|endpoint ip:port` -> its counter. */
export type FlowElements = Map<string, { packets: number; bytes: number }>;

interface SetListing {
  nftables?: Array<{ set?: { elem?: Array<{ elem?: { val?: { concat?: Array<string | number> }; counter?: { packets: number; bytes: number } } }> } }>;
}

/** Parses `nft -j list set ip TABLE flow-…`; an empty or partial answer is no element. */
export function parseFlowSet(json: string): FlowElements {
  const out: FlowElements = new Map();
  let doc: SetListing | null;
  try {
    doc = JSON.parse(json) as SetListing | null;
  } catch {
    return out;
  }
  const items = doc?.nftables;
  if (!Array.isArray(items)) return out;
  for (const item of items) {
    const elems = item?.set?.elem;
    if (!Array.isArray(elems)) continue;
    for (const e of elems) {
      const key = e?.elem?.val?.concat;
      const counter = e?.elem?.counter;
      if (!Array.isArray(key) || key.length !== 5 || typeof counter?.packets !== 'number' || typeof counter.bytes !== 'number') continue;
      out.set(`${key[0]}|${key[1]}:${key[2]}|${key[3]}:${key[4]}`, { packets: counter.packets, bytes: counter.bytes });
    }
  }
  return out;
}

/** What a flow grew by since the last reading. */
export interface FlowGrowth {
  connections: number;
  bytes: number;
}

/**
 * Turns successive readings of the two sets into growth per flow. An element smaller than last
 * time expired and came back: all of it is new. Elements gone from the kernel are forgotten.
 */
export function createFlowReader(): (connections: FlowElements, bytes: FlowElements) => Map<string, FlowGrowth> {
  let lastConnections: FlowElements = new Map();
  let lastBytes: FlowElements = new Map();
  const growth = (now: number, before: number | undefined): number => (before === undefined || now < before ? now : now - before);
  return (connections, bytes) => {
    const out = new Map<string, FlowGrowth>();
    const entry = (key: string): FlowGrowth => {
      let g = out.get(key);
      if (!g) out.set(key, (g = { connections: 0, bytes: 0 }));
      return g;
    };
    for (const [key, c] of connections) {
      const n = growth(c.packets, lastConnections.get(key)?.packets);
      if (n > 0) entry(key).connections += n;
    }
    for (const [key, c] of bytes) {
      const n = growth(c.bytes, lastBytes.get(key)?.bytes);
      if (n > 0) entry(key).bytes += n;
    }
    lastConnections = connections;
    lastBytes = bytes;
    return out;
  };
}

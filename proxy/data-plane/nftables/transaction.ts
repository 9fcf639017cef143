// Turns what the table holds (the units applied last) and what it should hold (the units just
// rendered) into one nft transaction (`nft -f -`), applied atomically by the kernel: only what
// differs is touched, so counters and affinity pins of unchanged endpoints live on, and a change
// to one service port costs a few lines. As kube-proxy's nftables proxier does, a chain that is
// no longer wanted is flushed at once and deleted in a later transaction (kernels before 6.2 see
// a map element's reference to a chain go away only a moment after the element does).
import type { Container, Unit } from './rules.js';

export interface TransactionInput {
  table: string;
  /** Units by key, as applied (undefined: not there) and as wanted now (undefined: to remove). */
  changes: ReadonlyArray<{ before: Unit | undefined; after: Unit | undefined }>;
  /** Chains flushed by an earlier transaction that may go now. */
  deleteChains: readonly string[];
}

export interface Transaction {
  /** The nft script; '' when nothing changes. */
  script: string;
  /** Chains this transaction flushed because they are gone (to delete in a later one). */
  flushedStale: string[];
  /** Chains this transaction brings back (no longer stale). */
  revived: string[];
}

const CONTAINER_ORDER: readonly Container[] = ['frontends', 'clusterips', 'refused', 'fe-conns', 'fe-bytes-in', 'fe-bytes-out', 'ep-bytes-in', 'ep-bytes-out', 'snat-nodes', 'cluster-sources'];

export function buildTransaction(input: TransactionInput): Transaction {
  const t = input.table;
  const addCounters: string[] = [];
  const addSets: string[] = [];
  const addChains: string[] = [];
  const delElements = new Map<Container, string[]>();
  const rewrite: string[] = [];
  const addElements = new Map<Container, string[]>();
  const delCounters: string[] = [];
  const delSets: string[] = [];
  const flushedStale: string[] = [];
  const revived: string[] = [];
  const push = (m: Map<Container, string[]>, c: Container, v: string): void => {
    const list = m.get(c);
    if (list) list.push(v);
    else m.set(c, [v]);
  };

  for (const { before, after } of input.changes) {
    for (const name of after?.counters ?? []) if (!before?.counters.has(name)) addCounters.push(`add counter ip ${t} ${name}`);
    for (const name of before?.counters ?? []) if (!after?.counters.has(name)) delCounters.push(`delete counter ip ${t} ${name}`);
    for (const [name, def] of after?.sets ?? []) if (before?.sets.get(name) !== def) addSets.push(`add set ip ${t} ${name} { ${def} }`);
    for (const name of before?.sets.keys() ?? []) if (!after?.sets.has(name)) delSets.push(`delete set ip ${t} ${name}`);

    for (const [name, chain] of after?.chains ?? []) {
      const was = before?.chains.get(name);
      if (was && was.rules.join('\n') === chain.rules.join('\n')) continue;
      if (!was) {
        addChains.push(`add chain ip ${t} ${name} { comment "${chain.comment.replace(/["\\]/g, '')}"; }`);
        revived.push(name);
      }
      rewrite.push(`flush chain ip ${t} ${name}`, ...chain.rules.map((r) => `add rule ip ${t} ${name} ${r}`));
    }
    for (const name of before?.chains.keys() ?? []) {
      if (after?.chains.has(name)) continue;
      rewrite.push(`flush chain ip ${t} ${name}`);
      flushedStale.push(name);
    }

    for (const c of CONTAINER_ORDER) {
      const was = before?.elements.get(c);
      const now = after?.elements.get(c);
      for (const [key, value] of was ?? []) {
        const next = now?.get(key);
        if (next === undefined || next !== value) push(delElements, c, key);
      }
      for (const [key, value] of now ?? []) {
        if (was?.get(key) === value) continue;
        push(addElements, c, value === '' ? key : `${key} : ${value}`);
      }
    }
  }

  const elementLines = (op: 'add' | 'delete', m: Map<Container, string[]>): string[] =>
    CONTAINER_ORDER.filter((c) => m.get(c)?.length).map((c) => `${op} element ip ${t} ${c} { ${m.get(c)!.join(', ')} }`);
  const lines = [
    ...addCounters,
    ...addSets,
    ...addChains,
    ...elementLines('delete', delElements),
    ...rewrite,
    ...elementLines('add', addElements),
    ...delCounters,
    ...delSets,
    ...input.deleteChains.filter((c) => !revived.includes(c)).map((c) => `delete chain ip ${t} ${c}`),
  ];
  return { script: lines.length ? `${lines.join('\n')}\n` : '', flushedStale, revived };
}

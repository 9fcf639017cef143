// Connections open now through the nftables rules, from the kernel's connection tracking table
// (/proc/net/nf_conntrack): an entry whose original destination is one of the cluster's frontends
// and that is not yet closed counts for that frontend and for the endpoint its reply comes from.
import { readFile } from 'node:fs/promises';

export const CONNTRACK_FILE = '/proc/net/nf_conntrack';

/** TCP states of a connection still open (TIME_WAIT and CLOSE are done with). */
const OPEN = new Set(['SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'SYN_SENT2']);

export interface OpenConnections {
  /** Frontend `ip:port` -> open connections. */
  readonly byFrontend: Map<string, number>;
  /** `frontend ip:port|endpoint ip:port` -> open connections. */
  readonly byEndpoint: Map<string, number>;
  /** `client ip|frontend ip:port|endpoint ip:port` -> open connections (the service map's flows). */
  readonly byFlow: Map<string, number>;
  readonly total: number;
}

/**
 * Counts the open TCP connections whose original destination is in `frontends`. Lines look like
 * `ipv4 2 tcp 6 431999 ESTABLISHED src=A dst=VIP sport=S dport=P src=POD dst=A sport=8080 dport=S [ASSURED] ...`.
 */
export function countOpen(text: string, frontends: ReadonlySet<string>): OpenConnections {
  const byFrontend = new Map<string, number>();
  const byEndpoint = new Map<string, number>();
  const byFlow = new Map<string, number>();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('ipv4') || !line.includes(' tcp ')) continue;
    const f = line.split(/\s+/);
    const state = f[5];
    if (!state || !OPEN.has(state)) continue;
    let src = '';
    let dst = '';
    let dport = '';
    let replySrc = '';
    let replySport = '';
    let seenSrc = 0;
    let seenSport = 0;
    for (let i = 6; i < f.length; i++) {
      const kv = f[i]!;
      if (kv.startsWith('src=')) {
        seenSrc++;
        if (seenSrc === 1) src = kv.slice(4);
      }
      else if (kv.startsWith('sport=')) {
        seenSport++;
        if (seenSport === 2) replySport = kv.slice(6);
      } else if (kv.startsWith('dst=') && seenSrc === 1) dst = kv.slice(4);
      else if (kv.startsWith('dport=') && seenSport === 1) dport = kv.slice(6);
      if (kv.startsWith('src=') && seenSrc === 2) replySrc = kv.slice(4);
    }
    const fe = `${dst}:${dport}`;
    if (!frontends.has(fe)) continue;
    total++;
    byFrontend.set(fe, (byFrontend.get(fe) ?? 0) + 1);
    const key = `${fe}|${replySrc}:${replySport}`;
    byEndpoint.set(key, (byEndpoint.get(key) ?? 0) + 1);
    const flow = `${src}|${key}`;
    byFlow.set(flow, (byFlow.get(flow) ?? 0) + 1);
  }
  return { byFrontend, byEndpoint, byFlow, total };
}

/** The conntrack table's text, or '' where the kernel does not expose it. */
export async function readConntrack(file = CONNTRACK_FILE): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return '';
  }
}

// Endpoints as `kubectl get endpoints` shows them: NAME ENDPOINTS AGE, ENDPOINTS listing at
// most three `ip:port` pairs, then `+ N more...` (formatEndpoints upstream).
import type { Endpoints, KubeObject } from '../../api/types.js';
import { fieldDescription } from '../../apiserver/schema/registry.js';
import { ageColumn, asArray, asNumber, asString, isRecord, nameColumn, since } from '../../apiserver/printers/format.js';
import { column, type KindPrinter, type PrintedRow } from '../../apiserver/printers/table.js';

const MAX = 3;

/** `ip` joined with `port` as Go's net.JoinHostPort does (IPv6 addresses in brackets). */
function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

export function formatEndpoints(ep: Endpoints): string {
  const subsets = asArray(ep.subsets).filter(isRecord);
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = asArray(ss.addresses).filter(isRecord).map((a) => asString(a.ip));
    const ports = asArray(ss.ports).filter(isRecord);
    if (ports.length === 0) {
      // Headless services may have no ports.
      count += addresses.length;
      for (const ip of addresses) {
        if (list.length === MAX) {
          more = true;
          break;
        }
        list.push(ip);
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const ip of addresses) {
        if (list.length === MAX) {
          more = true;
          break;
        }
        list.push(joinHostPort(ip, asNumber(port.port)));
      }
    }
  }
  const joined = list.join(',');
  return more ? `${joined} + ${count - MAX} more...` : joined;
}

export function printEndpoints(obj: KubeObject, now: Date): PrintedRow {
  const ep = obj as Endpoints;
  return { cells: [ep.metadata?.name ?? '', formatEndpoints(ep), since(ep.metadata?.creationTimestamp, now)] };
}

export const endpointsPrinter: KindPrinter = {
  columns: [nameColumn(), column('Endpoints', 'string', fieldDescription('io.k8s.api.core.v1.Endpoints', 'subsets')), ageColumn()],
  print: printEndpoints,
};

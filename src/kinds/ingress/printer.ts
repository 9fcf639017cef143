// Ingresses as `kubectl get ingress` shows them: NAME CLASS HOSTS ADDRESS PORTS AGE (kubectl
// 1.32's printIngress: at most three hosts then `+ N more...`, `*` for none; the load balancer's
// addresses sorted; `80, 443` once there is a TLS entry).
import type { Ingress } from '../../api/networking.js';
import type { KubeObject } from '../../api/types.js';
import { ageColumn, asArray, asString, isRecord, nameColumn, since } from '../../apiserver/printers/format.js';
import { column, type KindPrinter, type PrintedRow } from '../../apiserver/printers/table.js';

const MAX_HOSTS = 3;

function formatHosts(ing: Ingress): string {
  const rules = asArray(ing.spec?.rules);
  const list: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (list.length === MAX_HOSTS) more = true;
    const host = isRecord(rule) ? asString(rule.host) : '';
    if (!more && host) list.push(host);
  }
  if (list.length === 0) return '*';
  return more ? `${list.join(',')} + ${rules.length - MAX_HOSTS} more...` : list.join(',');
}

function addresses(ing: Ingress): string {
  const set = new Set<string>();
  for (const lb of asArray(ing.status?.loadBalancer?.ingress)) {
    if (!isRecord(lb)) continue;
    if (asString(lb.ip)) set.add(asString(lb.ip));
    else if (asString(lb.hostname)) set.add(asString(lb.hostname));
  }
  return [...set].sort().join(',');
}

export function printIngress(obj: KubeObject, now: Date): PrintedRow {
  const ing = obj as Ingress;
  const className = typeof ing.spec?.ingressClassName === 'string' ? ing.spec.ingressClassName : '<none>';
  const ports = asArray(ing.spec?.tls).length > 0 ? '80, 443' : '80';
  return { cells: [ing.metadata.name ?? '', className, formatHosts(ing), addresses(ing), ports, since(ing.metadata.creationTimestamp, now)] };
}

export const ingressPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    column('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    column('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    column('Ports', 'string', 'Ports of TLS configurations that open'),
    ageColumn(),
  ],
  print: printIngress,
};

// Services as `kubectl get services` shows them: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE
// (+ SELECTOR). EXTERNAL-IP is `<pending>` for a LoadBalancer until its controller writes an
// ingress address; PORT(S) reads `80/TCP`, or `80:30080/TCP` with a node port.
import type { KubeObject, Service } from '../../api/types.js';
import { fieldDescription } from '../../apiserver/schema/registry.js';
import { ageColumn, asArray, asNumber, asString, formatLabels, isRecord, nameColumn, since } from '../../apiserver/printers/format.js';
import { column, type KindPrinter, type PrintedRow } from '../../apiserver/printers/table.js';

const SERVICE_SPEC = 'io.k8s.api.core.v1.ServiceSpec';

/** loadBalancerStatusStringer (wide: the server always prints wide, so nothing is clipped). */
function loadBalancerAddresses(svc: Service): string {
  const set = new Set<string>();
  for (const ingress of asArray(svc.status?.loadBalancer?.ingress)) {
    if (!isRecord(ingress)) continue;
    if (asString(ingress.ip)) set.add(asString(ingress.ip));
    else if (asString(ingress.hostname)) set.add(asString(ingress.hostname));
  }
  return [...set].sort().join(',');
}

function externalIP(svc: Service): string {
  const externalIPs = asArray(svc.spec?.externalIPs).map(asString);
  switch (svc.spec?.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(svc);
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return asString(svc.spec?.externalName);
    default:
      return '<unknown>';
  }
}

function ports(svc: Service): string {
  const pieces = asArray(svc.spec?.ports)
    .filter(isRecord)
    .map((p) => {
      const protocol = asString(p.protocol) || 'TCP';
      const nodePort = asNumber(p.nodePort);
      return nodePort > 0 ? `${asNumber(p.port)}:${nodePort}/${protocol}` : `${asNumber(p.port)}/${protocol}`;
    });
  return pieces.length > 0 ? pieces.join(',') : '<none>';
}

export function printService(obj: KubeObject, now: Date): PrintedRow {
  const svc = obj as Service;
  const clusterIPs = asArray(svc.spec?.clusterIPs).map(asString);
  const clusterIP = asString(svc.spec?.clusterIP) || clusterIPs[0] || '<none>';
  return {
    cells: [
      svc.metadata?.name ?? '',
      svc.spec?.type ?? 'ClusterIP',
      clusterIP,
      externalIP(svc),
      ports(svc),
      since(svc.metadata?.creationTimestamp, now),
      formatLabels(svc.spec?.selector),
    ],
  };
}

export const servicePrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Type', 'string', fieldDescription(SERVICE_SPEC, 'type')),
    column('Cluster-IP', 'string', fieldDescription(SERVICE_SPEC, 'clusterIP')),
    column('External-IP', 'string', fieldDescription(SERVICE_SPEC, 'externalIPs')),
    column('Port(s)', 'string', fieldDescription(SERVICE_SPEC, 'ports')),
    ageColumn(),
    column('Selector', 'string', fieldDescription(SERVICE_SPEC, 'selector'), 1),
  ],
  print: printService,
};

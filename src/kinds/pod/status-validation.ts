// A pod status update (upstream's ValidatePodStatusUpdate): condition types, IPs, and containers
// that may not come back from terminated when the pod does not restart them.
import type { ContainerStatus, Pod, PodStatus } from '../../api/types.js';
import type { FieldError } from '../../admission/field-errors.js';
import { duplicate, forbidden, invalid } from '../../admission/field-errors.js';
import { child, index } from '../../admission/field-path.js';
import { GoSyntax, goQuote } from '../../admission/go-syntax.js';
import { ipFamilyOf, isValidIP } from '../../admission/ip.js';
import { validateLabelName } from '../../admission/labels.js';
import { nameIsDNSSubdomain } from '../../admission/names.js';

const SYSTEM_CONDITIONS = new Set(['PodScheduled', 'Ready', 'Initialized']);

/** v1 has both podIP and podIPs (and hostIP/hostIPs); the first of the list is the single one. */
export function syncPodIPs(status: PodStatus | undefined): void {
  if (!status) return;
  if (status.podIP && !(status.podIPs ?? []).length) status.podIPs = [{ ip: status.podIP }];
  if ((status.podIPs ?? []).length) status.podIP = status.podIPs![0]!.ip;
  if (status.hostIP && !(status.hostIPs ?? []).length) status.hostIPs = [{ ip: status.hostIP }];
}

function goPodIPs(ips: Array<{ ip: string }>, type: string): GoSyntax {
  return new GoSyntax(`[]core.${type}{${ips.map((p) => `core.${type}{IP:${goQuote(p.ip)}}`).join(', ')}}`);
}

function validateIPList(ips: Array<{ ip: string }> | undefined, field: string, type: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = ips ?? [];
  list.forEach((p, i) => errs.push(...isValidIP(index(field, i), p.ip)));
  if (list.length > 1) {
    const families = new Set(list.map((p) => ipFamilyOf(p.ip)));
    if (families.size !== list.length || list.length > 2) {
      errs.push(invalid(field, goPodIPs(list, type), 'may specify no more than one IP for each IP family'));
    }
    const seen = new Set<string>();
    list.forEach((p, i) => {
      if (seen.has(p.ip)) errs.push(duplicate(index(field, i), new GoSyntax(`core.${type}{IP:${goQuote(p.ip)}}`)));
      seen.add(p.ip);
    });
  }
  return errs;
}

function validateStateTransitions(next: ContainerStatus[] | undefined, old: ContainerStatus[] | undefined, restartPolicy: string, field: string): FieldError[] {
  if (restartPolicy === 'Always') return [];
  const errs: FieldError[] = [];
  (old ?? []).forEach((o, i) => {
    const terminated = o.state?.terminated;
    if (!terminated) return;
    if (terminated.exitCode !== 0 && restartPolicy === 'OnFailure') return;
    for (const n of next ?? []) {
      if (n.name === o.name && !n.state?.terminated) errs.push(forbidden(child(index(field, i), 'state'), 'may not be transitioned to non-terminated state'));
    }
  });
  return errs;
}

export function validatePodStatusUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs: FieldError[] = [];
  const status = pod.status ?? {};
  (status.conditions ?? []).forEach((c, i) => {
    // Upstream builds this path from `metadata` (so `metadata.conditions[0].Type`).
    if (!SYSTEM_CONDITIONS.has(c.type)) errs.push(...validateLabelName(c.type ?? '', child(index('metadata.conditions', i), 'Type')));
  });
  if (status.nominatedNodeName && status.nominatedNodeName !== old.status?.nominatedNodeName) {
    errs.push(...nameIsDNSSubdomain(status.nominatedNodeName, false).map((m) => invalid('status.nominatedNodeName', status.nominatedNodeName, m)));
  }
  errs.push(...validateStateTransitions(status.containerStatuses, old.status?.containerStatuses, old.spec?.restartPolicy ?? 'Always', 'status.containerStatuses'));
  errs.push(...validateIPList(status.podIPs, 'status.podIPs', 'PodIP'));
  const hostIPs = status.hostIPs ?? [];
  if (hostIPs.length > 0) {
    if (status.hostIP !== hostIPs[0]!.ip) errs.push(invalid('status.hostIPs[0].ip', hostIPs[0]!.ip, 'must be equal to `hostIP`'));
    errs.push(...validateIPList(hostIPs, 'status.hostIPs', 'HostIP'));
  }
  return errs;
}

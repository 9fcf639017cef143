// Nodes: allocatable defaults to capacity, quantities canonical; validation of name, taints,
// pod CIDRs and resources (core validation's ValidateNode / ValidateNodeUpdate).
import type { KubeObject, Node, NodeSpec } from '../../api/types.js';
import type { FieldError } from '../../admission/field-errors.js';
import { duplicate, forbidden, invalid, invalidObject } from '../../admission/field-errors.js';
import { child, index } from '../../admission/field-path.js';
import { GoSyntax, goQuote, goStringSlice } from '../../admission/go-syntax.js';
import { isValidCIDR, parseIPv4Cidr } from '../../admission/ip.js';
import { nameIsDNSSubdomain } from '../../admission/names.js';
import { carrySystemMeta, validateObjectMeta, validateObjectMetaUpdate } from '../../admission/object-meta.js';
import type { AdmissionRequest } from '../kind.js';
import { canonicalResourceList } from '../../admission/resource-lists.js';
import { validateResourceQuantityValue } from '../../admission/resources.js';
import { validateNodeTaints } from '../../admission/tolerations.js';

function defaultNode(node: Node): void {
  if (node.status) {
    const capacity = canonicalResourceList(node.status.capacity, 'Node');
    const allocatable = canonicalResourceList(node.status.allocatable, 'Node');
    if (capacity !== undefined) node.status.capacity = capacity;
    if (allocatable !== undefined) node.status.allocatable = allocatable;
    if (!node.status.allocatable && node.status.capacity) node.status.allocatable = { ...node.status.capacity };
  }
  // v1 carries podCIDR and podCIDRs; the first of the list is the single one.
  const spec = node.spec;
  if (spec) {
    if (spec.podCIDR && !(spec.podCIDRs ?? []).length) spec.podCIDRs = [spec.podCIDR];
    if ((spec.podCIDRs ?? []).length) spec.podCIDR = spec.podCIDRs![0];
  }
}

function validateNodeResources(node: Node): FieldError[] {
  const errs: FieldError[] = [];
  for (const part of ['capacity', 'allocatable'] as const) {
    for (const [name, value] of Object.entries(node.status?.[part] ?? {}).sort()) {
      errs.push(...validateResourceQuantityValue(name, value, child('status', part, name)));
    }
  }
  return errs;
}

function validatePodCIDRs(spec: NodeSpec | undefined): FieldError[] {
  const cidrs = spec?.podCIDRs ?? [];
  const errs: FieldError[] = [];
  cidrs.forEach((c, i) => errs.push(...isValidCIDR(index('spec.podCIDRs', i), c)));
  if (cidrs.length > 1) {
    const v4 = cidrs.filter((c) => parseIPv4Cidr(c)).length;
    if (cidrs.length > 2 || v4 !== 1) errs.push(invalid('spec.podCIDRs', goStringSlice(cidrs), 'may specify no more than one CIDR for each IP family'));
    const seen = new Set<string>();
    cidrs.forEach((c, i) => {
      if (seen.has(c)) errs.push(duplicate(index('spec.podCIDRs', i), c));
      seen.add(c);
    });
  }
  return errs;
}

function validateNode(node: Node): FieldError[] {
  return [
    ...validateObjectMeta(node.metadata, false, nameIsDNSSubdomain),
    // Upstream builds the taints' path from `metadata`.
    ...validateNodeTaints(node.spec?.taints, 'metadata.taints'),
    ...validateNodeResources(node),
    ...validatePodCIDRs(node.spec),
  ];
}

const POD_CIDR_CHANGE = 'node updates may not change podCIDR except from "" to valid';

function validateNodeUpdate(node: Node, old: Node): FieldError[] {
  const errs = validateObjectMetaUpdate(node.metadata, old.metadata);
  errs.push(...validateNodeResources(node));
  const seen = new Set<string>();
  (node.status?.addresses ?? []).forEach((a, i) => {
    const k = `${a.type}/${a.address}`;
    if (seen.has(k)) errs.push(duplicate(index('status.addresses', i), new GoSyntax(`core.NodeAddress{Type:${goQuote(a.type)}, Address:${goQuote(a.address)}}`)));
    seen.add(k);
  });
  const oldCIDRs = old.spec?.podCIDRs ?? [];
  const cidrs = node.spec?.podCIDRs ?? [];
  if (oldCIDRs.length > 0) {
    if (oldCIDRs.length !== cidrs.length) errs.push(forbidden('spec.podCIDRs', POD_CIDR_CHANGE));
    else oldCIDRs.forEach((c, i) => c !== cidrs[i] && errs.push(forbidden('spec.podCIDRs', POD_CIDR_CHANGE)));
  }
  if (old.spec?.providerID && old.spec.providerID !== node.spec?.providerID) {
    errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  errs.push(...validateNodeTaints(node.spec?.taints, 'metadata.taints'));
  return errs;
}

function fail(node: KubeObject, errs: FieldError[]): void {
  if (errs.length) throw invalidObject('Node', '', node.metadata.name ?? '', errs);
}

export function admitNode(req: AdmissionRequest): KubeObject {
  const node = structuredClone(req.object) as Node;
  const old = req.oldObject as Node | undefined;
  defaultNode(node);
  if (req.operation === 'CREATE') {
    fail(node, validateNode(node));
    return node;
  }
  if (!old) throw new Error('UPDATE without oldObject');
  carrySystemMeta(node.metadata, old.metadata);
  if (req.subresource === 'status') {
    node.spec = structuredClone(old.spec);
    fail(node, validateNodeUpdate(node, old));
    return node;
  }
  node.status = structuredClone(old.status);
  fail(node, [...validateNode(node), ...validateNodeUpdate(node, old)]);
  return node;
}

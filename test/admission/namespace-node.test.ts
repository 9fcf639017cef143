// Namespaces and Nodes: defaults and each validation rule.
import { describe, expect, it } from 'vitest';
import type { KubeObject, Namespace, Node } from '../../src/api/types.js';
import { QUANTITY_FORMAT_ERROR } from '../../src/api/quantity.js';
import { LABEL_KEY_NAME, RFC1123_LABEL, RFC1123_SUBDOMAIN, cluster, expectRefused, namespace, node } from './helpers.js';
import type { Expected } from './helpers.js';

interface Row extends Expected {
  rule: string;
  object: KubeObject;
}

describe('namespaces', () => {
  it('get the kubernetes finalizer, phase Active and the metadata.name label', async () => {
    const ns = (await cluster().create(namespace())) as Namespace;
    expect(ns.spec).toEqual({ finalizers: ['kubernetes'] });
    expect(ns.status).toEqual({ phase: 'Active' });
    expect(ns.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'team-a' });
  });

  const rows: Row[] = [
    {
      rule: 'namespace names are RFC 1123 labels',
      object: namespace((o) => (o.metadata.name = 'team.a')),
      message: 'Namespace "team.a" is invalid: metadata.name: Invalid value: "team.a": must not contain dots',
      fields: ['metadata.name'],
    },
    {
      rule: 'namespace names are lower case',
      object: namespace((o) => (o.metadata.name = 'Team-A')),
      message: `Namespace "Team-A" is invalid: metadata.name: Invalid value: "Team-A": ${RFC1123_LABEL}`,
      fields: ['metadata.name'],
    },
    {
      rule: 'a namespace is not namespaced',
      object: namespace((o) => (o.metadata.namespace = 'default')),
      message: 'Namespace "team-a" is invalid: metadata.namespace: Forbidden: not allowed on this type',
      fields: ['metadata.namespace'],
    },
    {
      rule: 'spec finalizers are standard or fully qualified',
      object: namespace((o) => (o.spec = { finalizers: ['cleanup'] })),
      message: 'Namespace "team-a" is invalid: spec.finalizers: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified',
      fields: ['spec.finalizers'],
    },
  ];
  for (const row of rows) {
    it(row.rule, async () => {
      await expectRefused(cluster().create(row.object), row);
    });
  }

  it('status: phase Active only without a deletionTimestamp', async () => {
    const c = cluster();
    const stored = await c.create(namespace());
    const next = structuredClone(stored) as Namespace;
    next.status = { phase: 'Terminating' };
    await expectRefused(c.update(next, stored, 'status'), {
      message: 'Namespace "team-a" is invalid: status.Phase: Invalid value: "Terminating": may only be \'Active\' if `deletionTimestamp` is empty',
      fields: ['status.Phase'],
    });
  });
});

describe('nodes', () => {
  it('allocatable defaults to capacity; quantities are canonical; podCIDRs follow podCIDR', async () => {
    const n = (await cluster().create(node((o) => (o.status.capacity.memory = '8192Mi')))) as Node;
    expect(n.status?.capacity).toEqual({ cpu: '4', memory: '8Gi', pods: '110' });
    expect(n.status?.allocatable).toEqual(n.status?.capacity);
    expect(n.spec?.podCIDRs).toEqual(['127.244.1.0/24']);
  });

  const rows: Row[] = [
    {
      rule: 'node names are DNS subdomains',
      object: node((o) => (o.metadata.name = 'Node_1')),
      message: `Node "Node_1" is invalid: metadata.name: Invalid value: "Node_1": ${RFC1123_SUBDOMAIN}`,
      fields: ['metadata.name'],
    },
    {
      rule: 'podCIDR is a CIDR',
      object: node((o) => (o.spec.podCIDR = '127.244.1.0')),
      message: 'Node "node-1" is invalid: spec.podCIDRs[0]: Invalid value: "127.244.1.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      fields: ['spec.podCIDRs[0]'],
    },
    {
      rule: 'one pod CIDR per family',
      object: node((o) => (o.spec.podCIDRs = ['127.244.1.0/24', '127.244.2.0/24'])),
      message: 'Node "node-1" is invalid: spec.podCIDRs: Invalid value: []string{"127.244.1.0/24", "127.244.2.0/24"}: may specify no more than one CIDR for each IP family',
      fields: ['spec.podCIDRs'],
    },
    {
      rule: 'capacity is not negative',
      object: node((o) => (o.status.capacity.cpu = '-1')),
      message: 'Node "node-1" is invalid: [status.capacity.cpu: Invalid value: "-1": must be greater than or equal to 0, status.allocatable.cpu: Invalid value: "-1": must be greater than or equal to 0]',
      fields: ['status.capacity.cpu', 'status.allocatable.cpu'],
    },
    {
      rule: 'a pod count is a whole number',
      object: node((o) => (o.status.capacity.pods = '1500m')),
      message: 'Node "node-1" is invalid: [status.capacity.pods: Invalid value: 1500m: must be an integer, status.allocatable.pods: Invalid value: 1500m: must be an integer]',
      fields: ['status.capacity.pods', 'status.allocatable.pods'],
    },
    {
      rule: 'a malformed capacity cannot be decoded (400)',
      object: node((o) => (o.status.capacity.memory = '8 GB')),
      code: 400,
      reason: 'BadRequest',
      message: `Node in version "v1" cannot be handled as a Node: ${QUANTITY_FORMAT_ERROR}`,
    },
    {
      rule: 'taint effects are taint effects',
      object: node((o) => (o.spec.taints = [{ key: 'dedicated', value: 'db', effect: 'NoRun' }])),
      message: 'Node "node-1" is invalid: metadata.taints[0].effect: Unsupported value: "NoRun": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
      fields: ['metadata.taints[0].effect'],
    },
    {
      rule: 'taint keys are label names',
      object: node((o) => (o.spec.taints = [{ key: 'dedicated!', effect: 'NoSchedule' }])),
      message: `Node "node-1" is invalid: metadata.taints[0].key: Invalid value: "dedicated!": ${LABEL_KEY_NAME}`,
      fields: ['metadata.taints[0].key'],
    },
    {
      rule: 'taints are unique by key and effect',
      object: node((o) => (o.spec.taints = [{ key: 'a', effect: 'NoSchedule' }, { key: 'a', value: 'x', effect: 'NoSchedule' }])),
      message: 'Node "node-1" is invalid: metadata.taints[1]: Duplicate value: core.Taint{Key:"a", Value:"x", Effect:"NoSchedule", TimeAdded:<nil>}: taints must be unique by key and effect pair',
      fields: ['metadata.taints[1]'],
    },
  ];
  for (const row of rows) {
    it(row.rule, async () => {
      await expectRefused(cluster().create(row.object), row);
    });
  }

  it('the pod CIDR may not change once set', async () => {
    const c = cluster();
    const stored = await c.create(node());
    const next = structuredClone(stored) as Node;
    next.spec = { podCIDR: '127.244.9.0/24', podCIDRs: ['127.244.9.0/24'] };
    await expectRefused(c.update(next, stored), {
      message: 'Node "node-1" is invalid: spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
      fields: ['spec.podCIDRs'],
    });
  });

  it('status: node addresses are unique', async () => {
    const c = cluster();
    const stored = await c.create(node());
    const next = structuredClone(stored) as Node;
    next.status = { ...next.status, addresses: [{ type: 'InternalIP', address: '127.10.0.1' }, { type: 'InternalIP', address: '127.10.0.1' }] };
    await expectRefused(c.update(next, stored, 'status'), {
      message: 'Node "node-1" is invalid: status.addresses[1]: Duplicate value: core.NodeAddress{Type:"InternalIP", Address:"127.10.0.1"}',
      fields: ['status.addresses[1]'],
    });
  });

  it('a heartbeat (status update) keeps the spec; a spec update keeps the status', async () => {
    const c = cluster();
    const stored = (await c.create(node())) as Node;
    const hb = structuredClone(stored);
    hb.spec = { unschedulable: true };
    hb.status = { ...hb.status, conditions: [{ type: 'Ready', status: 'True' }] };
    const afterHb = (await c.update(hb, stored, 'status')) as Node;
    expect(afterHb.spec).toEqual(stored.spec);
    expect(afterHb.status?.conditions).toEqual([{ type: 'Ready', status: 'True' }]);
    const cordon = structuredClone(afterHb);
    cordon.spec = { ...cordon.spec, unschedulable: true };
    cordon.status = {};
    const afterCordon = (await c.update(cordon, afterHb)) as Node;
    expect(afterCordon.spec?.unschedulable).toBe(true);
    expect(afterCordon.status).toEqual(afterHb.status);
  });
});

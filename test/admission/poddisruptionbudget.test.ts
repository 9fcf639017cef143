// policy/v1 PodDisruptionBudget validation in upstream's words, one row per rule.
import { describe, it, expect } from 'vitest';
import type { KubeObject } from '../../src/api/types.js';
import { cluster, expectRefused, LABEL_VALUE } from './helpers.js';

const PERCENT =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

const pdb = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: 'web' },
  spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
});

const REFUSED: Array<{ rule: string; spec: Record<string, unknown>; message: string; fields: string[] }> = [
  {
    rule: 'minAvailable and maxUnavailable are exclusive',
    spec: { minAvailable: 1, maxUnavailable: 1 },
    message: 'PodDisruptionBudget.policy "web" is invalid: spec: Invalid value: policy.PodDisruptionBudgetSpec{MinAvailable:1, MaxUnavailable:1}: minAvailable and maxUnavailable cannot be both set',
    fields: ['spec'],
  },
  { rule: 'minAvailable is not negative', spec: { minAvailable: -1 }, message: 'PodDisruptionBudget.policy "web" is invalid: spec.minAvailable: Invalid value: -1: must be greater than or equal to 0', fields: ['spec.minAvailable'] },
  { rule: 'a percentage is digits and %', spec: { maxUnavailable: '10x' }, message: `PodDisruptionBudget.policy "web" is invalid: spec.maxUnavailable: Invalid value: 10x: ${PERCENT}`, fields: ['spec.maxUnavailable'] },
  { rule: 'a percentage is at most 100%', spec: { minAvailable: '101%' }, message: 'PodDisruptionBudget.policy "web" is invalid: spec.minAvailable: Invalid value: 101%: must not be greater than 100%', fields: ['spec.minAvailable'] },
  {
    rule: 'In needs values',
    spec: { selector: { matchExpressions: [{ key: 'app', operator: 'In' }] } },
    message: "PodDisruptionBudget.policy \"web\" is invalid: spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    fields: ['spec.selector.matchExpressions[0].values'],
  },
  {
    rule: 'Exists takes no values',
    spec: { selector: { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['x'] }] } },
    message: "PodDisruptionBudget.policy \"web\" is invalid: spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    fields: ['spec.selector.matchExpressions[0].values'],
  },
  {
    rule: 'an operator is one of the four',
    spec: { selector: { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['x'] }] } },
    message: 'PodDisruptionBudget.policy "web" is invalid: spec.selector.matchExpressions[0].operator: Invalid value: Equals: not a valid selector operator',
    fields: ['spec.selector.matchExpressions[0].operator'],
  },
  {
    rule: 'selector values are label values',
    spec: { selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['a b'] }] } },
    message: `PodDisruptionBudget.policy "web" is invalid: spec.selector.matchExpressions[0].values[0]: Invalid value: "a b": ${LABEL_VALUE}`,
    fields: ['spec.selector.matchExpressions[0].values[0]'],
  },
  {
    rule: 'unhealthyPodEvictionPolicy is a known one',
    spec: { minAvailable: 1, unhealthyPodEvictionPolicy: 'Never' },
    message: 'PodDisruptionBudget.policy "web" is invalid: spec.unhealthyPodEvictionPolicy: Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"',
    fields: ['spec.unhealthyPodEvictionPolicy'],
  },
];

describe('PodDisruptionBudget validation', () => {
  for (const row of REFUSED) {
    it(row.rule, async () => {
      await expectRefused(cluster().create(pdb(row.spec)), { message: row.message, fields: row.fields });
    });
  }

  it('a new budget starts with an empty status, whatever the client sent', async () => {
    const created = await cluster().create({ ...pdb({ minAvailable: '50%' }), status: { disruptionsAllowed: 9, currentHealthy: 9, desiredHealthy: 0, expectedPods: 9 } });
    expect(created.status).toEqual({ disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
  });
});

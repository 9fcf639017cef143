// autoscaling/v2 HorizontalPodAutoscaler defaulting and validation in upstream's words, one row per rule.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/types.js';
import { cluster, expectRefused } from './helpers.js';

const hpa = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web' },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5, ...spec },
});
const cpu = (target: Record<string, unknown>): Record<string, unknown> => ({ metrics: [{ type: 'Resource', resource: { name: 'cpu', target } }] });
const P = 'HorizontalPodAutoscaler.autoscaling "web" is invalid: ';

const REFUSED: Array<{ rule: string; spec: Record<string, unknown>; message: string }> = [
  { rule: 'the target names a kind', spec: { scaleTargetRef: { name: 'web' } }, message: `${P}spec.scaleTargetRef.kind: Required value` },
  { rule: 'the target names an object', spec: { scaleTargetRef: { kind: 'Deployment' } }, message: `${P}spec.scaleTargetRef.name: Required value` },
  { rule: 'minReplicas is at least 1', spec: { minReplicas: 0 }, message: `${P}spec.minReplicas: Invalid value: 0: must be greater than or equal to 1` },
  { rule: 'maxReplicas is positive', spec: { maxReplicas: 0 }, message: `${P}spec.maxReplicas: Invalid value: 0: must be greater than 0` },
  { rule: 'maxReplicas is not below minReplicas', spec: { minReplicas: 6 }, message: `${P}spec.maxReplicas: Invalid value: 5: must be greater than or equal to \`minReplicas\`` },
  { rule: 'a utilization is positive', spec: cpu({ type: 'Utilization', averageUtilization: 0 }), message: `${P}spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0` },
  { rule: 'a target type is one of three', spec: cpu({ type: 'Percent' }), message: `${P}spec.metrics[0].resource.target.type: Invalid value: "Percent": must be either Utilization, Value, or AverageValue` },
  { rule: 'a metric has a source type', spec: { metrics: [{}] }, message: `${P}spec.metrics[0].type: Required value: must specify a metric source type` },
  {
    rule: 'the stabilization window is at most an hour',
    spec: { behavior: { scaleDown: { stabilizationWindowSeconds: 3601 } } },
    message: `${P}spec.behavior.scaleDown.stabilizationWindowSeconds: Invalid value: 3601: must be less than or equal to 3600`,
  },
  {
    rule: 'a policy period is at most 30 minutes',
    spec: { behavior: { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 1801 }] } } },
    message: `${P}spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 1801: must be less than or equal to 1800`,
  },
  {
    rule: 'a policy value is positive',
    spec: { behavior: { scaleUp: { policies: [{ type: 'Percent', value: 0, periodSeconds: 15 }] } } },
    message: `${P}spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero`,
  },
  {
    rule: 'selectPolicy is Max, Min or Disabled',
    spec: { behavior: { scaleDown: { selectPolicy: 'Fastest' } } },
    message: `${P}spec.behavior.scaleDown.selectPolicy: Unsupported value: "Fastest": supported values: "Disabled", "Max", "Min"`,
  },
];

describe('HorizontalPodAutoscaler validation', () => {
  for (const row of REFUSED) {
    it(row.rule, async () => {
      await expectRefused(cluster().create(hpa(row.spec)), { message: row.message });
    });
  }

  it('defaults minReplicas to 1 and the metric to 80% cpu', async () => {
    const created = (await cluster().create(hpa({}))) as KubeObject & { spec: Record<string, unknown> };
    expect(created.spec.minReplicas).toBe(1);
    expect(created.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    expect(created.spec.behavior).toBeUndefined();
  });

  it('fills in the rules a given behavior leaves out, as upstream', async () => {
    const created = (await cluster().create(hpa({ behavior: { scaleDown: { stabilizationWindowSeconds: 5 } } }))) as KubeObject & { spec: { behavior: unknown } };
    expect(created.spec.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
      scaleDown: { stabilizationWindowSeconds: 5, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
    });
  });
});

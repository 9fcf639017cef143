// apps/v1 Deployment and ReplicaSet defaulting and validation in upstream's words, one row per rule.
import { describe, expect, it } from 'vitest';
import type { Deployment, ReplicaSet } from '../../src/api/apps.js';
import type { KubeObject } from '../../src/api/types.js';
import { cluster, expectRefused } from './helpers.js';

const PERCENT =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

const template = (labels: Record<string, string> = { app: 'web' }, spec: Record<string, unknown> = {}) => ({
  metadata: { labels },
  spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
});

function deployment(spec: Record<string, unknown> = {}, kind = 'Deployment'): KubeObject {
  return { apiVersion: 'apps/v1', kind, metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: template(), ...spec } };
}

describe('Deployment defaulting', () => {
  it('one replica, RollingUpdate 25%/25%, 10 revisions, 600 s deadline, the template defaulted', async () => {
    const d = (await cluster().create(deployment())) as Deployment;
    expect(d.spec).toMatchObject({
      replicas: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    });
    expect(d.spec.template.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30, schedulerName: 'default-scheduler' });
    expect(d.status).toEqual({});
  });

  it('Recreate gets no rollingUpdate defaults', async () => {
    const d = (await cluster().create(deployment({ strategy: { type: 'Recreate' } }))) as Deployment;
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
  });
});

const REFUSED: Array<{ rule: string; spec: Record<string, unknown>; message: string; fields: string[]; kind?: string }> = [
  { rule: 'a selector is required', spec: { selector: undefined }, message: 'Deployment.apps "web" is invalid: spec.selector: Required value', fields: ['spec.selector'] },
  {
    rule: 'an empty selector selects everything, which is refused',
    spec: { selector: {} },
    message:
      'Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
    fields: ['spec.selector'],
  },
  {
    rule: 'the selector matches the template labels',
    spec: { template: template({ app: 'other' }) },
    message: 'Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
    fields: ['spec.template.metadata.labels'],
  },
  {
    rule: 'a deployment template restarts Always',
    spec: { template: template({ app: 'web' }, { restartPolicy: 'Never' }) },
    message: 'Deployment.apps "web" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    fields: ['spec.template.spec.restartPolicy'],
  },
  { rule: 'replicas are not negative', spec: { replicas: -1 }, message: 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0', fields: ['spec.replicas'] },
  {
    rule: 'maxSurge and maxUnavailable may not both be 0',
    spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } },
    message: 'Deployment.apps "web" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0',
    fields: ['spec.strategy.rollingUpdate.maxUnavailable'],
  },
  {
    rule: 'maxUnavailable is at most 100%',
    spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '110%' } } },
    message: 'Deployment.apps "web" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 110%: must not be greater than 100%',
    fields: ['spec.strategy.rollingUpdate.maxUnavailable'],
  },
  {
    rule: 'maxSurge is a count or a percentage',
    spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 'lots' } } },
    message: `Deployment.apps "web" is invalid: spec.strategy.rollingUpdate.maxSurge: Invalid value: lots: ${PERCENT}`,
    fields: ['spec.strategy.rollingUpdate.maxSurge'],
  },
  {
    rule: 'Recreate takes no rollingUpdate',
    spec: { strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } },
    message: "Deployment.apps \"web\" is invalid: spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
    fields: ['spec.strategy.rollingUpdate'],
  },
  {
    rule: 'the progress deadline is longer than minReadySeconds',
    spec: { minReadySeconds: 10, progressDeadlineSeconds: 10 },
    message: 'Deployment.apps "web" is invalid: spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds',
    fields: ['spec.progressDeadlineSeconds'],
  },
  { rule: 'revisionHistoryLimit is not negative', spec: { revisionHistoryLimit: -1 }, message: 'Deployment.apps "web" is invalid: spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0', fields: ['spec.revisionHistoryLimit'] },
  {
    rule: 'a ReplicaSet template has no activeDeadlineSeconds',
    kind: 'ReplicaSet',
    spec: { template: template({ app: 'web' }, { activeDeadlineSeconds: 5 }) },
    message: 'ReplicaSet.apps "web" is invalid: spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported',
    fields: ['spec.template.spec.activeDeadlineSeconds'],
  },
  {
    rule: 'a ReplicaSet selector expression has a known operator',
    kind: 'ReplicaSet',
    spec: { selector: { matchExpressions: [{ key: 'app', operator: 'Is', values: ['web'] }] } },
    message: 'ReplicaSet.apps "web" is invalid: spec.selector.matchExpressions[0].operator: Invalid value: Is: not a valid selector operator',
    fields: ['spec.selector.matchExpressions[0].operator'],
  },
];

describe('Deployment and ReplicaSet validation', () => {
  for (const row of REFUSED) {
    it(row.rule, async () => {
      await expectRefused(cluster().create(deployment(row.spec, row.kind)), { message: row.message, fields: row.fields });
    });
  }

  it('the selector may not change', async () => {
    const c = cluster();
    const old = await c.create(deployment());
    const next = structuredClone(old) as Deployment;
    next.spec.selector = { matchLabels: { app: 'web', tier: 'front' } };
    next.spec.template.metadata = { labels: { app: 'web', tier: 'front' } };
    await expectRefused(c.update(next, old), {
      message:
        'Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"front"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
      fields: ['spec.selector'],
    });
  });

  it('matchExpressions select a template too', async () => {
    const rs = (await cluster().create(deployment({ selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] } }, 'ReplicaSet'))) as ReplicaSet;
    expect(rs.spec.replicas).toBe(1);
    expect(rs.status).toEqual({ replicas: 0 });
  });
});

// apps/v1 DaemonSet, StatefulSet and ControllerRevision defaulting and validation in upstream's
// words (pkg/apis/apps/validation), one row per rule.
import { describe, expect, it } from 'vitest';
import type { ControllerRevision, DaemonSet, StatefulSet } from '../../src/api/apps.js';
import type { KubeObject } from '../../src/api/types.js';
import { cluster, expectRefused } from './helpers.js';

const template = (labels: Record<string, string> = { app: 'web' }, spec: Record<string, unknown> = {}) => ({
  metadata: { labels },
  spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
});

function workload(kind: 'DaemonSet' | 'StatefulSet', spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'apps/v1', kind, metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: template(), ...spec } };
}

describe('DaemonSet and StatefulSet defaulting', () => {
  it('a DaemonSet: RollingUpdate with maxUnavailable 1 and maxSurge 0, 10 revisions, the template defaulted, a zero status', async () => {
    const ds = (await cluster().create(workload('DaemonSet'))) as DaemonSet;
    expect(ds.spec).toMatchObject({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, revisionHistoryLimit: 10 });
    expect(ds.spec.template.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' });
    expect(ds.status).toEqual({ currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 });
  });

  it('a DaemonSet with OnDelete gets no rollingUpdate', async () => {
    const ds = (await cluster().create(workload('DaemonSet', { updateStrategy: { type: 'OnDelete' } }))) as DaemonSet;
    expect(ds.spec.updateStrategy).toEqual({ type: 'OnDelete' });
  });

  it('a StatefulSet: one replica, OrderedReady, RollingUpdate partition 0, claims retained, 10 revisions', async () => {
    const sts = (await cluster().create(workload('StatefulSet'))) as StatefulSet;
    expect(sts.spec).toMatchObject({
      replicas: 1,
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      revisionHistoryLimit: 10,
    });
    expect(sts.status).toEqual({ replicas: 0, availableReplicas: 0 });
  });
});

const REFUSED: Array<{ rule: string; kind: 'DaemonSet' | 'StatefulSet'; spec: Record<string, unknown>; message: string; fields: string[] }> = [
  {
    rule: 'a DaemonSet selector may not be empty',
    kind: 'DaemonSet',
    spec: { selector: {} },
    message:
      'DaemonSet.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for daemonset',
    fields: ['spec.selector'],
  },
  {
    rule: 'a DaemonSet selector matches the template labels',
    kind: 'DaemonSet',
    spec: { template: template({ app: 'other' }) },
    message: 'DaemonSet.apps "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
    fields: ['spec.template.metadata.labels'],
  },
  {
    rule: 'a DaemonSet template restarts Always',
    kind: 'DaemonSet',
    spec: { template: template({ app: 'web' }, { restartPolicy: 'OnFailure' }) },
    message: 'DaemonSet.apps "web" is invalid: spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
    fields: ['spec.template.spec.restartPolicy'],
  },
  {
    rule: 'maxSurge and maxUnavailable may not both be set',
    kind: 'DaemonSet',
    spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } } },
    message: 'DaemonSet.apps "web" is invalid: spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero',
    fields: ['spec.updateStrategy.rollingUpdate.maxSurge'],
  },
  {
    rule: 'maxSurge and maxUnavailable may not both be 0',
    kind: 'DaemonSet',
    spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '0%' } } },
    message: 'DaemonSet.apps "web" is invalid: spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0',
    fields: ['spec.updateStrategy.rollingUpdate.maxUnavailable'],
  },
  {
    rule: 'maxUnavailable is at most 100%',
    kind: 'DaemonSet',
    spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '120%' } } },
    message: 'DaemonSet.apps "web" is invalid: spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 120%: must not be greater than 100%',
    fields: ['spec.updateStrategy.rollingUpdate.maxUnavailable'],
  },
  {
    rule: 'a DaemonSet update strategy is RollingUpdate or OnDelete',
    kind: 'DaemonSet',
    spec: { updateStrategy: { type: 'Recreate' } },
    message:
      'DaemonSet.apps "web" is invalid: spec.updateStrategy: Unsupported value: apps.DaemonSetUpdateStrategy{Type:"Recreate", RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}: supported values: "OnDelete", "RollingUpdate"',
    fields: ['spec.updateStrategy'],
  },
  {
    rule: 'a DaemonSet minReadySeconds is not negative',
    kind: 'DaemonSet',
    spec: { minReadySeconds: -1 },
    message: 'DaemonSet.apps "web" is invalid: spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0',
    fields: ['spec.minReadySeconds'],
  },
  {
    rule: 'a StatefulSet selector may not be empty',
    kind: 'StatefulSet',
    spec: { selector: {} },
    message:
      'StatefulSet.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for statefulset',
    fields: ['spec.selector'],
  },
  {
    rule: 'podManagementPolicy is OrderedReady or Parallel',
    kind: 'StatefulSet',
    spec: { podManagementPolicy: 'Sometimes' },
    message: 'StatefulSet.apps "web" is invalid: spec.podManagementPolicy: Invalid value: "Sometimes": must be \'OrderedReady\' or \'Parallel\'',
    fields: ['spec.podManagementPolicy'],
  },
  {
    rule: 'a StatefulSet update strategy is RollingUpdate or OnDelete',
    kind: 'StatefulSet',
    spec: { updateStrategy: { type: 'Recreate' } },
    message:
      'StatefulSet.apps "web" is invalid: spec.updateStrategy: Invalid value: apps.StatefulSetUpdateStrategy{Type:"Recreate", RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}: must be \'RollingUpdate\' or \'OnDelete\'',
    fields: ['spec.updateStrategy'],
  },
  {
    rule: 'OnDelete takes no rollingUpdate',
    kind: 'StatefulSet',
    spec: { updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 1 } } },
    message: 'StatefulSet.apps "web" is invalid: spec.updateStrategy.rollingUpdate: Invalid value: (*apps.RollingUpdateStatefulSetStrategy)(…): only allowed for updateStrategy \'RollingUpdate\'',
    fields: ['spec.updateStrategy.rollingUpdate'],
  },
  {
    rule: 'the partition is not negative',
    kind: 'StatefulSet',
    spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: -1 } } },
    message: 'StatefulSet.apps "web" is invalid: spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0',
    fields: ['spec.updateStrategy.rollingUpdate.partition'],
  },
  {
    rule: 'StatefulSet replicas are not negative',
    kind: 'StatefulSet',
    spec: { replicas: -2 },
    message: 'StatefulSet.apps "web" is invalid: spec.replicas: Invalid value: -2: must be greater than or equal to 0',
    fields: ['spec.replicas'],
  },
  {
    rule: 'the claim retention policy is Retain or Delete',
    kind: 'StatefulSet',
    spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Keep' } },
    message: 'StatefulSet.apps "web" is invalid: spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"',
    fields: ['spec.persistentVolumeClaimRetentionPolicy.whenDeleted'],
  },
];

describe('DaemonSet and StatefulSet validation', () => {
  for (const row of REFUSED) {
    it(row.rule, async () => {
      await expectRefused(cluster().create(workload(row.kind, row.spec)), { message: row.message, fields: row.fields });
    });
  }

  it('a StatefulSet update may change only replicas, ordinals, template, updateStrategy, revisionHistoryLimit, the retention policy and minReadySeconds', async () => {
    const c = cluster();
    const old = (await c.create(workload('StatefulSet', { serviceName: 'web' }))) as StatefulSet;
    const scaled = structuredClone(old);
    scaled.spec.replicas = 5;
    scaled.spec.template.spec.containers[0]!.image = 'nginx:2';
    expect(((await c.update(scaled, old)) as StatefulSet).spec.replicas).toBe(5);
    const renamed = structuredClone(old);
    renamed.spec.serviceName = 'other';
    await expectRefused(c.update(renamed, old), {
      message:
        "StatefulSet.apps \"web\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      fields: ['spec'],
    });
  });

  it('a DaemonSet selector may not change', async () => {
    const c = cluster();
    const old = (await c.create(workload('DaemonSet'))) as DaemonSet;
    const next = structuredClone(old);
    next.spec.selector = { matchLabels: { app: 'web', tier: 'node' } };
    next.spec.template.metadata = { labels: { app: 'web', tier: 'node' } };
    await expectRefused(c.update(next, old), {
      message:
        'DaemonSet.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"node"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    });
  });
});

describe('ControllerRevision validation', () => {
  const revision = (over: Partial<ControllerRevision> = {}): KubeObject => ({ apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'web-5d4f8' }, data: { spec: {} }, revision: 1, ...over }) as KubeObject;

  it('data is mandatory', async () => {
    await expectRefused(cluster().create(revision({ data: undefined })), { message: 'ControllerRevision.apps "web-5d4f8" is invalid: data: Required value: data is mandatory', fields: ['data'] });
  });

  it('the revision is not negative', async () => {
    await expectRefused(cluster().create(revision({ revision: -1 })), { message: 'ControllerRevision.apps "web-5d4f8" is invalid: revision: Invalid value: -1: must be greater than or equal to 0', fields: ['revision'] });
  });

  it('data is immutable; the revision number may change', async () => {
    const c = cluster();
    const old = (await c.create(revision())) as ControllerRevision;
    expect(((await c.update({ ...old, revision: 4 } as KubeObject, old)) as ControllerRevision).revision).toBe(4);
    await expectRefused(c.update({ ...old, data: { spec: { replicas: 2 } } } as KubeObject, old), { fields: ['data'] });
  });
});

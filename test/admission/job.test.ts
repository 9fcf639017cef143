// batch/v1 Job defaulting and validation in upstream's words (1.32), one row per rule.
import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/api/batch.js';
import type { KubeObject } from '../../src/api/types.js';
import { cluster, expectRefused } from './helpers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Edit = (j: any) => void;

function job(edit?: Edit): KubeObject {
  const j = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'default' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl:5.34.0' }] } } },
  };
  edit?.(j);
  return j as KubeObject;
}

const PI = 'Job.batch "pi" is invalid: ';
const UID = 'uid-pi';

describe('Job defaults', () => {
  it('fills in what upstream defaults, generates the selector and labels the Job like its pods', async () => {
    const created = (await cluster().create(job())) as Job;
    expect(created.spec).toMatchObject({
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      manualSelector: false,
      podReplacementPolicy: 'TerminatingOrFailed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': UID } },
    });
    const labels = {
      'batch.kubernetes.io/controller-uid': UID,
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': UID,
      'job-name': 'pi',
    };
    expect(created.spec.template.metadata?.labels).toEqual(labels);
    expect(created.metadata.labels).toEqual(labels);
    expect(created.spec.template.spec.terminationGracePeriodSeconds).toBe(30);
    expect(created.status).toEqual({});
  });

  it.each([
    ['completions alone: one pod at a time', { completions: 5 }, { completions: 5, parallelism: 1 }],
    ['parallelism alone: a work queue, no completions', { parallelism: 3 }, { parallelism: 3 }],
    ['a backoffLimitPerIndex makes backoffLimit the largest int32', { completionMode: 'Indexed', completions: 2, backoffLimitPerIndex: 1 }, { backoffLimit: 2147483647 }],
  ])('%s', async (_rule, spec, want) => {
    const created = (await cluster().create(job((j) => Object.assign(j.spec, spec)))) as Job;
    expect(created.spec).toMatchObject(want);
    if (!('completions' in want) && !('completions' in spec)) expect(created.spec.completions).toBeUndefined();
  });

  it('keeps labels the Job has of its own', async () => {
    const created = await cluster().create(job((j) => (j.metadata.labels = { team: 'a' })));
    expect(created.metadata.labels).toEqual({ team: 'a' });
  });

  it('a manual selector is kept as given, and nothing is generated', async () => {
    const created = (await cluster().create(
      job((j) => {
        j.spec.manualSelector = true;
        j.spec.selector = { matchLabels: { app: 'pi' } };
        j.spec.template.metadata = { labels: { app: 'pi' } };
      }),
    )) as Job;
    expect(created.spec.selector).toEqual({ matchLabels: { app: 'pi' } });
    expect(created.spec.template.metadata?.labels).toEqual({ app: 'pi' });
  });
});

const REFUSED: Array<{ rule: string; edit: Edit; message: string; fields: string[] }> = [
  {
    rule: 'a restartPolicy left out is refused (it defaults to Always)',
    edit: (j) => delete j.spec.template.spec.restartPolicy,
    message: `${PI}spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"`,
    fields: ['spec.template.spec.restartPolicy'],
  },
  {
    rule: 'restartPolicy Always is refused',
    edit: (j) => (j.spec.template.spec.restartPolicy = 'Always'),
    message: `${PI}spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"`,
    fields: ['spec.template.spec.restartPolicy'],
  },
  ...(['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished'] as const).map((f) => ({
    rule: `${f} is not negative`,
    edit: (j: { spec: Record<string, unknown> }) => {
      j.spec[f] = -1;
    },
    message: `${PI}spec.${f}: Invalid value: -1: must be greater than or equal to 0`,
    fields: [`spec.${f}`],
  })),
  {
    rule: 'completionMode is NonIndexed or Indexed',
    edit: (j) => (j.spec.completionMode = 'Sequential'),
    message: `${PI}spec.completionMode: Unsupported value: "Sequential": supported values: "NonIndexed", "Indexed"`,
    fields: ['spec.completionMode'],
  },
  {
    rule: 'an Indexed Job needs completions',
    edit: (j) => Object.assign(j.spec, { completionMode: 'Indexed', parallelism: 2 }),
    message: `${PI}spec.completions: Required value: when completion mode is Indexed`,
    fields: ['spec.completions'],
  },
  {
    rule: 'backoffLimitPerIndex needs Indexed completion',
    edit: (j) => (j.spec.backoffLimitPerIndex = 1),
    message: `${PI}spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode`,
    fields: ['spec.backoffLimitPerIndex'],
  },
  {
    rule: 'maxFailedIndexes needs backoffLimitPerIndex',
    edit: (j) => Object.assign(j.spec, { completionMode: 'Indexed', completions: 3, maxFailedIndexes: 1 }),
    message: `${PI}spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified`,
    fields: ['spec.backoffLimitPerIndex'],
  },
  {
    rule: 'podReplacementPolicy is Failed or TerminatingOrFailed',
    edit: (j) => (j.spec.podReplacementPolicy = 'Sometimes'),
    message: `${PI}spec.podReplacementPolicy: Unsupported value: "Sometimes": supported values: "Failed", "TerminatingOrFailed"`,
    fields: ['spec.podReplacementPolicy'],
  },
  {
    rule: 'a manual selector must select the template',
    edit: (j) => {
      j.spec.manualSelector = true;
      j.spec.selector = { matchLabels: { app: 'other' } };
      j.spec.template.metadata = { labels: { app: 'pi' } };
    },
    message: `${PI}spec.template.metadata.labels: Invalid value: map[string]string{"app":"pi"}: \`selector\` does not match template \`labels\``,
    fields: ['spec.template.metadata.labels'],
  },
  {
    rule: 'a manual selector must be given',
    edit: (j) => (j.spec.manualSelector = true),
    message: `${PI}spec.selector: Required value`,
    fields: ['spec.selector'],
  },
  {
    rule: 'a generated label the user set to another value is refused',
    edit: (j) => (j.spec.template.metadata = { labels: { 'job-name': 'other' } }),
    message:
      `${PI}spec.template.metadata.labels[job-name]: Invalid value: map[string]string{"batch.kubernetes.io/controller-uid":"${UID}", "batch.kubernetes.io/job-name":"pi", "controller-uid":"${UID}", "job-name":"other"}: must be 'pi'`,
    fields: ['spec.template.metadata.labels[job-name]'],
  },
  {
    rule: "a selector that is not the generated one is refused",
    edit: (j) => (j.spec.selector = { matchLabels: { app: 'pi' } }),
    message: [
      `${PI}[spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"pi", "batch.kubernetes.io/controller-uid":"${UID}"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: \`selector\` not auto-generated`,
      `spec.template.metadata.labels: Invalid value: map[string]string{"batch.kubernetes.io/controller-uid":"${UID}", "batch.kubernetes.io/job-name":"pi", "controller-uid":"${UID}", "job-name":"pi"}: \`selector\` does not match template \`labels\`]`,
    ].join(', '),
    fields: ['spec.selector', 'spec.template.metadata.labels'],
  },
  {
    rule: "an Indexed Job's last pod hostname must be a DNS label",
    edit: (j) => {
      j.metadata.name = 'a'.repeat(62);
      j.metadata.uid = '6f1c2b52-9a53-4e47-8d7c-1b2a3c4d5e6f';
      Object.assign(j.spec, { completionMode: 'Indexed', completions: 10, parallelism: 1 });
    },
    message: `Job.batch "${'a'.repeat(62)}" is invalid: metadata.name: Invalid value: "${'a'.repeat(62)}": will not able to create pod with invalid DNS label: ${'a'.repeat(62)}-9`,
    fields: ['metadata.name'],
  },
];

describe('Job validation', () => {
  for (const row of REFUSED) {
    it(row.rule, async () => {
      await expectRefused(cluster().create(job(row.edit)), { message: row.message, fields: row.fields });
    });
  }
});

describe('Job updates', () => {
  async function stored(edit?: Edit): Promise<{ c: ReturnType<typeof cluster>; old: Job }> {
    const c = cluster();
    return { c, old: (await c.create(job(edit))) as Job };
  }

  it('the pod template is immutable', async () => {
    const { c, old } = await stored();
    const next = structuredClone(old);
    next.spec.template.spec.containers[0]!.image = 'perl:5.36';
    const err = await expectRefused(c.update(next, old), { messagePrefix: `${PI}spec.template: Invalid value: core.PodTemplateSpec{ObjectMeta:v1.ObjectMeta{`, fields: ['spec.template'] });
    expect(err.status.message).toMatch(/: field is immutable$/);
  });

  it('completions are immutable for a NonIndexed Job', async () => {
    const { c, old } = await stored();
    const next = structuredClone(old);
    next.spec.completions = 3;
    await expectRefused(c.update(next, old), { message: `${PI}spec.completions: Invalid value: 3: field is immutable`, fields: ['spec.completions'] });
  });

  it('the selector is immutable', async () => {
    const { c, old } = await stored();
    const next = structuredClone(old);
    next.spec.selector = { matchLabels: { ...old.spec.selector!.matchLabels, extra: 'x' } };
    const err = await expectRefused(c.update(next, old), { messagePrefix: PI });
    expect(err.status.details?.causes?.map((x) => x.field)).toContain('spec.selector');
    expect(err.status.message).toContain('spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{');
    expect(err.status.message).toContain('}: field is immutable');
  });

  it('parallelism and activeDeadlineSeconds may change', async () => {
    const { c, old } = await stored();
    const next = structuredClone(old);
    next.spec.parallelism = 4;
    next.spec.activeDeadlineSeconds = 60;
    const updated = (await c.update(next, old)) as Job;
    expect(updated.spec).toMatchObject({ parallelism: 4, activeDeadlineSeconds: 60 });
  });

  it('an Indexed Job scales completions and parallelism in tandem only', async () => {
    const { c, old } = await stored((j) => Object.assign(j.spec, { completionMode: 'Indexed', completions: 3, parallelism: 3 }));
    const next = structuredClone(old);
    next.spec.completions = 5;
    await expectRefused(c.update(next, old), { message: `${PI}spec.completions: Invalid value: 5: can only be modified in tandem with spec.parallelism` });
    next.spec.parallelism = 5;
    expect(((await c.update(next, old)) as Job).spec.completions).toBe(5);
  });

  it('a suspended Job that never started may change its node selector', async () => {
    const { c, old } = await stored((j) => (j.spec.suspend = true));
    const next = structuredClone(old);
    next.spec.template.spec.nodeSelector = { zone: 'b' };
    expect(((await c.update(next, old)) as Job).spec.template.spec.nodeSelector).toEqual({ zone: 'b' });
  });

  it('status counters are never negative', async () => {
    const { c, old } = await stored();
    const next = structuredClone(old);
    next.status = { active: -1 };
    await expectRefused(c.update(next, old, 'status'), { message: `${PI}status.active: Invalid value: -1: must be greater than or equal to 0`, fields: ['status.active'] });
  });
});

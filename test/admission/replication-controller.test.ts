// ReplicationController admission: defaults from the template, and each validation rule.
import { describe, expect, it } from 'vitest';
import type { KubeObject, ReplicationController } from '../../src/api/types.js';
import { LABEL_VALUE, RFC1123_SUBDOMAIN, cluster, expectRefused, rc } from './helpers.js';
import type { Expected } from './helpers.js';

const RC = 'ReplicationController "web" is invalid: ';

interface Row extends Expected {
  rule: string;
  object: KubeObject;
}

const one = (field: string, body: string): Pick<Row, 'message' | 'fields'> => ({ message: `${RC}${field}: ${body}`, fields: [field] });

const rows: Row[] = [
  { rule: 'names are DNS subdomains', object: rc((o) => (o.metadata.name = 'Web')), message: `ReplicationController "Web" is invalid: metadata.name: Invalid value: "Web": ${RFC1123_SUBDOMAIN}`, fields: ['metadata.name'] },
  {
    rule: 'the selector matches the template labels',
    object: rc((o) => (o.spec.selector = { app: 'api' })),
    ...one('spec.template.metadata.labels', 'Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`'),
  },
  { rule: 'replicas are not negative', object: rc((o) => (o.spec.replicas = -1)), ...one('spec.replicas', 'Invalid value: -1: must be greater than or equal to 0') },
  { rule: 'minReadySeconds is not negative', object: rc((o) => (o.spec.minReadySeconds = -5)), ...one('spec.minReadySeconds', 'Invalid value: -5: must be greater than or equal to 0') },
  {
    rule: 'a selector is required',
    object: rc((o) => {
      o.spec.selector = {};
      o.spec.template.metadata.labels = {};
    }),
    ...one('spec.selector', 'Required value'),
  },
  { rule: 'a template is required', object: rc((o) => delete o.spec.template), ...one('spec.template', 'Required value') },
  {
    rule: "the template's pods restart Always",
    object: rc((o) => (o.spec.template.spec.restartPolicy = 'OnFailure')),
    ...one('spec.template.spec.restartPolicy', 'Unsupported value: "OnFailure": supported values: "Always"'),
  },
  {
    rule: "the template's labels are valid",
    object: rc((o) => {
      o.metadata.labels = { app: 'web' };
      o.spec.template.metadata.labels = { app: 'web', tier: 'front end' };
    }),
    ...one('spec.template.labels', `Invalid value: "front end": ${LABEL_VALUE}`),
  },
  {
    rule: "the template's pod spec is validated",
    object: rc((o) => (o.spec.template.spec.containers = [])),
    ...one('spec.template.spec.containers', 'Required value'),
  },
  {
    rule: "the template's containers are validated",
    object: rc((o) => (o.spec.template.spec.containers[0].ports = [{ containerPort: 8080, protocol: 'UDP' }])),
    ...one('spec.template.spec.containers[0].ports[0].protocol', 'Unsupported value: "UDP": supported values: "TCP"'),
  },
  {
    rule: 'templates have no activeDeadlineSeconds',
    object: rc((o) => (o.spec.template.spec.activeDeadlineSeconds = 30)),
    ...one('spec.template.spec.activeDeadlineSeconds', 'Forbidden: activeDeadlineSeconds in ReplicationController is not Supported'),
  },
];

describe('replication controller create: each rule', () => {
  for (const row of rows) {
    it(row.rule, async () => {
      await expectRefused(cluster().create(row.object), row);
    });
  }
});

describe('replication controller defaults and updates', () => {
  it('selector, labels and replicas default from the template; the template gets pod spec defaults', async () => {
    const out = (await cluster().create(
      rc((o) => {
        delete o.spec.selector;
        delete o.spec.replicas;
      }),
    )) as ReplicationController;
    expect(out.spec.selector).toEqual({ app: 'web' });
    expect(out.metadata.labels).toEqual({ app: 'web' });
    expect(out.spec.replicas).toBe(1);
    expect(out.spec.template?.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30 });
    expect(out.spec.template?.spec.containers[0]).toMatchObject({ imagePullPolicy: 'IfNotPresent', terminationMessagePolicy: 'File' });
    expect(out.status).toEqual({ replicas: 0 });
  });

  it('scaling below zero is refused as a Scale', async () => {
    const c = cluster();
    const stored = (await c.create(rc())) as ReplicationController;
    const next = structuredClone(stored);
    next.spec.replicas = -1;
    await expectRefused(c.update(next, stored, 'scale'), {
      message: 'Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      fields: ['spec.replicas'],
    });
  });

  it('scaling sets replicas', async () => {
    const c = cluster();
    const stored = (await c.create(rc())) as ReplicationController;
    const next = structuredClone(stored);
    next.spec.replicas = 5;
    expect(((await c.update(next, stored, 'scale')) as ReplicationController).spec.replicas).toBe(5);
  });

  it('status counts are not above status.replicas', async () => {
    const c = cluster();
    const stored = (await c.create(rc())) as ReplicationController;
    const next = structuredClone(stored);
    next.status = { replicas: 2, readyReplicas: 3, availableReplicas: 1 };
    await expectRefused(c.update(next, stored, 'status'), {
      message: `${RC}status.readyReplicas: Invalid value: 3: cannot be greater than status.replicas`,
      fields: ['status.readyReplicas'],
    });
  });

  it('a status update keeps the spec; a main update keeps the status', async () => {
    const c = cluster();
    const stored = (await c.create(rc())) as ReplicationController;
    const statusUpdate = structuredClone(stored);
    statusUpdate.spec.replicas = 9;
    statusUpdate.status = { replicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 };
    const s = (await c.update(statusUpdate, stored, 'status')) as ReplicationController;
    expect(s.spec.replicas).toBe(3);
    expect(s.status?.readyReplicas).toBe(3);
    const main = structuredClone(s);
    main.spec.replicas = 4;
    main.status = { replicas: 0 };
    const m = (await c.update(main, s)) as ReplicationController;
    expect(m.spec.replicas).toBe(4);
    expect(m.status).toEqual(s.status);
  });
});

// What pods reference ConfigMaps and Secrets with, in upstream's words (pkg/apis/core/validation:
// ValidateEnv, validateEnvVarValueFrom, ValidateEnvFrom, ValidateVolumes, ValidateVolumeMounts)
// and defaults (SetDefaults_Volume, the sources' defaultMode, ObjectFieldSelector's apiVersion).
import { describe, it, expect } from 'vitest';
import type { Pod } from '../../src/api/types.js';
import { cluster, expectRefused, pod, RFC1123_LABEL, RFC1123_SUBDOMAIN } from './helpers.js';

const C = 'Pod "web" is invalid: ';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Edit = (p: any) => void;
const env = (e: unknown): Edit => (p) => (p.spec.containers[0].env = [e]);

const REFUSED: Array<{ rule: string; edit: Edit; message: string; fields: string[] }> = [
  {
    rule: 'an env source is one of four',
    edit: env({ name: 'A', valueFrom: {} }),
    message: `${C}spec.containers[0].env[0].valueFrom: Invalid value: "": must specify one of: \`fieldRef\`, \`resourceFieldRef\`, \`configMapKeyRef\` or \`secretKeyRef\``,
    fields: ['spec.containers[0].env[0].valueFrom'],
  },
  {
    rule: 'value and valueFrom are exclusive',
    edit: env({ name: 'A', value: 'x', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }),
    message: `${C}spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when \`value\` is not empty`,
    fields: ['spec.containers[0].env[0].valueFrom'],
  },
  {
    rule: 'one env source at a time',
    edit: env({ name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' }, secretKeyRef: { name: 's', key: 'k' } } }),
    message: `${C}spec.containers[0].env[0].valueFrom: Invalid value: "": may not have more than one field specified at a time`,
    fields: ['spec.containers[0].env[0].valueFrom'],
  },
  {
    rule: 'a configMapKeyRef names a ConfigMap',
    edit: env({ name: 'A', valueFrom: { configMapKeyRef: { key: 'k' } } }),
    message: `${C}spec.containers[0].env[0].valueFrom.configMapKeyRef.name: Invalid value: "": ${RFC1123_SUBDOMAIN}`,
    fields: ['spec.containers[0].env[0].valueFrom.configMapKeyRef.name'],
  },
  {
    rule: 'a secretKeyRef names a key',
    edit: env({ name: 'A', valueFrom: { secretKeyRef: { name: 's' } } }),
    message: `${C}spec.containers[0].env[0].valueFrom.secretKeyRef.key: Required value`,
    fields: ['spec.containers[0].env[0].valueFrom.secretKeyRef.key'],
  },
  {
    rule: 'a fieldRef takes a field env vars may read',
    edit: env({ name: 'A', valueFrom: { fieldRef: { fieldPath: 'spec.restartPolicy' } } }),
    message: `${C}spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "spec.restartPolicy": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"`,
    fields: ['spec.containers[0].env[0].valueFrom.fieldRef.fieldPath'],
  },
  {
    rule: 'envFrom names its source',
    edit: (p) => (p.spec.containers[0].envFrom = [{ configMapRef: {} }]),
    message: `${C}spec.containers[0].envFrom[0].configMapRef.name: Required value`,
    fields: ['spec.containers[0].envFrom[0].configMapRef.name'],
  },
  {
    rule: 'envFrom takes a ConfigMap or a Secret',
    edit: (p) => (p.spec.containers[0].envFrom = [{ prefix: 'X_' }]),
    message: `${C}spec.containers[0].envFrom: Invalid value: "": must specify one of: \`configMapRef\` or \`secretRef\``,
    fields: ['spec.containers[0].envFrom'],
  },
  {
    rule: 'a configMap volume names its ConfigMap',
    edit: (p) => (p.spec.volumes = [{ name: 'cfg', configMap: {} }]),
    message: `${C}spec.volumes[0].configMap.name: Required value`,
    fields: ['spec.volumes[0].configMap.name'],
  },
  {
    rule: 'a secret volume names its Secret',
    edit: (p) => (p.spec.volumes = [{ name: 'certs', secret: {} }]),
    message: `${C}spec.volumes[0].secret.secretName: Required value`,
    fields: ['spec.volumes[0].secret.secretName'],
  },
  {
    rule: 'a volume has one source',
    edit: (p) => (p.spec.volumes = [{ name: 'v', secret: { secretName: 's' }, configMap: { name: 'c' } }]),
    message: `${C}spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type`,
    fields: ['spec.volumes[0].configMap'],
  },
  {
    rule: 'a volume name is a DNS label',
    edit: (p) => (p.spec.volumes = [{ name: 'My_Vol', emptyDir: {} }]),
    message: `${C}spec.volumes[0].name: Invalid value: "My_Vol": ${RFC1123_LABEL}`,
    fields: ['spec.volumes[0].name'],
  },
  {
    rule: 'volume names are unique',
    edit: (p) => (p.spec.volumes = [{ name: 'v', emptyDir: {} }, { name: 'v', emptyDir: {} }]),
    message: `${C}spec.volumes[1].name: Duplicate value: "v"`,
    fields: ['spec.volumes[1].name'],
  },
  {
    rule: 'an item path is relative',
    edit: (p) => (p.spec.volumes = [{ name: 'cfg', configMap: { name: 'c', items: [{ key: 'k', path: '/etc/k' }] } }]),
    message: `${C}spec.volumes[0].configMap.items[0].path: Invalid value: "/etc/k": must be a relative path`,
    fields: ['spec.volumes[0].configMap.items[0].path'],
  },
  {
    rule: 'an item path does not climb out',
    edit: (p) => (p.spec.volumes = [{ name: 'cfg', configMap: { name: 'c', items: [{ key: 'k', path: 'a/../../k' }] } }]),
    message: `${C}spec.volumes[0].configMap.items[0].path: Invalid value: "a/../../k": must not contain '..'`,
    fields: ['spec.volumes[0].configMap.items[0].path'],
  },
  {
    rule: 'a mode is at most 0777',
    edit: (p) => (p.spec.volumes = [{ name: 's', secret: { secretName: 's', defaultMode: 1000 } }]),
    message: `${C}spec.volumes[0].secret.defaultMode: Invalid value: 1000: must be a number between 0 and 0777 (octal), both inclusive`,
    fields: ['spec.volumes[0].secret.defaultMode'],
  },
  {
    rule: 'a mount names a volume of the pod',
    edit: (p) => (p.spec.containers[0].volumeMounts = [{ name: 'config', mountPath: '/etc/config' }]),
    message: `${C}spec.containers[0].volumeMounts[0].name: Not found: "config"`,
    fields: ['spec.containers[0].volumeMounts[0].name'],
  },
  {
    rule: 'mount paths are unique in a container',
    edit: (p) => {
      p.spec.volumes = [{ name: 'a', emptyDir: {} }, { name: 'b', emptyDir: {} }];
      p.spec.containers[0].volumeMounts = [{ name: 'a', mountPath: '/data' }, { name: 'b', mountPath: '/data' }];
    },
    message: `${C}spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/data": must be unique`,
    fields: ['spec.containers[0].volumeMounts[1].mountPath'],
  },
];

describe('pods that reference ConfigMaps and Secrets', () => {
  for (const row of REFUSED) {
    it(row.rule, async () => {
      await expectRefused(cluster().create(pod(row.edit)), { message: row.message, fields: row.fields });
    });
  }

  it('volumes are defaulted as upstream does (an emptyDir without a source, mode 0644, fieldRef v1)', async () => {
    const created = (await cluster().create(
      pod((p) => {
        p.spec.volumes = [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'app' } }];
        p.spec.containers[0].env = [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }];
      }),
    )) as Pod;
    expect(created.spec.volumes).toEqual([
      { name: 'scratch', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'app', defaultMode: 420 } },
    ]);
    expect(created.spec.containers[0]!.env).toEqual([{ name: 'POD', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }]);
  });
});

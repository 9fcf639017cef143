// PersistentVolume, PersistentVolumeClaim and StorageClass admission in upstream's words
// (pkg/apis/core/validation: ValidatePersistentVolume, ValidatePersistentVolumeClaim and their
// updates; pkg/apis/storage/validation: ValidateStorageClass(Update); SetDefaults_*; the
// StorageObjectInUseProtection plugin's finalizers), one row per rule.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/types.js';
import { cluster, expectRefused, RFC1123_SUBDOMAIN } from '../admission/helpers.js';

const pv = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name: 'vol' },
  spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data/vol' }, ...spec },
});

const pvc = (spec: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'data', ...meta },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
});

const ACCESS = 'supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"';

const PV_REFUSED: Array<{ rule: string; spec: Record<string, unknown>; message: string }> = [
  { rule: 'access modes are required', spec: { accessModes: [] }, message: 'PersistentVolume "vol" is invalid: spec.accessModes: Required value' },
  { rule: 'access modes are known ones', spec: { accessModes: ['ReadWriteSometimes'] }, message: `PersistentVolume "vol" is invalid: spec.accessModes: Unsupported value: "ReadWriteSometimes": ${ACCESS}` },
  { rule: 'ReadWriteOncePod stands alone', spec: { accessModes: ['ReadWriteOncePod', 'ReadOnlyMany'] }, message: 'PersistentVolume "vol" is invalid: spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes' },
  { rule: 'a capacity of zero', spec: { capacity: { storage: '0' } }, message: 'PersistentVolume "vol" is invalid: spec.capacity[storage]: Invalid value: "0": must be greater than zero' },
  { rule: 'a negative capacity', spec: { capacity: { storage: '-1Gi' } }, message: 'PersistentVolume "vol" is invalid: spec.capacity[storage]: Invalid value: "-1Gi": must be greater than or equal to 0' },
  { rule: 'a volume type is required', spec: { hostPath: undefined }, message: 'PersistentVolume "vol" is invalid: spec: Required value: must specify a volume type' },
  { rule: 'one volume type only', spec: { nfs: { server: 'nfs', path: '/x' } }, message: 'PersistentVolume "vol" is invalid: spec.nfs: Forbidden: may not specify more than 1 volume type' },
  { rule: 'the reclaim policy is a known one', spec: { persistentVolumeReclaimPolicy: 'Keep' }, message: 'PersistentVolume "vol" is invalid: spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"' },
  { rule: 'the class is a DNS subdomain', spec: { storageClassName: 'Fast_SSD' }, message: `PersistentVolume "vol" is invalid: spec.storageClassName: Invalid value: "Fast_SSD": ${RFC1123_SUBDOMAIN}` },
  { rule: 'the volume mode is a known one', spec: { volumeMode: 'Raw' }, message: 'PersistentVolume "vol" is invalid: spec.volumeMode: Unsupported value: "Raw": supported values: "Block", "Filesystem"' },
  { rule: 'a hostPath path has no ..', spec: { hostPath: { path: '/data/../etc' } }, message: `PersistentVolume "vol" is invalid: spec.hostPath.path: Invalid value: "/data/../etc": must not contain '..'` },
  { rule: 'a local volume needs node affinity', spec: { hostPath: undefined, local: { path: '/mnt/disk' } }, message: 'PersistentVolume "vol" is invalid: metadata.annotations: Required value: Local volume requires node affinity' },
];

const PVC_REFUSED: Array<{ rule: string; spec: Record<string, unknown>; message: string }> = [
  { rule: 'access modes are required', spec: { accessModes: [] }, message: 'PersistentVolumeClaim "data" is invalid: spec.accessModes: Required value: at least 1 access mode is required' },
  { rule: 'access modes are known ones', spec: { accessModes: ['RWO'] }, message: `PersistentVolumeClaim "data" is invalid: spec.accessModes: Unsupported value: "RWO": ${ACCESS}` },
  { rule: 'a storage request is required', spec: { resources: { requests: {} } }, message: 'PersistentVolumeClaim "data" is invalid: spec.resources[storage]: Required value' },
  { rule: 'a storage request above zero', spec: { resources: { requests: { storage: '0' } } }, message: 'PersistentVolumeClaim "data" is invalid: spec.resources[storage]: Invalid value: "0": must be greater than zero' },
  { rule: 'the class is a DNS subdomain', spec: { storageClassName: 'Fast_SSD' }, message: `PersistentVolumeClaim "data" is invalid: spec.storageClassName: Invalid value: "Fast_SSD": ${RFC1123_SUBDOMAIN}` },
  { rule: 'the volume mode is a known one', spec: { volumeMode: 'Raw' }, message: 'PersistentVolumeClaim "data" is invalid: spec.volumeMode: Unsupported value: "Raw": supported values: "Block", "Filesystem"' },
  {
    rule: 'the selector is a label selector',
    spec: { selector: { matchExpressions: [{ key: 'tier', operator: 'Equals', values: ['x'] }] } },
    message: 'PersistentVolumeClaim "data" is invalid: spec.selector.matchExpressions[0].operator: Invalid value: Equals: not a valid selector operator',
  },
];

describe('PersistentVolume admission', () => {
  it.each(PV_REFUSED)('$rule', async ({ spec, message }) => {
    await expectRefused(cluster().create(pv(spec)), { message });
  });

  it('defaults Retain and Filesystem, starts Pending, and adds the pv-protection finalizer', async () => {
    const created = await cluster().create({ ...pv({ capacity: { storage: '1024Mi' } }), status: { phase: 'Bound' } });
    expect(created.spec).toMatchObject({ persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem', capacity: { storage: '1Gi' }, hostPath: { path: '/data/vol', type: '' } });
    expect(created.status).toMatchObject({ phase: 'Pending' });
    expect(created.metadata.finalizers).toEqual(['kubernetes.io/pv-protection']);
  });

  it('refuses a change of the volume source', async () => {
    const c = cluster();
    const old = await c.create(pv({}));
    const changed = structuredClone(old);
    (changed.spec as { hostPath: { path: string } }).hostPath.path = '/elsewhere';
    await expectRefused(c.update(changed, old), { message: 'PersistentVolume "vol" is invalid: spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation' });
  });
});

describe('PersistentVolumeClaim admission', () => {
  it.each(PVC_REFUSED)('$rule', async ({ spec, message }) => {
    await expectRefused(cluster().create(pvc(spec)), { message });
  });

  it('defaults Filesystem, starts Pending, and adds the pvc-protection finalizer', async () => {
    const created = await cluster().create({ ...pvc({ storageClassName: 'manual' }), status: { phase: 'Bound' } });
    expect(created.spec).toMatchObject({ volumeMode: 'Filesystem' });
    expect(created.status).toEqual({ phase: 'Pending' });
    expect(created.metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']);
  });

  const UPDATES: Array<{ rule: string; change: (spec: Record<string, unknown>) => void; message?: string }> = [
    { rule: 'the binder sets volumeName once', change: (s) => void (s['volumeName'] = 'pv-1') },
    { rule: 'the storage request may grow', change: (s) => void (s['resources'] = { requests: { storage: '2Gi' } }) },
    {
      rule: 'the storage request may not shrink',
      change: (s) => void (s['resources'] = { requests: { storage: '512Mi' } }),
      message: 'PersistentVolumeClaim "data" is invalid: spec.resources.requests.storage: Forbidden: field can not be less than previous value',
    },
    {
      rule: 'the access modes are fixed',
      change: (s) => void (s['accessModes'] = ['ReadWriteMany']),
      message: 'PersistentVolumeClaim "data" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    },
    {
      rule: 'the class is fixed once set',
      change: (s) => void (s['storageClassName'] = 'other'),
      message: 'PersistentVolumeClaim "data" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    },
  ];
  it.each(UPDATES)('update: $rule', async ({ change, message }) => {
    const c = cluster();
    const old = await c.create(pvc({ storageClassName: 'manual' }));
    const changed = structuredClone(old);
    change(changed.spec as Record<string, unknown>);
    if (message) await expectRefused(c.update(changed, old), { message });
    else expect((await c.update(changed, old)).spec).toEqual(changed.spec);
  });
});

const sc = (fields: Record<string, unknown>): KubeObject => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'fast' },
  provisioner: 'rancher.io/local-path',
  ...fields,
});

const SC_REFUSED: Array<{ rule: string; fields: Record<string, unknown>; message: string }> = [
  { rule: 'a provisioner is required', fields: { provisioner: '' }, message: 'StorageClass.storage.k8s.io "fast" is invalid: provisioner: Required value' },
  {
    rule: 'the provisioner is a qualified name',
    fields: { provisioner: 'my provisioner' },
    message:
      "StorageClass.storage.k8s.io \"fast\" is invalid: provisioner: Invalid value: \"my provisioner\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
  },
  { rule: 'the reclaim policy is Delete or Retain', fields: { reclaimPolicy: 'Recycle' }, message: 'StorageClass.storage.k8s.io "fast" is invalid: reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"' },
  { rule: 'the binding mode is a known one', fields: { volumeBindingMode: 'Later' }, message: 'StorageClass.storage.k8s.io "fast" is invalid: volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"' },
];

describe('StorageClass admission', () => {
  it.each(SC_REFUSED)('$rule', async ({ fields, message }) => {
    await expectRefused(cluster().create(sc(fields)), { message });
  });

  it('defaults reclaimPolicy Delete and volumeBindingMode Immediate', async () => {
    expect(await cluster().create(sc({}))).toMatchObject({ reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' });
  });

  const UPDATES: Array<{ rule: string; change: Record<string, unknown>; message: string }> = [
    { rule: 'parameters', change: { parameters: { type: 'ssd' } }, message: 'StorageClass.storage.k8s.io "fast" is invalid: parameters: Forbidden: updates to parameters are forbidden.' },
    { rule: 'the provisioner', change: { provisioner: 'example.com/other' }, message: 'StorageClass.storage.k8s.io "fast" is invalid: provisioner: Forbidden: updates to provisioner are forbidden.' },
    { rule: 'the reclaim policy', change: { reclaimPolicy: 'Retain' }, message: 'StorageClass.storage.k8s.io "fast" is invalid: reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.' },
    { rule: 'the binding mode', change: { volumeBindingMode: 'WaitForFirstConsumer' }, message: 'StorageClass.storage.k8s.io "fast" is invalid: volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable' },
  ];
  it.each(UPDATES)('update: $rule never changes', async ({ change, message }) => {
    const c = cluster();
    const old = await c.create(sc({}));
    await expectRefused(c.update({ ...structuredClone(old), ...change }, old), { message });
  });
});

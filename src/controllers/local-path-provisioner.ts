// The built-in provisioner (src/storage/local-path.ts): for a claim of a class whose provisioner
// is rancher.io/local-path (or minikube's k8s.io/minikube-hostpath) that the binder handed to it,
// and, for WaitForFirstConsumer, whose node the scheduler chose, it makes the volume's folder and a
// PersistentVolume `pvc-<claim uid>` pre-bound to the claim (hostPath, node affinity to that
// node, the class's reclaim policy) — `ProvisioningSucceeded`. A released volume of its own whose
// policy is Delete loses its folder and is deleted; Retain keeps both.
import { mkdirSync, rmSync } from 'node:fs';
import { resourcePath } from '../api/paths.js';
import { createWorkQueue } from '../client/workqueue.js';
import { PERSISTENT_VOLUMES } from '../kinds/persistentvolume/resource.js';
import { ANN_DYNAMICALLY_PROVISIONED, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER, type PersistentVolume, type PersistentVolumeClaim } from '../kinds/persistentvolume/types.js';
import { PERSISTENT_VOLUME_CLAIMS } from '../kinds/persistentvolumeclaim/resource.js';
import { claimClass } from '../kinds/persistentvolumeclaim/printer.js';
import { STORAGE_CLASSES } from '../kinds/storageclass/resource.js';
import type { StorageClass } from '../kinds/storageclass/types.js';
import { BUILT_IN_PROVISIONERS, isProvisionedFolder, LOCAL_PATH_PROVISIONER, volumeFolder } from '../storage/local-path.js';
import { createEventRecorder } from './events.js';
import { isNotFound } from './pods.js';
import type { Controller, ControllerContext } from './types.js';

const SYNC = 'sync';

export function startLocalPathProvisioner(ctx: ControllerContext): Controller {
  const { client } = ctx;
  const home = ctx.config.home;
  const log = ctx.logger.child({ controller: 'local-path-provisioner' });
  const claims = ctx.informers.forResource<PersistentVolumeClaim>(PERSISTENT_VOLUME_CLAIMS);
  const volumes = ctx.informers.forResource<PersistentVolume>(PERSISTENT_VOLUMES);
  const classes = ctx.informers.forResource<StorageClass>(STORAGE_CLASSES);
  /** Claims provisioned by this process whose volume the informer has not shown yet. */
  const made = new Set<string>();

  async function provision(pvc: PersistentVolumeClaim, sc: StorageClass): Promise<void> {
    const uid = pvc.metadata.uid ?? '';
    const node = sc.provisioner === LOCAL_PATH_PROVISIONER ? pvc.metadata.annotations?.[ANN_SELECTED_NODE] : undefined;
    if (sc.provisioner === LOCAL_PATH_PROVISIONER && sc.volumeBindingMode === 'WaitForFirstConsumer' && !node) return;
    const ns = pvc.metadata.namespace ?? 'default';
    const name = pvc.metadata.name ?? '';
    const folder = volumeFolder(home, sc.provisioner, { uid, namespace: ns, name }, node);
    mkdirSync(folder, { recursive: true, mode: 0o777 });
    const pv: PersistentVolume = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `pvc-${uid}`, annotations: { [ANN_DYNAMICALLY_PROVISIONED]: sc.provisioner, ...(node ? { 'local.path.provisioner/selected-node': node } : {}) } },
      spec: {
        accessModes: pvc.spec.accessModes,
        capacity: { storage: pvc.spec.resources?.requests?.['storage'] ?? '0' },
        claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: ns, name, uid, resourceVersion: pvc.metadata.resourceVersion },
        persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
        storageClassName: sc.metadata.name,
        volumeMode: pvc.spec.volumeMode ?? 'Filesystem',
        hostPath: { path: folder, type: 'DirectoryOrCreate' },
        ...(node ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } } } : {}),
      },
    };
    try {
      await client.create(resourcePath(PERSISTENT_VOLUMES), pv);
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
    }
    made.add(uid);
    log.info({ namespace: ns, name, volume: pv.metadata.name, folder, node }, 'volume provisioned');
    createEventRecorder(client, `${sc.provisioner}_loopkube`, log).normal(pvc, 'ProvisioningSucceeded', `Successfully provisioned volume ${pv.metadata.name}`);
  }

  async function reclaim(pv: PersistentVolume): Promise<void> {
    const folder = pv.spec.hostPath?.path ?? '';
    if (isProvisionedFolder(home, folder)) rmSync(folder, { recursive: true, force: true });
    try {
      await client.delete(resourcePath(PERSISTENT_VOLUMES, undefined, pv.metadata.name));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    log.info({ name: pv.metadata.name, folder }, 'released volume deleted with its folder');
  }

  const queue = createWorkQueue(
    'local-path-provisioner',
    async () => {
      await Promise.all([claims.synced(), volumes.synced(), classes.synced()]);
      const all = volumes.list();
      const claimed = new Set(all.map((v) => v.spec.claimRef?.uid).filter((u): u is string => Boolean(u)));
      for (const uid of made) if (claimed.has(uid)) made.delete(uid);
      for (const pvc of claims.list()) {
        if (pvc.metadata.deletionTimestamp || pvc.spec.volumeName || claimed.has(pvc.metadata.uid ?? '') || made.has(pvc.metadata.uid ?? '')) continue;
        const sc = classes.get(claimClass(pvc));
        if (!sc || !BUILT_IN_PROVISIONERS.includes(sc.provisioner) || pvc.metadata.annotations?.[ANN_STORAGE_PROVISIONER] !== sc.provisioner) continue;
        await provision(pvc, sc);
      }
      for (const pv of all) {
        const mine = BUILT_IN_PROVISIONERS.includes(pv.metadata.annotations?.[ANN_DYNAMICALLY_PROVISIONED] ?? '');
        if (mine && !pv.metadata.deletionTimestamp && pv.status?.phase === 'Released' && pv.spec.persistentVolumeReclaimPolicy === 'Delete') await reclaim(pv);
      }
    },
    {
      logger: log,
    },
  );
  const resync = (): void => queue.add(SYNC);
  for (const inf of [claims, volumes, classes]) inf.addHandlers({ add: resync, update: resync, delete: resync });
  resync();
  return {
    name: 'local-path-provisioner',
    stop() {
      queue.stop();
    },
  };
}

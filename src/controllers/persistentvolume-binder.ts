// The PersistentVolume controller (upstream's persistentvolume-binder) with the pvc- and
// pv-protection controllers: a Pending claim is bound to the smallest Available volume of its
// class that fits (access modes, size, selector, volume mode, and the selected node for a
// WaitForFirstConsumer class), or to the volume a provisioner made for it; otherwise it waits for
// the provisioner of its class (`ExternalProvisioning`), for its first consumer
// (`WaitForFirstConsumer`), or for a volume (`FailedBinding`). Volumes are Available, Bound, or
// Released once their claim is gone (the provisioner deletes a released volume whose policy is
// Delete; Retain keeps it). A claim being deleted keeps kubernetes.io/pvc-protection while a pod
// uses it; a volume being deleted keeps kubernetes.io/pv-protection while it is Bound.
import { resourcePath } from '../api/paths.js';
import { compareQuantities, parseQuantityExact } from '../api/quantity.js';
import { labelSelectorMatches } from '../api/label-selector.js';
import type { Node, Pod } from '../api/types.js';
import { createWorkQueue } from '../client/workqueue.js';
import { NODES } from '../kinds/node/resource.js';
import { PODS } from '../kinds/pod/resource.js';
import { accessModesContain } from '../kinds/persistentvolume/access-modes.js';
import { PERSISTENT_VOLUMES } from '../kinds/persistentvolume/resource.js';
import {
  ANN_BETA_STORAGE_PROVISIONER, ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER,
  PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER, type PersistentVolume, type PersistentVolumeClaim,
} from '../kinds/persistentvolume/types.js';
import { PERSISTENT_VOLUME_CLAIMS } from '../kinds/persistentvolumeclaim/resource.js';
import { claimClass } from '../kinds/persistentvolumeclaim/printer.js';
import { STORAGE_CLASSES } from '../kinds/storageclass/resource.js';
import type { StorageClass } from '../kinds/storageclass/types.js';
import { createEventRecorder } from './events.js';
import { isConflict, isNotFound, isPodTerminal } from './pods.js';
import { volumeNodeAffinityMatches } from './volume-binding.js';
import type { Controller, ControllerContext } from './types.js';

const SYNC = 'sync';

const size = (q: string | undefined): ReturnType<typeof parseQuantityExact> => parseQuantityExact(q ?? '0');

/** The claims the pods of a namespace use (pods not finished). */
export function claimsInUse(pods: readonly Pod[]): Set<string> {
  const used = new Set<string>();
  for (const p of pods) {
    if (isPodTerminal(p)) continue;
    for (const v of p.spec.volumes ?? []) {
      const claim = (v as { persistentVolumeClaim?: { claimName?: string } }).persistentVolumeClaim?.claimName;
      if (claim) used.add(`${p.metadata.namespace}/${claim}`);
    }
  }
  return used;
}

/** Whether a volume can serve a claim (upstream's FindMatchingVolume checks). */
export function volumeFits(pv: PersistentVolume, pvc: PersistentVolumeClaim, node: Node | undefined): boolean {
  if (pv.metadata.deletionTimestamp || (pv.status?.phase && pv.status.phase !== 'Available' && pv.status.phase !== 'Pending')) return false;
  if (pv.spec.claimRef && pv.spec.claimRef.uid !== pvc.metadata.uid) return false;
  if ((pv.spec.storageClassName ?? '') !== claimClass(pvc)) return false;
  if ((pv.spec.volumeMode ?? 'Filesystem') !== (pvc.spec.volumeMode ?? 'Filesystem')) return false;
  if (!accessModesContain(pv.spec.accessModes, pvc.spec.accessModes)) return false;
  if (compareQuantities(size(pv.spec.capacity?.['storage']), size(pvc.spec.resources?.requests?.['storage'])) < 0) return false;
  if (pvc.spec.selector && !labelSelectorMatches(pvc.spec.selector, pv.metadata.labels)) return false;
  if (node && !volumeNodeAffinityMatches(pv, node)) return false;
  return true;
}

export function startPersistentVolumeBinder(ctx: ControllerContext): Controller {
  const { client } = ctx;
  const log = ctx.logger.child({ controller: 'persistentvolume-binder' });
  const events = createEventRecorder(client, 'persistentvolume-controller', log);
  const claims = ctx.informers.forResource<PersistentVolumeClaim>(PERSISTENT_VOLUME_CLAIMS);
  const volumes = ctx.informers.forResource<PersistentVolume>(PERSISTENT_VOLUMES);
  const classes = ctx.informers.forResource<StorageClass>(STORAGE_CLASSES);
  const pods = ctx.informers.forResource<Pod>(PODS);
  const nodes = ctx.informers.forResource<Node>(NODES);
  /** The last event told about each claim, so a sync repeats none. */
  const told = new Map<string, string>();

  function tell(pvc: PersistentVolumeClaim, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const key = `${pvc.metadata.namespace}/${pvc.metadata.name}/${pvc.metadata.uid}`;
    if (told.get(key) === `${reason}${message}`) return;
    told.set(key, `${reason}${message}`);
    if (type === 'Normal') events.normal(pvc, reason, message);
    else events.warning(pvc, reason, message);
  }

  async function dropFinalizer(info: typeof PERSISTENT_VOLUMES, obj: PersistentVolume | PersistentVolumeClaim, finalizer: string): Promise<void> {
    await client.patch(resourcePath(info, obj.metadata.namespace, obj.metadata.name), {
      metadata: { resourceVersion: obj.metadata.resourceVersion, finalizers: (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer) },
    }, 'merge');
    log.info({ namespace: obj.metadata.namespace, name: obj.metadata.name, finalizer }, 'removed protection finalizer');
  }

  async function setClaimBound(pvc: PersistentVolumeClaim, pv: PersistentVolume, byController: boolean): Promise<void> {
    const annotations: Record<string, string> = { [ANN_BIND_COMPLETED]: 'yes' };
    if (byController) annotations[ANN_BOUND_BY_CONTROLLER] = 'yes';
    let current = pvc;
    if (pvc.spec.volumeName !== pv.metadata.name || pvc.metadata.annotations?.[ANN_BIND_COMPLETED] !== 'yes') {
      current = await client.patch<PersistentVolumeClaim>(resourcePath(PERSISTENT_VOLUME_CLAIMS, pvc.metadata.namespace, pvc.metadata.name), {
        metadata: { resourceVersion: pvc.metadata.resourceVersion, annotations },
        spec: { volumeName: pv.metadata.name },
      }, 'merge');
    }
    await client.patch(resourcePath(PERSISTENT_VOLUME_CLAIMS, pvc.metadata.namespace, pvc.metadata.name, 'status'), {
      metadata: { resourceVersion: current.metadata.resourceVersion },
      status: { phase: 'Bound', accessModes: pv.spec.accessModes, capacity: pv.spec.capacity },
    }, 'merge');
    log.info({ namespace: pvc.metadata.namespace, name: pvc.metadata.name, volume: pv.metadata.name }, 'claim bound');
  }

  async function bind(pvc: PersistentVolumeClaim, pv: PersistentVolume): Promise<void> {
    const preBound = pv.spec.claimRef?.uid === pvc.metadata.uid;
    if (!preBound) {
      pv = await client.patch<PersistentVolume>(resourcePath(PERSISTENT_VOLUMES, undefined, pv.metadata.name), {
        metadata: { resourceVersion: pv.metadata.resourceVersion, annotations: { [ANN_BOUND_BY_CONTROLLER]: 'yes' } },
        spec: { claimRef: { kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid, apiVersion: 'v1', resourceVersion: pvc.metadata.resourceVersion } },
      }, 'merge');
    }
    if (pv.status?.phase !== 'Bound') await setVolumePhase(pv, 'Bound');
    await setClaimBound(pvc, pv, !preBound);
  }

  async function setVolumePhase(pv: PersistentVolume, phase: string): Promise<void> {
    await client.patch(resourcePath(PERSISTENT_VOLUMES, undefined, pv.metadata.name, 'status'), { metadata: { resourceVersion: pv.metadata.resourceVersion }, status: { phase } }, 'merge');
    log.info({ name: pv.metadata.name, phase }, 'volume phase');
  }

  async function syncClaim(pvc: PersistentVolumeClaim, inUse: Set<string>): Promise<void> {
    const key = `${pvc.metadata.namespace}/${pvc.metadata.name}`;
    if (pvc.metadata.deletionTimestamp) {
      if (pvc.metadata.finalizers?.includes(PVC_PROTECTION_FINALIZER) && !inUse.has(key)) await dropFinalizer(PERSISTENT_VOLUME_CLAIMS, pvc, PVC_PROTECTION_FINALIZER);
      return;
    }
    if (pvc.spec.volumeName) {
      const pv = volumes.get(pvc.spec.volumeName);
      if (pv && pv.spec.claimRef?.uid === pvc.metadata.uid && pvc.status?.phase !== 'Bound') await setClaimBound(pvc, pv, false);
      return;
    }
    const className = claimClass(pvc);
    const sc = className ? classes.get(className) : undefined;
    const waitForConsumer = sc?.volumeBindingMode === 'WaitForFirstConsumer';
    const selectedNode = pvc.metadata.annotations?.[ANN_SELECTED_NODE];
    // a volume made for this claim first, then the smallest that fits
    const all = volumes.list();
    const made = all.find((v) => v.spec.claimRef?.uid === pvc.metadata.uid && !v.metadata.deletionTimestamp);
    if (made) return bind(pvc, made);
    if (waitForConsumer && !selectedNode) {
      tell(pvc, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
      return;
    }
    const node = selectedNode ? nodes.get(selectedNode) : undefined;
    const fits = all.filter((v) => volumeFits(v, pvc, waitForConsumer ? node : undefined));
    fits.sort((a, b) => compareQuantities(size(a.spec.capacity?.['storage']), size(b.spec.capacity?.['storage'])));
    if (fits[0]) return bind(pvc, fits[0]);
    if (className && !sc) {
      tell(pvc, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
      return;
    }
    if (!sc) {
      tell(pvc, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      return;
    }
    if (pvc.metadata.annotations?.[ANN_STORAGE_PROVISIONER] !== sc.provisioner) {
      await client.patch(resourcePath(PERSISTENT_VOLUME_CLAIMS, pvc.metadata.namespace, pvc.metadata.name), {
        metadata: { resourceVersion: pvc.metadata.resourceVersion, annotations: { [ANN_STORAGE_PROVISIONER]: sc.provisioner, [ANN_BETA_STORAGE_PROVISIONER]: sc.provisioner } },
      }, 'merge');
    }
    tell(pvc, 'Normal', 'ExternalProvisioning', `Waiting for a volume to be created either by the external provisioner '${sc.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
  }

  async function syncVolume(pv: PersistentVolume): Promise<void> {
    if (pv.metadata.deletionTimestamp) {
      if (pv.metadata.finalizers?.includes(PV_PROTECTION_FINALIZER) && pv.status?.phase !== 'Bound') await dropFinalizer(PERSISTENT_VOLUMES, pv, PV_PROTECTION_FINALIZER);
      return;
    }
    const ref = pv.spec.claimRef;
    if (!ref) {
      if (pv.status?.phase !== 'Available') await setVolumePhase(pv, 'Available');
      return;
    }
    const claim = claims.get(`${ref.namespace}/${ref.name}`);
    if (claim && (!ref.uid || claim.metadata.uid === ref.uid)) {
      // pre-bound to a claim not bound yet (a provisioned volume): Bound once the claim is
      if (claim.spec.volumeName === pv.metadata.name && pv.status?.phase !== 'Bound') await setVolumePhase(pv, 'Bound');
      else if (!claim.spec.volumeName && pv.status?.phase === 'Pending') await setVolumePhase(pv, 'Available');
      return;
    }
    if (pv.status?.phase !== 'Released' && pv.status?.phase !== 'Failed') {
      await setVolumePhase(pv, 'Released');
      log.info({ name: pv.metadata.name, claim: `${ref.namespace}/${ref.name}`, policy: pv.spec.persistentVolumeReclaimPolicy }, 'volume released');
    }
  }

  const queue = createWorkQueue(
    'persistentvolume-binder',
    async () => {
      await Promise.all([claims.synced(), volumes.synced(), classes.synced(), pods.synced(), nodes.synced()]);
      const inUse = claimsInUse(pods.list());
      for (const pvc of claims.list()) {
        try {
          await syncClaim(pvc, inUse);
        } catch (err) {
          if (!isConflict(err) && !isNotFound(err)) throw err;
          queue.addAfter(SYNC, 100);
        }
      }
      for (const pv of volumes.list()) {
        try {
          await syncVolume(pv);
        } catch (err) {
          if (!isConflict(err) && !isNotFound(err)) throw err;
          queue.addAfter(SYNC, 100);
        }
      }
    },
    { logger: log },
  );
  const resync = (): void => queue.add(SYNC);
  for (const inf of [claims, volumes, classes, nodes]) inf.addHandlers({ add: resync, update: resync, delete: resync });
  // pods matter when they stop using a claim
  pods.addHandlers({
    update: (old, pod) => {
      if (isPodTerminal(pod) !== isPodTerminal(old) && (pod.spec.volumes ?? []).some((v) => 'persistentVolumeClaim' in v)) resync();
    },
    delete: (pod) => {
      if ((pod.spec.volumes ?? []).some((v) => 'persistentVolumeClaim' in v)) resync();
    },
  });
  resync();
  return {
    name: 'persistentvolume-binder',
    stop() {
      queue.stop();
    },
  };
}

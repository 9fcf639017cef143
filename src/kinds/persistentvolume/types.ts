// core/v1 PersistentVolume and PersistentVolumeClaim as loopkube reads them (k8s.io/api/core/v1):
// the fields its admission, binder, provisioner, scheduler and kubelet look at.
import type { KubeObject, LabelSelector, ObjectMeta, ObjectReference } from '../../api/types.js';

export type ResourceList = Record<string, string>;

export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface VolumeNodeAffinity {
  required?: { nodeSelectorTerms?: Array<{ matchExpressions?: NodeSelectorRequirement[]; matchFields?: NodeSelectorRequirement[] }> };
}

export interface PersistentVolumeSpec {
  capacity?: ResourceList;
  accessModes?: string[];
  claimRef?: ObjectReference | null;
  persistentVolumeReclaimPolicy?: string;
  storageClassName?: string;
  mountOptions?: string[];
  volumeMode?: string;
  nodeAffinity?: VolumeNodeAffinity | null;
  volumeAttributesClassName?: string | null;
  hostPath?: { path?: string; type?: string } | null;
  local?: { path?: string; fsType?: string } | null;
  [source: string]: unknown;
}

export interface PersistentVolume extends KubeObject {
  metadata: ObjectMeta;
  spec: PersistentVolumeSpec;
  status?: { phase?: string; message?: string; reason?: string; lastPhaseTransitionTime?: string };
}

export interface PersistentVolumeClaimSpec {
  accessModes?: string[];
  selector?: LabelSelector | null;
  resources?: { requests?: ResourceList; limits?: ResourceList };
  volumeName?: string;
  storageClassName?: string | null;
  volumeMode?: string | null;
  dataSource?: unknown;
  dataSourceRef?: unknown;
  volumeAttributesClassName?: string | null;
}

export interface PersistentVolumeClaim extends KubeObject {
  metadata: ObjectMeta;
  spec: PersistentVolumeClaimSpec;
  status?: { phase?: string; accessModes?: string[]; capacity?: ResourceList; conditions?: unknown[] };
}

/** The volume sources a PersistentVolume may name (PersistentVolumeSource's fields). */
export const PERSISTENT_VOLUME_SOURCES = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'iscsi', 'cinder', 'cephfs', 'fc',
  'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume',
  'scaleIO', 'local', 'storageos', 'csi',
] as const;

/** Annotations the PV controller and provisioners write (pkg/controller/volume/persistentvolume/util). */
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
export const ANN_DYNAMICALLY_PROVISIONED = 'pv.kubernetes.io/provisioned-by';
export const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';
export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';

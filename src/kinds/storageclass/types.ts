// storage.k8s.io/v1 StorageClass (k8s.io/api/storage/v1): a provisioner and how its volumes are
// made, bound and reclaimed.
import type { KubeObject, ObjectMeta } from '../../api/types.js';

export interface StorageClass extends KubeObject {
  metadata: ObjectMeta;
  provisioner: string;
  parameters?: Record<string, string>;
  reclaimPolicy?: string;
  mountOptions?: string[];
  allowVolumeExpansion?: boolean;
  volumeBindingMode?: string;
  allowedTopologies?: unknown[];
}

export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
export const BETA_DEFAULT_CLASS_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';

/** storageutil.IsDefaultAnnotation: either annotation is "true". */
export function isDefaultClass(sc: StorageClass): boolean {
  const a = sc.metadata.annotations ?? {};
  return a[DEFAULT_CLASS_ANNOTATION] === 'true' || a[BETA_DEFAULT_CLASS_ANNOTATION] === 'true';
}

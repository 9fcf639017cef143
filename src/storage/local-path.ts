// The built-in local-path provisioner, as kind ships rancher's local-path-provisioner: the
// default StorageClass `standard` (WaitForFirstConsumer, reclaim Delete), and where each volume's
// folder lives. A volume is a folder under its node's folder in the cluster folder
// (`<home>/nodes/<node>/local-path-provisioner/pvc-<uid>_<namespace>_<claim>`, as local-path
// makes `/var/local-path-provisioner/pvc-...` inside a kind node), with node affinity to that
// node. Manifests written for minikube name `k8s.io/minikube-hostpath`: its volumes are folders
// too (`<home>/hostpath-provisioner/<namespace>/<claim>`), without node affinity, as minikube's
// storage-provisioner makes them on its single node.
import path from 'node:path';
import { DEFAULT_CLASS_ANNOTATION, type StorageClass } from '../kinds/storageclass/types.js';

export const LOCAL_PATH_PROVISIONER = 'rancher.io/local-path';
export const MINIKUBE_HOSTPATH_PROVISIONER = 'k8s.io/minikube-hostpath';
export const BUILT_IN_PROVISIONERS: readonly string[] = [LOCAL_PATH_PROVISIONER, MINIKUBE_HOSTPATH_PROVISIONER];

export const STANDARD_STORAGE_CLASS: StorageClass = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'standard', annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } },
  provisioner: LOCAL_PATH_PROVISIONER,
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'WaitForFirstConsumer',
};

/** The folder of a provisioned volume (node: the selected node, for local-path). */
export function volumeFolder(home: string, provisioner: string, claim: { uid: string; namespace: string; name: string }, node: string | undefined): string {
  if (provisioner === MINIKUBE_HOSTPATH_PROVISIONER) return path.join(home, 'hostpath-provisioner', claim.namespace, claim.name);
  return path.join(home, 'nodes', node ?? '', 'local-path-provisioner', `pvc-${claim.uid}_${claim.namespace}_${claim.name}`);
}

/** Whether a folder is one this cluster's provisioner made (nothing else is ever removed). */
export function isProvisionedFolder(home: string, folder: string): boolean {
  const rel = path.relative(home, folder);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return false;
  const parts = rel.split(path.sep);
  return (parts[0] === 'hostpath-provisioner' && parts.length === 3) || (parts[0] === 'nodes' && parts[2] === 'local-path-provisioner' && parts.length === 4);
}

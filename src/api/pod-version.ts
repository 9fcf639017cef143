// Which version of its workload a pod runs, as the built-in app reports it in every answer and
// `loopkube load` groups its timeline by: the `pod-template-hash` label a Deployment's
// ReplicaSets put on their pods, else the `controller-revision-hash` of a StatefulSet or a
// DaemonSet, else the tag of the pod's first image (what a ReplicationController's pods differ
// by when their template's image changes).

export function podVersion(labels: Record<string, string> | undefined, image: string | undefined): string {
  const hash = labels?.['pod-template-hash'] ?? labels?.['controller-revision-hash'];
  if (hash) return hash;
  return imageTag(image);
}

/** `nginx:1.27` -> `1.27`, `repo@sha256:abcd...` -> `sha256:abcd123` (a prefix), no tag -> `latest`. */
export function imageTag(image: string | undefined): string {
  if (!image) return 'latest';
  const at = image.indexOf('@');
  if (at >= 0) return image.slice(at + 1, at + 1 + 14);
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? image.slice(colon + 1) : 'latest';
}

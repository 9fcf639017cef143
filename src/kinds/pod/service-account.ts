// The ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount), on pod creation: a
// pod without a service account runs as `default`; the one it names must exist in its namespace
// (`pods "x" is forbidden: error looking up service account ns/name: serviceaccount "name" not
// found`); a pod with no imagePullSecrets takes the account's. The `default` account is made by
// a controller right after its namespace, so a lookup of it is retried a few times, as upstream's.
//
// Upstream also mounts a projected token volume (kube-api-access-*) into every container; loopkube
// does not: its API server has no TokenRequest, and no bound token it could project would
// authenticate. See README "Pods and their ServiceAccount".
import type { ServiceAccount } from '../../api/config.js';
import { ApiError, statusFailure } from '../../api/errors.js';
import type { Pod } from '../../api/types.js';
import type { AdmissionDeps } from '../kind.js';
import { SERVICE_ACCOUNTS } from '../serviceaccount/resource.js';

export const DEFAULT_SERVICE_ACCOUNT = 'default';

/** Upstream retries the default account 10 times, 100-200 ms apart; any other name once. */
const DEFAULT_LOOKUPS = 10;

type PodSpecShape = Pod['spec'] & { serviceAccount?: string; imagePullSecrets?: Array<{ name?: string }> };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function lookUp(deps: AdmissionDeps, namespace: string, name: string): Promise<ServiceAccount | undefined> {
  const get = deps.getObject!;
  const attempts = name === DEFAULT_SERVICE_ACCOUNT ? DEFAULT_LOOKUPS : 1;
  const interval = 100 + Math.floor(Math.random() * 100);
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await sleep(interval);
    const sa = (await get(SERVICE_ACCOUNTS, namespace, name)) as ServiceAccount | undefined;
    if (sa) return sa;
  }
  return undefined;
}

/**
 * The name admission errors give a pod: before the API server generates a name, a pod created
 * with generateName is known by that prefix (admission.NewForbidden's extractResourceName).
 */
export function nameForErrors(pod: Pod): string {
  const { name = '', generateName } = pod.metadata;
  return generateName && name.startsWith(generateName) && name.length === generateName.length + 5 ? generateName : name;
}

/** Sets the pod's service account (and pull secrets); returns the 403 when the account is missing. */
export async function admitServiceAccount(pod: Pod, deps: AdmissionDeps): Promise<ApiError | undefined> {
  const spec = pod.spec as PodSpecShape;
  if (!spec.serviceAccountName) spec.serviceAccountName = DEFAULT_SERVICE_ACCOUNT;
  spec.serviceAccount = spec.serviceAccountName;
  if (!deps.getObject) return undefined;
  const namespace = pod.metadata.namespace ?? 'default';
  const name = spec.serviceAccountName;
  const sa = await lookUp(deps, namespace, name);
  if (!sa) {
    const podName = nameForErrors(pod);
    const message = `pods "${podName}" is forbidden: error looking up service account ${namespace}/${name}: serviceaccount "${name}" not found`;
    return new ApiError(statusFailure(403, 'Forbidden', message, { name: podName, kind: 'pods' }));
  }
  if (!spec.imagePullSecrets?.length && sa.imagePullSecrets?.length) spec.imagePullSecrets = sa.imagePullSecrets.map((s) => ({ name: s.name ?? '' }));
  return undefined;
}

/**
 * An update that leaves the account out keeps the one admission gave the pod, as keepPriority
 * does for the priority (upstream refuses such a PUT as a spec change; a manifest re-applied with
 * `kubectl replace` should not be).
 */
export function keepServiceAccount(spec: Pod['spec'], old: Pod['spec']): void {
  const s = spec as PodSpecShape;
  if (!s.serviceAccountName && !s.serviceAccount && old.serviceAccountName) s.serviceAccountName = old.serviceAccountName;
}

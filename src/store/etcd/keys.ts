// Where the store keeps objects in etcd: kube-apiserver's key layout, so what `etcdctl get
// --prefix --keys-only /registry/` lists is what a Kubernetes user expects to see there.
//
// The store's keys are `/registry/<group/resource>/<namespace>/<name>`; kube-apiserver stores a
// few resources under other names (its storage factory's resource prefixes: nodes are
// `minions`, Services `services/specs`, Endpoints `services/endpoints`, ReplicationControllers
// `controllers`) and leaves the group out of the others' keys (`/registry/leases/...`,
// `/registry/deployments/...`). The table below is that mapping; any resource not in it is kept
// under its store key as it is. Every key is under the cluster's prefix: none for an etcd the
// cluster has to itself (`/registry/pods/default/web-1`, exactly kube-apiserver's default
// `--etcd-prefix=/registry`), `/loopkube/<cluster>` for one it shares.
export const REGISTRY = '/registry/';

/** Store prefix -> the prefix kube-apiserver uses in etcd. A bijection: no two share a side. */
export const KUBE_RESOURCE_PREFIXES: ReadonlyArray<readonly [store: string, etcd: string]> = [
  ['/registry/nodes/', '/registry/minions/'],
  ['/registry/services/', '/registry/services/specs/'],
  ['/registry/endpoints/', '/registry/services/endpoints/'],
  ['/registry/replicationcontrollers/', '/registry/controllers/'],
  ['/registry/coordination.k8s.io/leases/', '/registry/leases/'],
  ['/registry/discovery.k8s.io/endpointslices/', '/registry/endpointslices/'],
  ['/registry/apps/deployments/', '/registry/deployments/'],
  ['/registry/apps/replicasets/', '/registry/replicasets/'],
  ['/registry/apps/statefulsets/', '/registry/statefulsets/'],
  ['/registry/apps/daemonsets/', '/registry/daemonsets/'],
  ['/registry/apps/controllerrevisions/', '/registry/controllerrevisions/'],
  ['/registry/batch/jobs/', '/registry/jobs/'],
  ['/registry/batch/cronjobs/', '/registry/cronjobs/'],
  ['/registry/networking.k8s.io/ingresses/', '/registry/ingress/'],
  ['/registry/networking.k8s.io/ingressclasses/', '/registry/ingressclasses/'],
  ['/registry/networking.k8s.io/networkpolicies/', '/registry/networkpolicies/'],
  ['/registry/autoscaling/horizontalpodautoscalers/', '/registry/horizontalpodautoscalers/'],
  ['/registry/policy/poddisruptionbudgets/', '/registry/poddisruptionbudgets/'],
  ['/registry/scheduling.k8s.io/priorityclasses/', '/registry/priorityclasses/'],
  ['/registry/storage.k8s.io/storageclasses/', '/registry/storageclasses/'],
  ['/registry/rbac.authorization.k8s.io/roles/', '/registry/roles/'],
  ['/registry/rbac.authorization.k8s.io/rolebindings/', '/registry/rolebindings/'],
  ['/registry/rbac.authorization.k8s.io/clusterroles/', '/registry/clusterroles/'],
  ['/registry/rbac.authorization.k8s.io/clusterrolebindings/', '/registry/clusterrolebindings/'],
];

/** What a list or watch of a store prefix asks etcd for. */
export interface EtcdRange {
  key: Buffer;
  rangeEnd: Buffer;
  /**
   * The range is wider than the prefix (a parent of renamed resources, such as `/registry/`):
   * keep only what maps back under the prefix.
   */
  filter: boolean;
}

export interface EtcdKeys {
  /** `` or `/loopkube/<cluster>`. */
  readonly clusterPrefix: string;
  toEtcd(storeKey: string): string;
  /** The store key of an etcd key, or undefined for a key the store did not write. */
  fromEtcd(etcdKey: string): string | undefined;
  range(storePrefix: string): EtcdRange;
  /** A key no object has, to read the current revision with. */
  readonly probeKey: Buffer;
}

/** The smallest key greater than every key that starts with `prefix` (etcd's range_end for a prefix). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i] += 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]); // every byte 0xff: the range goes to the end of the keyspace
}

export function etcdKeys(clusterPrefix: string): EtcdKeys {
  const cp = clusterPrefix.replace(/\/+$/, '');
  if (cp !== '' && !cp.startsWith('/')) throw new RangeError(`an etcd key prefix must start with "/", got ${JSON.stringify(clusterPrefix)}`);
  const byStoreLength = [...KUBE_RESOURCE_PREFIXES].sort((a, b) => b[0].length - a[0].length);
  const byEtcdLength = [...KUBE_RESOURCE_PREFIXES].sort((a, b) => b[1].length - a[1].length);

  function mapped(storeKey: string): string {
    for (const [s, e] of byStoreLength) if (storeKey.startsWith(s)) return e + storeKey.slice(s.length);
    return storeKey;
  }

  function unmapped(key: string): string | undefined {
    for (const [s, e] of byEtcdLength) if (key.startsWith(e)) return s + key.slice(e.length);
    // A key in a renamed resource's place under its store name cannot be ours.
    for (const [s] of byStoreLength) if (key.startsWith(s)) return undefined;
    return key;
  }

  const whole = Buffer.from(cp + REGISTRY);
  return {
    clusterPrefix: cp,
    toEtcd: (storeKey) => cp + mapped(storeKey),
    fromEtcd(etcdKey) {
      if (!etcdKey.startsWith(cp + REGISTRY)) return undefined;
      return unmapped(etcdKey.slice(cp.length));
    },
    range(storePrefix) {
      // A prefix inside one resource (or one the table leaves alone) maps to one etcd prefix; a
      // parent of some renamed resource needs the whole registry, filtered.
      const isParentOfRenamed = byStoreLength.some(([s]) => s.startsWith(storePrefix) && s !== storePrefix) && !byStoreLength.some(([s]) => storePrefix.startsWith(s));
      if (isParentOfRenamed || !storePrefix.startsWith(REGISTRY)) {
        return { key: whole, rangeEnd: prefixEnd(whole), filter: storePrefix !== REGISTRY };
      }
      const key = Buffer.from(cp + mapped(storePrefix));
      return { key, rangeEnd: prefixEnd(key), filter: false };
    },
    probeKey: Buffer.from(cp + REGISTRY.slice(0, -1)),
  };
}

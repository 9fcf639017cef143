// `etcd://HOST:PORT[,HOST:PORT...][/PREFIX]`: the members' client addresses and the key prefix
// of the cluster's objects. Without a path the prefix is `/loopkube/<cluster>`, so several
// clusters can share one etcd; a path sets it (`/` for none: the keys are then exactly
// kube-apiserver's, `/registry/pods/default/web-1`, as in an etcd a cluster has to itself).
export interface EtcdUrl {
  endpoints: string[];
  /** The path, when the URL has one (`` for `/`); undefined when it has none. */
  prefix?: string;
}

const ENDPOINT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
export const IPV4_ENDPOINT = /^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/;
export const IPV6_ENDPOINT = /^\[[0-9a-fA-F:.]+\]:\d{1,5}$/;

export function isEtcdUrl(s: string): boolean {
  return parseEtcdUrl(s) !== undefined;
}

export function parseEtcdUrl(s: string): EtcdUrl | undefined {
  const m = /^etcd:\/\/([^/?#]+)(\/[^?#]*)?$/.exec(s);
  if (!m) return undefined;
  const endpoints = m[1].split(',');
  for (const e of endpoints) {
    const em = ENDPOINT.exec(e);
    if (!em || Number(em[2]) < 1 || Number(em[2]) > 65535) return undefined;
  }
  const path = m[2];
  if (path === undefined) return { endpoints };
  const prefix = path.replace(/\/+$/, '');
  if (/\/\/|\s/.test(prefix)) return undefined;
  return { endpoints, prefix };
}

/** The prefix a cluster's objects go under: the URL's, else `/loopkube/<cluster>`. */
export function clusterEtcdPrefix(url: EtcdUrl, cluster: string): string {
  return url.prefix ?? `/loopkube/${cluster}`;
}

/** Why a list of etcd endpoints cannot be used, in words for the user; undefined when it can. */
export function etcdEndpointsProblem(endpoints: readonly string[]): string | undefined {
  if (endpoints.length === 0) return 'an etcd store needs at least one endpoint';
  if (endpoints.length === 1 || endpoints.every((e) => IPV4_ENDPOINT.test(e)) || endpoints.every((e) => IPV6_ENDPOINT.test(e))) return undefined;
  return `several etcd endpoints must all be IPv4 addresses (127.0.0.1:2379) or all IPv6 addresses ([::1]:2379) with ports, not host names or a mix (got ${endpoints.join(',')}); name one member by its host name instead`;
}

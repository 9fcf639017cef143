// The members of an etcd cluster loopkube runs itself (`loopkube up --etcd[=3]`, and the
// tests' and benchmark's throwaway etcds): each on 127.0.0.1 (or another loopback address, ::1
// included) with a client and a peer port of its own and a data folder of its own, started with Debian's `etcd` (package etcd-server).
//
// The peer addresses are part of the cluster's membership, written into every member's data
// the first time it starts: they must stay the same for as long as the data is kept.
import path from 'node:path';

export interface EtcdMember {
  /** `etcd-1` ... */
  name: string;
  clientPort: number;
  peerPort: number;
  /** The address it listens on: 127.0.0.1 unless given (`::1` for IPv6). */
  host?: string;
}

export const ETCD_BINARY = 'etcd';
export const ETCD_PACKAGE = 'etcd-server';

/** `etcd-1`, `etcd-2`, ... with the given ports. */
export function etcdMemberNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `etcd-${i + 1}`);
}

/** `HOST:PORT`, an IPv6 host in brackets. */
function hostPort(m: EtcdMember, port: number): string {
  const host = m.host ?? '127.0.0.1';
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function clientAddress(m: EtcdMember): string {
  return hostPort(m, m.clientPort);
}

/** Command-line flags of one member. */
export function etcdMemberArgs(m: EtcdMember, all: readonly EtcdMember[], opts: { dataDir: string; clusterToken: string }): string[] {
  const peer = (x: EtcdMember) => `http://${hostPort(x, x.peerPort)}`;
  const client = `http://${clientAddress(m)}`;
  return [
    '--name', m.name,
    '--data-dir', path.join(opts.dataDir, m.name),
    '--listen-client-urls', client,
    '--advertise-client-urls', client,
    '--listen-peer-urls', peer(m),
    '--initial-advertise-peer-urls', peer(m),
    '--initial-cluster', all.map((x) => `${x.name}=${peer(x)}`).join(','),
    '--initial-cluster-state', 'new',
    '--initial-cluster-token', opts.clusterToken,
    '--logger', 'zap',
    '--log-outputs', 'stderr',
  ];
}

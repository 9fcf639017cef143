// How `up` turns flags, a cluster file and an existing cluster into cluster.json: precedence,
// the address plan, and the rules that keep an existing cluster's plan fixed.
import { describe, expect, it } from 'vitest';
import { ClusterConfigError, parseClusterFile, type ClusterFile } from '../../src/cluster/cluster-file.js';
import { kubernetesServiceIP, nodeAddresses, type ClusterConfig } from '../../src/cluster/config.js';
import { UsageError } from '../../src/cli/args.js';
import {
  DEFAULT_PLAN,
  resolveClusterConfig,
  resolveClusterName,
  type AddressPlan,
  type UpFlags,
} from '../../src/cli/resolve-config.js';

const HOME = '/tmp/loopkube-home/demo';

function file(yaml: string): ClusterFile {
  return parseClusterFile(`kind: Cluster\napiVersion: loopkube.dev/v1alpha1\n${yaml}`);
}

function resolve(flags: UpFlags, f?: ClusterFile, existing?: { config: ClusterConfig; plan: AddressPlan | null }): ClusterConfig {
  return resolveClusterConfig({ name: 'demo', home: HOME, flags, file: f, existing }).config;
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ClusterConfigError) return err.errors.join('\n');
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  return '';
}

describe('resolveClusterConfig: settings', () => {
  it('defaults: 3 nodes on the documented address plan, embedded store, port 6443', () => {
    const c = resolve({});
    expect(c.apiServer).toEqual({ host: '127.0.0.1', port: 6443 });
    expect(c.store).toBe('embedded');
    expect(c.serviceCIDR).toBe('127.96.0.0/12');
    expect(c.dns.ip).toBe('127.96.0.10');
    expect(kubernetesServiceIP(c.serviceCIDR)).toBe('127.96.0.1');
    expect(c.loadBalancerPool).toBe('127.200.0.0/24');
    expect(c.nodePortRange).toEqual({ min: 30000, max: 32767 });
    expect(c.nodes.map((n) => [n.name, n.ip, n.podCIDR])).toEqual(
      [1, 2, 3].map((i) => [`node-${i}`, nodeAddresses(i).ip, nodeAddresses(i).podCIDR]),
    );
    expect(c.nodes[0].capacity).toEqual({ cpu: '4', memory: '8Gi', pods: '110' });
    expect(c.proxy.mode).toBe('round-robin');
    expect(c.proxy.dataPlane).toBe('splice');
    expect(c.home).toBe(HOME);
  });

  const cases: Array<{ name: string; flags: UpFlags; file?: string; check: (c: ClusterConfig) => void }> = [
    { name: '--nodes 0 gives a control plane only', flags: { nodes: 0 }, check: (c) => expect(c.nodes).toEqual([]) },
    { name: 'host processes are off by default', flags: {}, check: (c) => expect(c.hostProcesses).toBeUndefined() },
    { name: '--host-processes allows them', flags: { hostProcesses: true }, check: (c) => expect(c.hostProcesses).toBe(true) },
    { name: 'hostProcesses: true in the file allows them', flags: {}, file: 'hostProcesses: true', check: (c) => expect(c.hostProcesses).toBe(true) },
    { name: 'hostProcesses: false in the file leaves them off', flags: {}, file: 'hostProcesses: false', check: (c) => expect(c.hostProcesses).toBeUndefined() },
    { name: '--api-port wins over the file', flags: { apiPort: 7000 }, file: 'networking: { apiServerPort: 8000 }', check: (c) => expect(c.apiServer.port).toBe(7000) },
    { name: 'the file sets the API port', flags: {}, file: 'networking: { apiServerPort: 8000 }', check: (c) => expect(c.apiServer.port).toBe(8000) },
    {
      name: 'node N gets address N of nodeSubnet and the Nth /24 of podSubnet',
      flags: { nodes: 2 },
      file: 'networking: { nodeSubnet: 127.11.0.0/24, podSubnet: 127.245.0.0/16 }',
      check: (c) => expect(c.nodes.map((n) => [n.ip, n.podCIDR])).toEqual([['127.11.0.1', '127.245.1.0/24'], ['127.11.0.2', '127.245.2.0/24']]),
    },
    {
      name: 'the file lists the nodes: their count, names, capacity, labels, taints',
      flags: {},
      file: 'nodes: [{ name: big, capacity: { memory: 32Gi }, labels: { ssd: "yes" }, taints: [{ key: k, effect: NoSchedule }] }, {}]',
      check: (c) => {
        expect(c.nodes.map((n) => n.name)).toEqual(['big', 'node-2']);
        expect(c.nodes[0].capacity).toEqual({ cpu: '4', memory: '32Gi', pods: '110' });
        expect(c.nodes[0].labels).toEqual({ ssd: 'yes' });
        expect(c.nodes[0].taints).toEqual([{ key: 'k', effect: 'NoSchedule' }]);
      },
    },
    { name: '--nodes wins over the file\'s list', flags: { nodes: 1 }, file: 'nodes: [{ name: a }, { name: b }]', check: (c) => expect(c.nodes.map((n) => n.name)).toEqual(['a']) },
    { name: 'service subnet gives the DNS IP (.10)', flags: {}, file: 'networking: { serviceSubnet: 127.97.0.0/16 }', check: (c) => expect(c.dns.ip).toBe('127.97.0.10') },
    { name: '--store redis URL', flags: { store: 'redis://127.0.0.1:6379/2' }, check: (c) => expect([c.store, c.managedRedis]).toEqual(['redis://127.0.0.1:6379/2', undefined]) },
    { name: '--redis makes a managed Redis', flags: { redis: true }, check: (c) => expect(c.managedRedis).toEqual({ port: 0 }) },
    { name: '--store etcd URL', flags: { store: 'etcd://127.0.0.1:2379,127.0.0.1:22379/mine' }, check: (c) => expect([c.store, c.managedEtcd]).toEqual(['etcd://127.0.0.1:2379,127.0.0.1:22379/mine', undefined]) },
    { name: '--store etcd URL of IPv6 members', flags: { store: 'etcd://[::1]:2379,[::1]:22379/' }, check: (c) => expect(c.store).toBe('etcd://[::1]:2379,[::1]:22379/') },
    {
      name: '--etcd=3 makes a managed etcd of three members (ports picked by up)',
      flags: { etcd: 3 },
      check: (c) => expect(c.managedEtcd?.members).toEqual(['etcd-1', 'etcd-2', 'etcd-3'].map((name) => ({ name, clientPort: 0, peerPort: 0 }))),
    },
    {
      name: '--control-planes 3: three API servers on 127.0.0.11-13 at the API port, the front end on 127.0.0.1',
      flags: { controlPlanes: 3, etcd: 3, apiPort: 7443 },
      check: (c) => {
        expect(c.apiServer).toEqual({ host: '127.0.0.1', port: 7443 });
        expect(c.controlPlanes).toEqual([1, 2, 3].map((i) => ({ name: `control-plane-${i}`, host: `127.0.0.1${i}`, port: 7443 })));
        expect(c.leaderElection).toEqual({ leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 });
      },
    },
    {
      name: 'the file sets control planes and leader election timing',
      flags: { redis: true },
      file: 'controlPlane: { replicas: 2, leaderElection: { leaseDurationSeconds: 8, renewDeadlineSeconds: 6, retryPeriodSeconds: 1 } }',
      check: (c) => {
        expect(c.controlPlanes?.map((cp) => cp.name)).toEqual(['control-plane-1', 'control-plane-2']);
        expect(c.leaderElection).toEqual({ leaseDurationSeconds: 8, renewDeadlineSeconds: 6, retryPeriodSeconds: 1 });
      },
    },
    { name: 'one control plane is the single API server of old', flags: { controlPlanes: 1 }, check: (c) => expect(c.controlPlanes).toBeUndefined() },
    { name: 'proxy mode and node lifecycle from the file', flags: {}, file: 'proxy: { mode: random }\nnodeLifecycle: { podEvictionTimeoutSeconds: 30 }', check: (c) => {
      expect(c.proxy.mode).toBe('random');
      expect(c.nodeLifecycle).toEqual({ nodeMonitorGracePeriodSeconds: 4, podEvictionTimeoutSeconds: 30 });
    } },
    { name: 'the file picks the data plane', flags: {}, file: 'proxy: { dataPlane: socket }', check: (c) => expect(c.proxy.dataPlane).toBe('socket') },
    { name: 'propagation is instant by default', flags: {}, check: (c) => expect(c.propagation).toEqual({ preset: 'instant', endpointUpdatesBatchPeriodMs: 0, minSyncPeriodMs: 0, syncPeriodMs: 30_000, syncDelayMs: 0 }) },
    {
      name: 'the production preset: kube-proxy\'s minSyncPeriod 1s and syncPeriod 30s, 1s of endpoint batching',
      flags: { propagation: 'production' },
      check: (c) => expect(c.propagation).toEqual({ preset: 'production', endpointUpdatesBatchPeriodMs: 1000, minSyncPeriodMs: 1000, syncPeriodMs: 30_000, syncDelayMs: 0 }),
    },
    {
      name: 'fields override the preset, flags over the file',
      flags: { timings: { syncDelayMs: 300 } },
      file: 'propagation: { preset: production, syncDelay: 2s, minSyncPeriod: 500ms }',
      check: (c) => expect(c.propagation).toEqual({ preset: 'production', endpointUpdatesBatchPeriodMs: 1000, minSyncPeriodMs: 500, syncPeriodMs: 30_000, syncDelayMs: 300 }),
    },
    { name: '--data-plane wins over the file', flags: { dataPlane: 'splice' }, file: 'proxy: { dataPlane: socket }', check: (c) => expect(c.proxy.dataPlane).toBe('splice') },
  ];
  it.each(cases)('$name', ({ flags, file: yaml, check }) => {
    check(resolve(flags, yaml ? file(yaml) : undefined));
  });
});

describe('resolveClusterConfig: rules', () => {
  const cases: Array<{ rule: string; flags: UpFlags; file?: string; error: string }> = [
    { rule: '--store and --redis exclude each other', flags: { redis: true, store: 'embedded' }, error: '--store and --redis cannot be used together' },
    { rule: '--store must be embedded, redis:// or etcd://HOST:PORT', flags: { store: 'etcd://x' }, error: 'invalid argument "etcd://x" for "--store" flag' },
    {
      rule: 'several etcd members are named by address, not host name (gRPC takes a list of addresses)',
      flags: { store: 'etcd://etcd-a.example:2379,etcd-b.example:2379' },
      error: 'invalid argument "etcd://etcd-a.example:2379,etcd-b.example:2379" for "--store" flag: several etcd endpoints must all be IPv4 addresses (127.0.0.1:2379) or all IPv6 addresses ([::1]:2379) with ports, not host names or a mix',
    },
    { rule: '--etcd and --store exclude each other', flags: { etcd: 1, store: 'embedded' }, error: '--store and --etcd cannot be used together' },
    { rule: '--etcd and --redis exclude each other', flags: { etcd: 1, redis: true }, error: '--redis and --etcd cannot be used together' },
    {
      rule: 'several control planes need a shared store',
      flags: { controlPlanes: 3 },
      error: '--control-planes: Invalid value: 3: several API servers need a store they can share: start the cluster with --etcd=3',
    },
    {
      rule: 'lease duration exceeds the renew deadline (client-go)',
      flags: { redis: true },
      file: 'controlPlane: { leaderElection: { leaseDurationSeconds: 5, renewDeadlineSeconds: 5 } }',
      error: 'controlPlane.leaderElection.leaseDurationSeconds: Invalid value: 5: leaseDuration must be greater than renewDeadline',
    },
    {
      rule: 'renew deadline exceeds retry period times 1.2 (client-go)',
      flags: { redis: true },
      file: 'controlPlane: { leaderElection: { renewDeadlineSeconds: 2, retryPeriodSeconds: 2 } }',
      error: 'renewDeadline must be greater than retryPeriod*JitterFactor (1.2)',
    },
    { rule: '--store needs a host', flags: { store: 'redis://' }, error: 'invalid argument "redis://" for "--store" flag' },
    { rule: 'node count fits the node subnet', flags: { nodes: 7 }, file: 'networking: { nodeSubnet: 127.11.0.0/29 }', error: '--nodes: Invalid value: 7: the address plan has room for 6 nodes' },
    { rule: 'node count fits the pod subnet', flags: { nodes: 4 }, file: 'networking: { podSubnet: 127.245.0.0/22 }', error: '--nodes: Invalid value: 4: the address plan has room for 3 nodes' },
    {
      rule: 'subnets must not overlap',
      flags: {},
      file: 'networking: { podSubnet: 127.96.0.0/16 }',
      error: 'networking.podSubnet: Invalid value: "127.96.0.0/16": must not overlap networking.serviceSubnet (127.96.0.0/12)',
    },
    { rule: 'node subnet stays off 127.0.0.0/24', flags: {}, file: 'networking: { nodeSubnet: 127.0.0.0/24 }', error: 'must not overlap 127.0.0.0/24, where the API server listens' },
    {
      rule: 'syncPeriod is at least minSyncPeriod (kube-proxy\'s rule)',
      flags: { timings: { minSyncPeriodMs: 60_000 } },
      file: 'propagation: { syncPeriod: 30s }',
      error: 'propagation.syncPeriod: Invalid value: "30s": must be greater than or equal to --min-sync-period',
    },
    {
      rule: 'the kernel cannot balance by least connections (nftables)',
      flags: { dataPlane: 'nftables' },
      file: 'proxy: { mode: least-connections }',
      error: 'proxy.mode: Invalid value: "least-connections": the nftables data plane balances round-robin or random',
    },
    { rule: 'syncPeriod is positive', flags: { timings: { syncPeriodMs: 0 } }, error: '--sync-period: Invalid value: "0s": must be greater than 0' },
    { rule: 'node names stay unique with defaults', flags: { nodes: 2 }, file: 'nodes: [{ name: node-2 }]', error: 'nodes[1].name: Duplicate value: "node-2"' },
  ];
  it.each(cases)('$rule', ({ flags, file: yaml, error }) => {
    expect(errorOf(() => resolve(flags, yaml ? file(yaml) : undefined))).toContain(error);
  });

  it('--name is an RFC 1123 label', () => {
    expect(errorOf(() => resolveClusterName({ name: 'Bad_Name' }))).toContain('--name: Invalid value: "Bad_Name": a lowercase RFC 1123 label');
    expect(resolveClusterName({}, file('name: from-file'))).toBe('from-file');
    expect(resolveClusterName({ name: 'flag' }, file('name: from-file'))).toBe('flag');
    expect(resolveClusterName({})).toBe('default');
  });
});

describe('resolveClusterConfig: an existing cluster', () => {
  const plan: AddressPlan = { ...DEFAULT_PLAN, nodeSubnet: '127.11.0.0/24' };
  const before = resolveClusterConfig({ name: 'demo', home: HOME, flags: { nodes: 2, apiPort: 7443 }, file: file('networking: { nodeSubnet: 127.11.0.0/24 }\nproxy: { mode: random }') }).config;
  before.proxy.metricsPort = 40001;
  before.dashboard.port = 40002;
  const existing = { config: before, plan };

  it('keeps what it was made with when nothing is asked', () => {
    const c = resolve({}, undefined, existing);
    expect(c.apiServer.port).toBe(7443);
    expect(c.nodes.map((n) => n.ip)).toEqual(['127.11.0.1', '127.11.0.2']);
    expect(c.proxy).toEqual({ mode: 'random', metricsPort: 40001, dataPlane: 'splice' });
    expect(c.dashboard.port).toBe(40002);
  });

  it('keeps its propagation timings until a preset or a field is asked for', () => {
    const tuned = { ...before, propagation: { preset: 'production' as const, endpointUpdatesBatchPeriodMs: 1000, minSyncPeriodMs: 1000, syncPeriodMs: 30_000, syncDelayMs: 700 } };
    const prior = { config: tuned, plan };
    expect(resolve({}, undefined, prior).propagation?.syncDelayMs).toBe(700);
    expect(resolve({ timings: { minSyncPeriodMs: 2000 } }, undefined, prior).propagation).toMatchObject({ syncDelayMs: 700, minSyncPeriodMs: 2000 });
    expect(resolve({ propagation: 'instant' }, undefined, prior).propagation).toMatchObject({ preset: 'instant', syncDelayMs: 0, minSyncPeriodMs: 0 });
  });

  it('may grow, shrink, and move its API port', () => {
    expect(resolve({ nodes: 3 }, undefined, existing).nodes.map((n) => n.ip)).toEqual(['127.11.0.1', '127.11.0.2', '127.11.0.3']);
    expect(resolve({ nodes: 1 }, undefined, existing).nodes).toHaveLength(1);
    expect(resolve({ apiPort: 9443 }, undefined, existing).apiServer.port).toBe(9443);
  });

  const cases: Array<{ rule: string; flags: UpFlags; file?: string; error: string }> = [
    { rule: 'node subnet is fixed', flags: {}, file: 'networking: { nodeSubnet: 127.12.0.0/24 }', error: 'networking.nodeSubnet: Invalid value: "127.12.0.0/24": cluster "demo" was created with "127.11.0.0/24"' },
    { rule: 'service subnet is fixed', flags: {}, file: 'networking: { serviceSubnet: 127.97.0.0/16 }', error: 'networking.serviceSubnet: Invalid value: "127.97.0.0/16"' },
    { rule: 'NodePort range is fixed', flags: {}, file: 'networking: { nodePortRange: "31000-31100" }', error: 'networking.nodePortRange: Invalid value: "31000-31100"' },
    { rule: 'store is fixed', flags: { redis: true }, error: '--redis: Forbidden: cluster "demo" keeps its objects in the embedded store' },
  ];
  it.each(cases)('$rule', ({ flags, file: yaml, error }) => {
    const msg = errorOf(() => resolve(flags, yaml ? file(yaml) : undefined, existing));
    expect(msg).toContain(error);
    expect(msg).toContain('loopkube down --name demo --purge');
  });
});

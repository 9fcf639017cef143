// `loopkube up`'s settings: flags over the cluster file over what an existing cluster was made
// with over the defaults. The address plan (subnets, pool, NodePort range, store) of a cluster
// that exists is fixed: asking for another one is an error, since the store holds objects
// allocated from it. Ports the cluster merely needs free (proxy metrics, dashboard, DNS, a
// managed Redis) are picked separately by assignPorts().
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fieldErr, type FieldError } from '../api/errors.js';
import { cidrsOverlap, nthAddress, parseCidr } from '../cluster/cidr.js';
import { redactStoreUrl } from '../cluster/managed-redis.js';
import {
  ClusterConfigError,
  nodeSubnetCapacity,
  podSubnetCapacity,
  problemMessage,
  validateClusterName,
  type ClusterFile,
} from '../cluster/cluster-file.js';
import { DEFAULTS, DEFAULT_DATA_PLANE, clusterDNSIP, controlPlaneHost, type ClusterConfig, type DataPlaneName, type NodeConfig } from '../cluster/config.js';
import {
  DEFAULT_PROPAGATION,
  PRESET_TIMINGS,
  TIMING_FIELDS,
  timingProblems,
  type Propagation,
  type PropagationPreset,
  type PropagationTimings,
} from '../cluster/propagation.js';
import { etcdEndpointsProblem, isEtcdUrl, parseEtcdUrl } from '../store/etcd/url.js';
import { etcdMemberNames } from '../store/etcd/members.js';
import { UsageError } from './args.js';

export interface UpFlags {
  name?: string;
  nodes?: number;
  store?: string;
  redis?: boolean;
  /** `--etcd[=N]`: start an etcd of N members (1, 3, 5 or 7) for the cluster. */
  etcd?: number;
  /** `--control-planes N`: N API servers, each its own process. */
  controlPlanes?: number;
  apiPort?: number;
  dataPlane?: DataPlaneName;
  /** --propagation: a preset of the timings below. */
  propagation?: PropagationPreset;
  /** --endpoint-updates-batch-period, --min-sync-period, --sync-period, --sync-delay. */
  timings?: Partial<PropagationTimings>;
  /** --host-processes: run containers' commands as real processes of their node. */
  hostProcesses?: boolean;
}

/**
 * How a cluster keeps its objects: `embedded`, `managed-redis` (`--redis`), `managed-etcd:N`
 * (`--etcd=N`), or a `redis://` / `etcd://` URL.
 */
export type StoreChoice = string;

const MANAGED_ETCD = 'managed-etcd:';

/** What a cluster was created with and must keep: written to `<home>/address-plan.json`. */
export interface AddressPlan {
  serviceSubnet: string;
  podSubnet: string;
  nodeSubnet: string;
  loadBalancerPool: string;
  nodePortRange: { min: number; max: number };
  store: StoreChoice;
}

export const DEFAULT_PLAN: AddressPlan = {
  serviceSubnet: DEFAULTS.serviceCIDR,
  podSubnet: '127.244.0.0/16',
  nodeSubnet: '127.10.0.0/24',
  loadBalancerPool: DEFAULTS.loadBalancerPool,
  nodePortRange: { ...DEFAULTS.nodePortRange },
  store: 'embedded',
};

export const DEFAULT_NODES = 3;

/** 127.0.0.0/24: the API server, the dashboard and the proxy's metrics listen on 127.0.0.1. */
const API_SERVER_BLOCK = { base: 0x7f000000, prefix: 24 };

export function addressPlanFile(home: string): string {
  return path.join(home, 'address-plan.json');
}

export function readAddressPlan(home: string): AddressPlan | null {
  try {
    return JSON.parse(readFileSync(addressPlanFile(home), 'utf8')) as AddressPlan;
  } catch {
    return null;
  }
}

export function writeAddressPlan(home: string, plan: AddressPlan): void {
  writeFileSync(addressPlanFile(home), `${JSON.stringify(plan, null, 2)}\n`);
}

export function resolveClusterName(flags: UpFlags, file?: ClusterFile, fallback = 'default'): string {
  const name = flags.name ?? file?.name ?? fallback;
  const errs = validateClusterName(name, flags.name !== undefined ? '--name' : 'name');
  if (errs.length) {
    if (flags.name !== undefined) throw new UsageError('up', problemMessage(errs[0]));
    throw new ClusterConfigError('cluster file', errs.map(problemMessage));
  }
  return name;
}

/** `embedded`, `managed-redis`, `managed-etcd:N`, or the URL itself; UsageError when malformed. */
export function storeChoice(flags: UpFlags): StoreChoice | undefined {
  const chosen = [flags.store !== undefined && '--store', flags.redis && '--redis', flags.etcd !== undefined && '--etcd'].filter(Boolean);
  if (chosen.length > 1) {
    throw new UsageError(
      'up',
      `${chosen.join(' and ')} cannot be used together: --redis and --etcd start a store for the cluster, --store URL uses one that is already running`,
    );
  }
  if (flags.redis) return 'managed-redis';
  if (flags.etcd !== undefined) return `${MANAGED_ETCD}${flags.etcd}`;
  if (flags.store === undefined) return undefined;
  if (flags.store === 'embedded') return 'embedded';
  if (!isRedisUrl(flags.store) && !isEtcdUrl(flags.store)) {
    throw new UsageError(
      'up',
      `invalid argument "${redactStoreUrl(flags.store)}" for "--store" flag: must be "embedded", a Redis URL such as redis://127.0.0.1:6379/0, redis://USER:PASSWORD@HOST:PORT/DB or rediss://HOST:PORT/DB, or an etcd URL such as etcd://127.0.0.1:2379`,
    );
  }
  const etcd = parseEtcdUrl(flags.store);
  const problem = etcd && etcdEndpointsProblem(etcd.endpoints);
  if (problem) throw new UsageError('up', `invalid argument "${redactStoreUrl(flags.store)}" for "--store" flag: ${problem}`);
  return flags.store;
}

/** The member count of a `managed-etcd:N` store choice, else undefined. */
export function managedEtcdMembers(choice: StoreChoice): number | undefined {
  return choice.startsWith(MANAGED_ETCD) ? Number(choice.slice(MANAGED_ETCD.length)) : undefined;
}

export function isRedisUrl(s: string): boolean {
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return false;
  }
  return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '' && /^(\/\d+)?\/?$/.test(url.pathname) && url.search === '' && url.hash === '';
}

export interface ResolveInput {
  name: string;
  /** The cluster's home folder, absolute. */
  home: string;
  flags: UpFlags;
  file?: ClusterFile;
  /** The cluster as a previous `up` left it, when its folder exists. */
  existing?: { config: ClusterConfig; plan: AddressPlan | null };
}

export interface Resolved {
  /** Ports still to be picked are 0: proxy.metricsPort, dashboard.port, dns.port, managedRedis.port. */
  config: ClusterConfig;
  plan: AddressPlan;
}

export function resolveClusterConfig(input: ResolveInput): Resolved {
  const { flags, file, existing, name, home } = input;
  const errs: FieldError[] = [];
  const prior = existing?.config;
  const base: AddressPlan = existing?.plan ?? DEFAULT_PLAN;
  const net = file?.networking ?? {};
  const plan: AddressPlan = {
    serviceSubnet: net.serviceSubnet ?? base.serviceSubnet,
    podSubnet: net.podSubnet ?? base.podSubnet,
    nodeSubnet: net.nodeSubnet ?? base.nodeSubnet,
    loadBalancerPool: net.loadBalancerPool ?? base.loadBalancerPool,
    nodePortRange: net.nodePortRange ?? base.nodePortRange,
    store: storeChoice(flags) ?? base.store,
  };

  if (existing) {
    const was = existing.plan ?? DEFAULT_PLAN;
    const fixed: Array<[keyof AddressPlan, string]> = [
      ['serviceSubnet', 'networking.serviceSubnet'],
      ['podSubnet', 'networking.podSubnet'],
      ['nodeSubnet', 'networking.nodeSubnet'],
      ['loadBalancerPool', 'networking.loadBalancerPool'],
      ['nodePortRange', 'networking.nodePortRange'],
      ['store', flags.redis ? '--redis' : flags.etcd !== undefined ? '--etcd' : '--store'],
    ];
    for (const [key, field] of fixed) {
      const now = show(key, plan[key]);
      const then = show(key, was[key]);
      if (now !== then && key === 'store') {
        errs.push(
          fieldErr.forbidden(
            field,
            `cluster "${name}" keeps its objects in ${then}, chosen when it was created; ` +
              `run loopkube down --name ${name} --purge to start over with another store`,
          ),
        );
      } else if (now !== then) {
        errs.push(
          fieldErr.invalid(
            field,
            now,
            `cluster "${name}" was created with ${JSON.stringify(then)} and keeps its address plan and store across down/up; ` +
              `run loopkube down --name ${name} --purge to start over`,
          ),
        );
      }
    }
  }

  const subnets: Array<[string, string]> = [
    ['networking.serviceSubnet', plan.serviceSubnet],
    ['networking.podSubnet', plan.podSubnet],
    ['networking.nodeSubnet', plan.nodeSubnet],
    ['networking.loadBalancerPool', plan.loadBalancerPool],
  ];
  for (let i = 0; i < subnets.length; i++) {
    for (let j = i + 1; j < subnets.length; j++) {
      const a = parseCidr(subnets[i][1]);
      const b = parseCidr(subnets[j][1]);
      if (a && b && cidrsOverlap(a, b)) {
        errs.push(fieldErr.invalid(subnets[j][0], subnets[j][1], `must not overlap ${subnets[i][0]} (${subnets[i][1]})`));
      }
    }
  }
  const nodeBlock = parseCidr(plan.nodeSubnet);
  if (nodeBlock && cidrsOverlap(nodeBlock, API_SERVER_BLOCK)) {
    errs.push(fieldErr.invalid('networking.nodeSubnet', plan.nodeSubnet, 'must not overlap 127.0.0.0/24, where the API server listens'));
  }

  const fileNodes = file?.nodes ?? [];
  const count = flags.nodes ?? (file?.nodes ? file.nodes.length : undefined) ?? prior?.nodes.length ?? DEFAULT_NODES;
  const room = Math.min(nodeSubnetCapacity(plan.nodeSubnet), podSubnetCapacity(plan.podSubnet));
  if (count > room) {
    const field = flags.nodes !== undefined ? '--nodes' : 'nodes';
    errs.push(
      fieldErr.invalid(field, count, `the address plan has room for ${room} nodes (networking.nodeSubnet ${plan.nodeSubnet}, networking.podSubnet ${plan.podSubnet})`),
    );
  }

  const nodeCidr = parseCidr(plan.nodeSubnet);
  const podCidr = parseCidr(plan.podSubnet);
  const nodes: NodeConfig[] = [];
  if (nodeCidr && podCidr && count <= room) {
    const seen = new Map<string, number>();
    for (let i = 1; i <= count; i++) {
      const fromFile = fileNodes[i - 1];
      const before = prior?.nodes[i - 1];
      const nodeName = fromFile?.name ?? before?.name ?? `node-${i}`;
      if (seen.has(nodeName)) errs.push(fieldErr.duplicate(`nodes[${i - 1}].name`, nodeName));
      seen.set(nodeName, i);
      nodes.push({
        name: nodeName,
        ip: nthAddress(nodeCidr, i),
        podCIDR: `${nthAddress(podCidr, i * 256)}/24`,
        capacity: { ...DEFAULTS.nodeCapacity, ...before?.capacity, ...fromFile?.capacity },
        labels: { ...(fromFile?.labels ?? before?.labels ?? {}) },
        taints: [...(fromFile?.taints ?? before?.taints ?? [])],
      });
    }
  }

  const mode = file?.proxy?.mode ?? prior?.proxy.mode ?? 'round-robin';
  const dataPlane = flags.dataPlane ?? file?.proxy?.dataPlane ?? prior?.proxy.dataPlane ?? DEFAULT_DATA_PLANE;
  if (dataPlane === 'nftables' && mode === 'least-connections') {
    errs.push(
      fieldErr.invalid(
        'proxy.mode',
        mode,
        `the nftables data plane balances round-robin or random, as the kernel's numgen does; use a userspace data plane (${flags.dataPlane ? '--data-plane' : 'proxy.dataPlane'} splice) for least-connections`,
      ),
    );
  }
  const propagation = resolvePropagation(flags, file, prior);
  const fieldOf = (key: keyof PropagationTimings): string => {
    const t = TIMING_FIELDS.find((f) => f.key === key)!;
    return flags.timings?.[key] !== undefined ? t.flag : `propagation.${t.field}`;
  };
  for (const p of timingProblems(propagation, fieldOf)) errs.push(fieldErr.invalid(p.field, p.value, p.detail));
  const controlPlanes = flags.controlPlanes ?? file?.controlPlane?.replicas ?? prior?.controlPlanes?.length ?? 1;
  if (controlPlanes > 1 && plan.store === 'embedded') {
    errs.push(
      fieldErr.invalid(
        flags.controlPlanes !== undefined ? '--control-planes' : 'controlPlane.replicas',
        controlPlanes,
        'several API servers need a store they can share: start the cluster with --etcd=3 (or --etcd, --redis, --store etcd://HOST:PORT, --store redis://HOST:PORT/DB); the embedded store belongs to one process',
      ),
    );
  }
  const le = file?.controlPlane?.leaderElection;
  const leaderElection = {
    leaseDurationSeconds: le?.leaseDurationSeconds ?? prior?.leaderElection?.leaseDurationSeconds ?? DEFAULTS.leaderElection.leaseDurationSeconds,
    renewDeadlineSeconds: le?.renewDeadlineSeconds ?? prior?.leaderElection?.renewDeadlineSeconds ?? DEFAULTS.leaderElection.renewDeadlineSeconds,
    retryPeriodSeconds: le?.retryPeriodSeconds ?? prior?.leaderElection?.retryPeriodSeconds ?? DEFAULTS.leaderElection.retryPeriodSeconds,
  };
  // client-go's rules (leaderelection.NewLeaderElector)
  if (leaderElection.leaseDurationSeconds <= leaderElection.renewDeadlineSeconds) {
    errs.push(fieldErr.invalid('controlPlane.leaderElection.leaseDurationSeconds', leaderElection.leaseDurationSeconds, 'leaseDuration must be greater than renewDeadline'));
  }
  if (leaderElection.renewDeadlineSeconds <= leaderElection.retryPeriodSeconds * 1.2) {
    errs.push(fieldErr.invalid('controlPlane.leaderElection.renewDeadlineSeconds', leaderElection.renewDeadlineSeconds, 'renewDeadline must be greater than retryPeriod*JitterFactor (1.2)'));
  }

  if (errs.length) throw new ClusterConfigError(`cluster "${name}"`, errs.map(problemMessage));

  const etcdMembers = managedEtcdMembers(plan.store);
  const apiPort = flags.apiPort ?? net.apiServerPort ?? prior?.apiServer.port ?? DEFAULTS.apiPort;
  const priorRedisPort = prior?.managedRedis?.port ?? 0;
  const config: ClusterConfig = {
    name,
    home,
    apiServer: { host: '127.0.0.1', port: apiPort },
    store: plan.store === 'managed-redis' ? `redis://127.0.0.1:${priorRedisPort}/0` : plan.store,
    ...(plan.store === 'managed-redis' ? { managedRedis: { port: priorRedisPort } } : {}),
    // Ports picked by assignPorts() (kept once chosen: the peer addresses are etcd's membership).
    ...(etcdMembers !== undefined
      ? {
          managedEtcd: {
            members: etcdMemberNames(etcdMembers).map((memberName, i) => prior?.managedEtcd?.members[i] ?? { name: memberName, clientPort: 0, peerPort: 0 }),
          },
        }
      : {}),
    ...(controlPlanes > 1
      ? { controlPlanes: Array.from({ length: controlPlanes }, (_, i) => ({ name: `control-plane-${i + 1}`, host: controlPlaneHost(i + 1), port: apiPort })) }
      : {}),
    leaderElection,
    serviceCIDR: plan.serviceSubnet,
    nodePortRange: { ...plan.nodePortRange },
    loadBalancerPool: plan.loadBalancerPool,
    proxy: { mode, metricsPort: prior?.proxy.metricsPort ?? 0, dataPlane },
    nodes,
    nodeLifecycle: {
      nodeMonitorGracePeriodSeconds:
        file?.nodeLifecycle?.nodeMonitorGracePeriodSeconds ??
        prior?.nodeLifecycle.nodeMonitorGracePeriodSeconds ??
        DEFAULTS.nodeMonitorGracePeriodSeconds,
      podEvictionTimeoutSeconds:
        file?.nodeLifecycle?.podEvictionTimeoutSeconds ?? prior?.nodeLifecycle.podEvictionTimeoutSeconds ?? DEFAULTS.podEvictionTimeoutSeconds,
    },
    propagation,
    dns: { ip: clusterDNSIP(plan.serviceSubnet), port: prior?.dns.port ?? 0 },
    dashboard: { port: prior?.dashboard.port ?? 0 },
    // an opt-in of this `up` only (flag or file), never carried over from an earlier run
    ...(flags.hostProcesses || file?.hostProcesses ? { hostProcesses: true } : {}),
  };
  return { config, plan };
}

/**
 * The propagation timings: a preset asked for (flag, then file) starts afresh from its figures;
 * otherwise a cluster keeps what it had (new ones start instant). Fields set one by one (file,
 * then flags) override either.
 */
export function resolvePropagation(flags: UpFlags, file: ClusterFile | undefined, prior: ClusterConfig | undefined): Propagation {
  const asked = flags.propagation ?? file?.propagation?.preset;
  const out: Propagation = asked ? { preset: asked, ...PRESET_TIMINGS[asked] } : { ...DEFAULT_PROPAGATION, ...prior?.propagation };
  for (const { key } of TIMING_FIELDS) {
    const v = flags.timings?.[key] ?? file?.propagation?.[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function show(key: keyof AddressPlan, value: AddressPlan[keyof AddressPlan]): string {
  if (key === 'nodePortRange') {
    const r = value as AddressPlan['nodePortRange'];
    return `${r.min}-${r.max}`;
  }
  if (key === 'store' && value === 'managed-redis') return 'a Redis of its own (--redis)';
  const members = key === 'store' ? managedEtcdMembers(value as string) : undefined;
  if (members !== undefined) return `an etcd of its own with ${members} member${members === 1 ? '' : 's'} (--etcd=${members})`;
  if (key === 'store' && value === 'embedded') return 'the embedded store';
  if (key === 'store') return redactStoreUrl(String(value));
  return String(value);
}

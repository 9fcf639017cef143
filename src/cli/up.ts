// `loopkube up`: resolve the cluster's settings, make its folder, credentials and kubeconfig,
// start its supervisor in the background, and return once every process is healthy.
import { accessSync, constants, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { readClusterFile, type ClusterFile } from '../cluster/cluster-file.js';
import { DATA_PLANES, kubernetesServiceIP, type ClusterConfig } from '../cluster/config.js';
import { deleteNftablesTable, nftablesProblem, nftablesTableName } from '../cluster/nftables.js';
import { PROPAGATION_PRESETS, TIMING_FIELDS, type PropagationTimings } from '../cluster/propagation.js';
import { stoppingMarker } from '../cluster/parent-watch.js';
import { writeManagedRedisConfig } from '../cluster/managed-redis.js';
import { ownerOnlyUmask, tightenPermissions } from '../cluster/private-files.js';
import { dashboardUrl, ensureDashboardToken } from '../observe/dashboard-token.js';
import { NODE_HEALTH_PORT, clusterProcesses, type HealthCheck } from '../cluster/processes.js';
import { apiServerAltNames } from '../pki/serving-cert.js';
import { ensureClusterPki } from '../pki/cluster-pki.js';
import { contextName, writeKubeconfig, type KubeconfigInput } from '../pki/kubeconfig.js';
import { fetchListenerReport } from '../observe/listener-problems.js';
import { killLeftovers } from '../supervisor/pid-files.js';
import { ETCD_BINARY, ETCD_PACKAGE } from '../store/etcd/members.js';
import { CliError, UsageError, choiceFlag, durationFlag, intFlag, parseFlags } from './args.js';
import {
  DEFAULT_CLUSTER,
  locateCluster,
  nameFlag,
  readExistingCluster,
  rememberCluster,
  rememberedCluster,
  runningSupervisorPid,
  tailFile,
  type ClusterLocation,
} from './cluster-home.js';
import { lowPortNote, offerLowPortFix } from './low-ports.js';
import { canBindUdp, canListenTcp, explainBindFailure, freeTcpPort } from './ports.js';
import { mergeUserKubeconfig } from './user-kubeconfig.js';
import { resolveClusterConfig, resolveClusterName, writeAddressPlan, type UpFlags } from './resolve-config.js';
import { stopCluster } from './stop-cluster.js';
import { liveClusterProcesses, spawnSupervisor } from './supervisor-start.js';
import { formatTable } from './table.js';
import { waitUntilHealthy, type ReadyResult } from './wait-ready.js';

export const UP_HELP = `Start a cluster in the background and wait until it is ready.

Usage:
  loopkube up [--name NAME] [--nodes N] [--config FILE] [--store URL | --redis | --etcd[=N]] [--control-planes N]
              [--api-port PORT] [--data-plane splice|socket|nftables] [--propagation instant|production]
              [--endpoint-updates-batch-period D] [--min-sync-period D] [--sync-period D]
              [--sync-delay D] [--host-processes] [--wait DURATION] [--no-kubeconfig]

Options:
  --name NAME        cluster name; its state lives in $LOOPKUBE_HOME/NAME (default: the cluster
                     'up' started last, else default)
  --nodes N          number of worker nodes, 0 for a control plane only (default: 3)
  --config FILE      cluster file (kind: Cluster, apiVersion: loopkube.dev/v1alpha1); flags win over it
  --store URL        where objects are kept: embedded (default), redis://[USER:PASSWORD@]HOST:PORT/DB,
                     rediss://... (TLS; NODE_EXTRA_CA_CERTS for a private CA), or
                     etcd://HOST:PORT[,HOST:PORT...][/PREFIX] (keys under /loopkube/NAME unless PREFIX is given)
  --redis            start a redis-server for this cluster (its own password, 127.0.0.1 only) and keep objects in it
  --etcd[=N]         start an etcd for this cluster (N members: 1, 3, 5 or 7; default 1) and keep
                     objects in it, under kube-apiserver's keys (etcdctl get --prefix /registry/)
  --control-planes N run N API servers, each its own process (needs --etcd, --redis or --store URL);
                     controllers and scheduler run on the one elected by a Lease, kubectl goes
                     through a front end on the API port
  --api-port PORT    API server port on 127.0.0.1 (default: 6443)
  --data-plane NAME  how the service proxy moves connections: splice (libuv handles, default),
                     socket (net.Socket; chosen by itself where this Node's internals differ), or
                     nftables (the kernel's DNAT/SNAT rules, as kube-proxy's nftables mode; root)
  --propagation P    how fast changes reach the proxy: instant (default: at once) or production
                     (kube-proxy's minSyncPeriod 1s / syncPeriod 30s, endpoint batching 1s)
  --endpoint-updates-batch-period D
                     pod changes wait this long in the endpoints controllers, batched
  --min-sync-period D
                     the proxy applies changes at most once per D (after a burst of 2)
  --sync-period D    the proxy resyncs everything at least every D
  --sync-delay D     a change waits D before the proxy applies it (a node's programming time)
  --host-processes   run each container's command/args as a real process of its node, on its pod
                     IP (HOST and PORT in its env); without it no command from a manifest runs
  --wait DURATION    how long to wait for every process to be healthy (default: 30s)
  --no-kubeconfig    leave your kubeconfig alone; use the cluster's own file (loopkube kubeconfig)
  -h, --help         show this help

Once the cluster is ready, its context loopkube-NAME is merged into your kubeconfig (the file
kubectl writes to: $KUBECONFIG's, else ~/.kube/config; a backup is kept beside it as
<file>.loopkube.bak) and made current, so kubectl uses the cluster at once.

A cluster that was taken down with 'loopkube down' comes back with its objects, credentials and
address plan; 'loopkube down --purge' forgets it (and removes its context).
`;

const OPTIONS = {
  name: { type: 'string' },
  nodes: { type: 'string' },
  config: { type: 'string' },
  store: { type: 'string' },
  redis: { type: 'boolean' },
  etcd: { type: 'string' },
  'control-planes': { type: 'string' },
  'api-port': { type: 'string' },
  'data-plane': { type: 'string' },
  propagation: { type: 'string' },
  'endpoint-updates-batch-period': { type: 'string' },
  'min-sync-period': { type: 'string' },
  'sync-period': { type: 'string' },
  'sync-delay': { type: 'string' },
  'host-processes': { type: 'boolean' },
  wait: { type: 'string' },
  'no-kubeconfig': { type: 'boolean' },
} as const;

export async function up(argv: string[]): Promise<number> {
  // `--etcd` alone means one member (parseArgs has no optional values).
  const { values } = parseFlags('up', argv.map((a) => (a === '--etcd' ? '--etcd=1' : a)), OPTIONS);
  if (values.help) {
    process.stdout.write(UP_HELP);
    return 0;
  }
  const flags: UpFlags = {
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values.nodes !== undefined ? { nodes: intFlag('up', '--nodes', values.nodes, 0, 65534) } : {}),
    ...(values.store !== undefined ? { store: values.store } : {}),
    ...(values.redis ? { redis: true } : {}),
    ...(values.etcd !== undefined ? { etcd: etcdMembersFlag(values.etcd) } : {}),
    ...(values['control-planes'] !== undefined ? { controlPlanes: intFlag('up', '--control-planes', values['control-planes'], 1, 9) } : {}),
    ...(values['api-port'] !== undefined ? { apiPort: intFlag('up', '--api-port', values['api-port'], 1, 65535) } : {}),
    ...(values['data-plane'] !== undefined ? { dataPlane: choiceFlag('up', '--data-plane', values['data-plane'], DATA_PLANES) } : {}),
    ...(values.propagation !== undefined ? { propagation: choiceFlag('up', '--propagation', values.propagation, PROPAGATION_PRESETS) } : {}),
    ...(values['host-processes'] ? { hostProcesses: true } : {}),
  };
  const timings: Partial<PropagationTimings> = {};
  for (const t of TIMING_FIELDS) {
    const ms = durationFlag('up', t.flag, values[t.flag.slice(2) as keyof typeof values] as string | undefined);
    if (ms !== undefined) timings[t.key] = ms;
  }
  if (Object.keys(timings).length) flags.timings = timings;
  const waitMs = durationFlag('up', '--wait', values.wait) ?? 30_000;
  const file: ClusterFile | undefined = values.config ? readClusterFile(values.config) : undefined;
  // without a name: the cluster `up` started last (stopped since), else `default`
  const loc = locateCluster(resolveClusterName(flags, file, rememberedCluster() ?? DEFAULT_CLUSTER));

  const running = runningSupervisorPid(loc);
  if (running !== null) {
    throw new CliError(
      `cluster "${loc.name}" is already running (supervisor pid ${running}).\n` +
        `Use it:      kubectl --kubeconfig ${loc.paths.kubeconfig} get nodes\n` +
        `Or stop it:  loopkube down${nameFlag(loc.name)}`,
    );
  }
  ownerOnlyUmask();
  mkdirSync(path.dirname(loc.home), { recursive: true, mode: 0o700 });
  const loosened = existsSync(loc.home) ? tightenPermissions(loc.home) : [];
  if (loosened.length) {
    process.stderr.write(
      `warning: ${loosened.length} file(s) in ${loc.home} were readable by other users (e.g. ${loosened.slice(0, 3).join(', ')}); made them the owner's only (folders 700, files 600)\n`,
    );
  }

  const prior = readExistingCluster(loc);
  // The supervisor died but the cluster runs on (its processes outlive it): adopt, change nothing.
  if (prior && !existsSync(stoppingMarker(loc.home)) && liveClusterProcesses(loc).size > 0) {
    process.stdout.write(`Cluster "${loc.name}" is running without its supervisor: starting a new one, which adopts its processes (flags and cluster file are not applied to a running cluster)\n`);
    const supervisorPid = spawnSupervisor(loc);
    const ready = await waitUntilHealthy(loc, supervisorPid, { timeoutMs: waitMs, onHealthy: (p) => process.stdout.write(` ✓ ${p.name} is healthy\n`) });
    if (!ready.ok) throw new CliError(notReadyMessage(loc, ready, waitMs));
    printProcesses(loc, ready);
    printOwnKubeconfig(loc, '(its context is unchanged in your kubeconfig)');
    printWatchAndLogs(loc, prior.config);
    return 0;
  }
  // a `down` that did not finish may have left processes holding the cluster's ports
  await killLeftovers(loc.paths.pidsDir, loc.home);
  const existing = readExistingCluster(loc);
  const { config, plan } = resolveClusterConfig({ name: loc.name, home: loc.home, flags, file, existing });

  await checkAddresses(config);
  if (config.proxy.dataPlane === 'nftables') prepareNftables(config);
  if (config.managedRedis) requireOnPath('redis-server', 'redis-server', '--redis runs a redis-server of the cluster\'s own', '--store redis://HOST:PORT/DB');
  if (config.managedEtcd) requireOnPath(ETCD_BINARY, ETCD_PACKAGE, '--etcd runs an etcd of the cluster\'s own', '--store etcd://HOST:PORT');
  const { dns: dnsPort } = await assignPorts(config);

  for (const dir of [loc.home, loc.paths.logsDir, loc.paths.pidsDir, loc.paths.storeDir]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (config.managedRedis) writeManagedRedisConfig(loc.home, config.managedRedis.port);
  if (config.managedEtcd) mkdirSync(loc.paths.etcdDir, { recursive: true, mode: 0o700 }); // etcd wants its data private
  const creds = ensureClusterPki(
    loc.paths,
    apiServerAltNames(kubernetesServiceIP(config.serviceCIDR), (config.controlPlanes ?? []).map((cp) => cp.host)),
  );
  const kubeconfigInput: KubeconfigInput = {
    clusterName: loc.name,
    server: `https://${config.apiServer.host}:${config.apiServer.port}`,
    caCertPem: creds.ca.cert,
    token: creds.token,
  };
  writeKubeconfig(loc.paths.kubeconfig, kubeconfigInput);
  writeFileSync(loc.paths.config, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  writeAddressPlan(loc.home, plan);

  const specs = clusterProcesses(config);
  const summary = specs.map((s) => s.name).join(', ');
  process.stdout.write(
    existing
      ? `Starting cluster "${loc.name}" again, with its saved objects and credentials (${summary}) in ${loc.home}\n`
      : `Creating cluster "${loc.name}" (${summary}) in ${loc.home}\n`,
  );
  if (config.hostProcesses) process.stdout.write(`Host processes allowed: containers' commands run as real processes of their node, as you (${os.userInfo().username})\n`);

  const supervisorPid = spawnSupervisor(loc);
  const ready = await waitUntilHealthy(loc, supervisorPid, {
    timeoutMs: waitMs,
    failOnCrashLoop: true,
    onHealthy: (p) => process.stdout.write(` ✓ ${p.name} is healthy\n`),
  });

  if (!ready.ok) {
    const message = notReadyMessage(loc, ready, waitMs);
    await stopCluster(loc, ready.supervisorGone ? null : supervisorPid);
    throw new CliError(`${message}\nThe cluster was stopped; its logs are in ${loc.paths.logsDir}.`);
  }

  rememberCluster(loc.name);
  printProcesses(loc, ready);
  const n = nameFlag(loc.name);
  if (values['no-kubeconfig']) {
    printOwnKubeconfig(loc, '(your kubeconfig was left alone)');
  } else {
    const merged = await mergeUserKubeconfig(loc, kubeconfigInput);
    const was = merged.previousContext && merged.previousContext !== contextName(loc.name) ? merged.previousContext : '';
    process.stdout.write(
      `kubectl now uses it: context "${contextName(loc.name)}" in ${merged.file}` +
        (was ? ` (it was "${was}"; back with: kubectl config use-context ${was})` : '') +
        `\n  kubectl get nodes\n`,
    );
  }
  printWatchAndLogs(loc, config);

  // Ports this user may not open: what the proxy reports, and the DNS's move off 53.
  const report = await fetchListenerReport(config);
  const note = lowPortNote(
    {
      listeners: (report?.failed ?? []).filter((f) => f.code === 'EACCES'),
      ...(dnsPort.reason === 'EACCES' ? { dns: { ip: config.dns.ip, port: config.dns.port } } : {}),
    },
    n,
  );
  if (note) {
    process.stdout.write(`\n${note}`);
    if (await offerLowPortFix()) process.stdout.write(`Done: ports below 1024 may now be opened by every user.\n`);
  }
  return 0;
}

function notReadyMessage(loc: ClusterLocation, ready: ReadyResult, waitMs: number): string {
  const lines: string[] = [];
  if (ready.supervisorGone) {
    lines.push(`the supervisor of cluster "${loc.name}" exited during start-up; last lines of ${path.join(loc.paths.logsDir, 'supervisor.log')}:`);
    lines.push(indent(tailFile(path.join(loc.paths.logsDir, 'supervisor.log'))));
  } else if (ready.crashLooping.length) {
    lines.push(`cluster "${loc.name}" cannot start: ${ready.crashLooping.map((p) => p.name).join(', ')} exited twice during start-up`);
    for (const p of ready.crashLooping) {
      const log = path.join(loc.paths.logsDir, `${p.name}.log`);
      const exit = p.lastExit ? (p.lastExit.signal ? `killed by ${p.lastExit.signal}` : `exit code ${p.lastExit.code}`) : 'exited';
      lines.push(`- ${p.name} (${exit}); last lines of ${log}:`);
      lines.push(indent(tailFile(log) || '(empty)'));
    }
  } else {
    const names = ready.state ? ready.unhealthy.map((p) => p.name) : ['supervisor'];
    lines.push(`cluster "${loc.name}" did not become ready within ${waitMs / 1000}s: not healthy: ${names.join(', ')}`);
    for (const p of ready.unhealthy) {
      const log = path.join(loc.paths.logsDir, `${p.name}.log`);
      lines.push(`- ${p.name} (${p.state}${p.pid ? `, pid ${p.pid}` : ''}) failed its health check ${describeHealth(p.health)}; last lines of ${log}:`);
      lines.push(indent(tailFile(log) || '(empty)'));
    }
  }
  return lines.join('\n');
}

function printProcesses(loc: ClusterLocation, ready: ReadyResult): void {
  const processes = ready.state?.processes ?? [];
  process.stdout.write(
    `\nCluster "${loc.name}" is ready.\n\n` +
      `${formatTable(
        ['NAME', 'COMPONENT', 'PID', 'ADDRESS'],
        processes.map((p) => [p.name, p.component, p.pid, p.address]),
      )}\n\n`,
  );
}

function printOwnKubeconfig(loc: ClusterLocation, note: string): void {
  process.stdout.write(
    `Use it with kubectl ${note}:\n` +
      `  export KUBECONFIG=${loc.paths.kubeconfig}\n` +
      `  kubectl get nodes\n` +
      `or:\n` +
      `  kubectl --kubeconfig ${loc.paths.kubeconfig} get nodes\n`,
  );
}

function printWatchAndLogs(loc: ClusterLocation, config: ClusterConfig): void {
  const n = nameFlag(loc.name);
  process.stdout.write(
    `Watch it live: ${dashboardUrl(config, ensureDashboardToken(loc.home))}  (loopkube dashboard${n}; in a terminal: loopkube top${n})\n` +
      `Logs: loopkube logs${n} (files in ${loc.paths.logsDir}); stop with: loopkube down${n}\n`,
  );
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

export function describeHealth(h: HealthCheck): string {
  if (h.kind === 'tcp') return `(TCP connect to ${h.host}:${h.port})`;
  if (h.kind === 'dns') return `(DNS query for ${h.name} at ${h.host}:${h.port})`;
  return `(GET ${h.url})`;
}

/** The API port, and each node's health port, must be free before anything starts. */
async function checkAddresses(config: ClusterConfig): Promise<void> {
  const { host, port } = config.apiServer;
  const api = await canListenTcp(host, port);
  if (!api.ok) throw new CliError(explainBindFailure("the API server's address", host, port, api.code, '--api-port PORT'));
  for (const cp of config.controlPlanes ?? []) {
    const r = await canListenTcp(cp.host, cp.port);
    if (!r.ok) throw new CliError(explainBindFailure(`${cp.name}'s address`, cp.host, cp.port, r.code, '--api-port PORT'));
  }
  for (const node of config.nodes) {
    const r = await canListenTcp(node.ip, NODE_HEALTH_PORT);
    if (!r.ok) {
      throw new CliError(
        r.code === 'EADDRINUSE'
          ? `${node.name}'s health address ${node.ip}:${NODE_HEALTH_PORT} is already in use, probably by another cluster with the same node addresses; ` +
              `give this cluster its own networking.nodeSubnet in a --config file`
          : explainBindFailure(`${node.name}'s health address`, node.ip, NODE_HEALTH_PORT, r.code, 'networking.nodeSubnet'),
      );
    }
  }
}

/** Picks the ports a cluster only needs free: keeps last time's when still free. */
export async function assignPorts(config: ClusterConfig): Promise<{ dns: DnsPortChoice }> {
  const taken = new Set<number>([config.apiServer.port]);
  const pick = async (previous: number): Promise<number> => {
    if (previous > 0 && !taken.has(previous) && (await canListenTcp('127.0.0.1', previous)).ok) {
      taken.add(previous);
      return previous;
    }
    for (;;) {
      const port = await freeTcpPort('127.0.0.1');
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
  };
  config.proxy.metricsPort = await pick(config.proxy.metricsPort);
  config.dashboard.port = await pick(config.dashboard.port);
  if (config.managedRedis) {
    config.managedRedis.port = await pick(config.managedRedis.port);
    config.store = `redis://127.0.0.1:${config.managedRedis.port}/0`;
  }
  if (config.managedEtcd) {
    for (const m of config.managedEtcd.members) {
      // The peer address is in every member's data once the cluster exists: it cannot move.
      if (m.peerPort > 0 && !(await canListenTcp('127.0.0.1', m.peerPort)).ok) {
        throw new CliError(
          `${m.name}'s peer address 127.0.0.1:${m.peerPort} is in use by another program; etcd keeps its members' peer addresses in its data, ` +
            `so this cluster's etcd can only start there: free the port, or run loopkube down --name ${config.name} --purge to start over`,
        );
      }
      if (m.peerPort > 0) taken.add(m.peerPort);
      else m.peerPort = await pick(0);
      m.clientPort = await pick(m.clientPort);
    }
    // No prefix: the etcd is the cluster's own, its keys are exactly kube-apiserver's.
    config.store = `etcd://${config.managedEtcd.members.map((m) => `127.0.0.1:${m.clientPort}`).join(',')}/`;
  }
  const dns = await pickDnsPort(config.dns.ip, config.dns.port);
  config.dns.port = dns.port;
  return { dns };
}

export interface DnsPortChoice {
  port: number;
  /** Why 53 could not be had (EACCES: privileges; EADDRINUSE: taken); absent when it is 53. */
  reason?: string;
}

/** 53 when this process may bind it (TCP and UDP) on the DNS IP, else last time's, else a free one. */
async function pickDnsPort(ip: string, previous: number): Promise<DnsPortChoice> {
  const tryPort = async (port: number): Promise<string | undefined> => {
    const tcp = await canListenTcp(ip, port);
    if (!tcp.ok) return tcp.code;
    const udp = await canBindUdp(ip, port);
    return udp.ok ? undefined : udp.code;
  };
  const reason = await tryPort(53);
  if (reason === undefined) return { port: 53 };
  if (previous > 0 && previous !== 53 && (await tryPort(previous)) === undefined) return { port: previous, reason };
  for (;;) {
    const port = await freeTcpPort(ip);
    if ((await tryPort(port)) === undefined) return { port, reason };
  }
}

/**
 * The nftables data plane programs the kernel: say so at once when this cluster may not, and
 * remove what a crashed run left in the cluster's table (the proxy writes it anew).
 */
function prepareNftables(config: ClusterConfig): void {
  const problem = nftablesProblem();
  if (problem) {
    throw new CliError(
      `cluster "${config.name}" asks for the nftables data plane (proxy.dataPlane: nftables), but ${problem}.\n` +
        `Run loopkube up as root, or choose a userspace data plane: --data-plane splice`,
    );
  }
  const table = nftablesTableName(config);
  if (!deleteNftablesTable(table)) throw new CliError(`cannot remove the nftables table ${table} a previous run of cluster "${config.name}" left: nft delete table ip ${table} failed`);
}

function requireOnPath(program: string, debianPackage: string, why: string, instead: string): void {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    try {
      accessSync(path.join(dir, program), constants.X_OK);
      return;
    } catch {
      // keep looking
    }
  }
  throw new CliError(
    `${program} was not found on PATH: ${why}.\n` +
      `Install it (Debian/Ubuntu: sudo apt-get install ${debianPackage}), or use one that is already running with ${instead}`,
  );
}

/** `--etcd=N`: an odd number of members, 1 to 7 (raft needs a majority). */
function etcdMembersFlag(value: string): number {
  const n = intFlag('up', '--etcd', value, 1, 7) as number;
  if (n % 2 === 0) throw new UsageError('up', `invalid argument "${value}" for "--etcd" flag: an etcd cluster needs an odd number of members (1, 3, 5 or 7)`);
  return n;
}


// `loopkube up`: resolve the cluster's settings, make its folder, credentials and kubeconfig,
// start its supervisor in the background, and return once every process is healthy.
import { accessSync, constants, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readClusterFile, type ClusterFile } from '../cluster/cluster-file.js';
import { kubernetesServiceIP, type ClusterConfig } from '../cluster/config.js';
import { stoppingMarker } from '../cluster/parent-watch.js';
import { writeManagedRedisConfig } from '../cluster/managed-redis.js';
import { ownerOnlyUmask, tightenPermissions } from '../cluster/private-files.js';
import { dashboardUrl, ensureDashboardToken } from '../observe/dashboard-token.js';
import { NODE_HEALTH_PORT, clusterProcesses, type HealthCheck } from '../cluster/processes.js';
import { apiServerAltNames } from '../pki/serving-cert.js';
import { ensureClusterPki } from '../pki/cluster-pki.js';
import { contextName, writeKubeconfig } from '../pki/kubeconfig.js';
import { killLeftovers } from '../supervisor/pid-files.js';
import { CliError, durationFlag, intFlag, parseFlags } from './args.js';
import { locateCluster, nameFlag, readExistingCluster, runningSupervisorPid, tailFile, type ClusterLocation } from './cluster-home.js';
import { canBindUdp, canListenTcp, explainBindFailure, freeTcpPort } from './ports.js';
import { resolveClusterConfig, resolveClusterName, writeAddressPlan, type UpFlags } from './resolve-config.js';
import { stopCluster } from './stop-cluster.js';
import { liveClusterProcesses, spawnSupervisor } from './supervisor-start.js';
import { formatTable } from './table.js';
import { waitUntilHealthy, type ReadyResult } from './wait-ready.js';

export const UP_HELP = `Start a cluster in the background and wait until it is ready.

Usage:
  loopkube up [--name NAME] [--nodes N] [--config FILE] [--store URL | --redis] [--api-port PORT] [--wait DURATION]

Options:
  --name NAME        cluster name; its state lives in $LOOPKUBE_HOME/NAME (default: default)
  --nodes N          number of worker nodes, 0 for a control plane only (default: 3)
  --config FILE      cluster file (kind: Cluster, apiVersion: loopkube.dev/v1alpha1); flags win over it
  --store URL        where objects are kept: embedded (default), redis://[USER:PASSWORD@]HOST:PORT/DB,
                     or rediss://... (TLS; NODE_EXTRA_CA_CERTS for a private CA)
  --redis            start a redis-server for this cluster (its own password, 127.0.0.1 only) and keep objects in it
  --api-port PORT    API server port on 127.0.0.1 (default: 6443)
  --wait DURATION    how long to wait for every process to be healthy (default: 30s)
  -h, --help         show this help

A cluster that was taken down with 'loopkube down' comes back with its objects, credentials and
address plan; 'loopkube down --purge' forgets it.
`;

const OPTIONS = {
  name: { type: 'string' },
  nodes: { type: 'string' },
  config: { type: 'string' },
  store: { type: 'string' },
  redis: { type: 'boolean' },
  'api-port': { type: 'string' },
  wait: { type: 'string' },
} as const;

export async function up(argv: string[]): Promise<number> {
  const { values } = parseFlags('up', argv, OPTIONS);
  if (values.help) {
    process.stdout.write(UP_HELP);
    return 0;
  }
  const flags: UpFlags = {
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values.nodes !== undefined ? { nodes: intFlag('up', '--nodes', values.nodes, 0, 65534) } : {}),
    ...(values.store !== undefined ? { store: values.store } : {}),
    ...(values.redis ? { redis: true } : {}),
    ...(values['api-port'] !== undefined ? { apiPort: intFlag('up', '--api-port', values['api-port'], 1, 65535) } : {}),
  };
  const waitMs = durationFlag('up', '--wait', values.wait) ?? 30_000;
  const file: ClusterFile | undefined = values.config ? readClusterFile(values.config) : undefined;
  const loc = locateCluster(resolveClusterName(flags, file));

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
    printReady(loc, prior.config, ready);
    return 0;
  }
  // a `down` that did not finish may have left processes holding the cluster's ports
  await killLeftovers(loc.paths.pidsDir, loc.home);
  const existing = readExistingCluster(loc);
  const { config, plan } = resolveClusterConfig({ name: loc.name, home: loc.home, flags, file, existing });

  await checkAddresses(config);
  if (config.managedRedis) requireOnPath('redis-server');
  await assignPorts(config);

  for (const dir of [loc.home, loc.paths.logsDir, loc.paths.pidsDir, loc.paths.storeDir]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (config.managedRedis) writeManagedRedisConfig(loc.home, config.managedRedis.port);
  const creds = ensureClusterPki(loc.paths, apiServerAltNames(kubernetesServiceIP(config.serviceCIDR)));
  writeKubeconfig(loc.paths.kubeconfig, {
    clusterName: loc.name,
    server: `https://${config.apiServer.host}:${config.apiServer.port}`,
    caCertPem: creds.ca.cert,
    token: creds.token,
  });
  writeFileSync(loc.paths.config, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  writeAddressPlan(loc.home, plan);

  const specs = clusterProcesses(config);
  const summary = specs.map((s) => s.name).join(', ');
  process.stdout.write(
    existing
      ? `Starting cluster "${loc.name}" again, with its saved objects and credentials (${summary}) in ${loc.home}\n`
      : `Creating cluster "${loc.name}" (${summary}) in ${loc.home}\n`,
  );

  const supervisorPid = spawnSupervisor(loc);
  const ready = await waitUntilHealthy(loc, supervisorPid, {
    timeoutMs: waitMs,
    onHealthy: (p) => process.stdout.write(` ✓ ${p.name} is healthy\n`),
  });

  if (!ready.ok) {
    const message = notReadyMessage(loc, ready, waitMs);
    await stopCluster(loc, ready.supervisorGone ? null : supervisorPid);
    throw new CliError(`${message}\nThe cluster was stopped; its logs are in ${loc.paths.logsDir}.`);
  }
  printReady(loc, config, ready);
  return 0;
}

function notReadyMessage(loc: ClusterLocation, ready: ReadyResult, waitMs: number): string {
  const lines: string[] = [];
  if (ready.supervisorGone) {
    lines.push(`the supervisor of cluster "${loc.name}" exited during start-up; last lines of ${path.join(loc.paths.logsDir, 'supervisor.log')}:`);
    lines.push(indent(tailFile(path.join(loc.paths.logsDir, 'supervisor.log'))));
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

function printReady(loc: ClusterLocation, config: ClusterConfig, ready: ReadyResult): void {
  const processes = ready.state?.processes ?? [];
  process.stdout.write(
    `\nCluster "${loc.name}" is ready.\n\n` +
      `${formatTable(
        ['NAME', 'COMPONENT', 'PID', 'ADDRESS'],
        processes.map((p) => [p.name, p.component, p.pid, p.address]),
      )}\n\n` +
      `Use it with kubectl:\n` +
      `  export KUBECONFIG=${loc.paths.kubeconfig}\n` +
      `  kubectl get nodes\n` +
      `or:\n` +
      `  kubectl --kubeconfig ${loc.paths.kubeconfig} get nodes\n` +
      `Watch it live: ${dashboardUrl(config, ensureDashboardToken(loc.home))}  (loopkube dashboard${nameFlag(loc.name)}; in a terminal: loopkube top${nameFlag(loc.name)})\n` +
      `(context ${contextName(loc.name)}; logs in ${loc.paths.logsDir}; stop with: loopkube down${nameFlag(loc.name)})\n`,
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
export async function assignPorts(config: ClusterConfig): Promise<void> {
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
  config.dns.port = await pickDnsPort(config.dns.ip, config.dns.port);
}

/** 53 when this process may bind it (TCP and UDP) on the DNS IP, else last time's, else a free one. */
async function pickDnsPort(ip: string, previous: number): Promise<number> {
  const usable = async (port: number): Promise<boolean> => (await canListenTcp(ip, port)).ok && (await canBindUdp(ip, port)).ok;
  if (await usable(53)) return 53;
  if (previous > 0 && previous !== 53 && (await usable(previous))) return previous;
  for (;;) {
    const port = await freeTcpPort(ip);
    if (await usable(port)) return port;
  }
}

function requireOnPath(program: string): void {
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
    `${program} was not found on PATH: --redis runs a redis-server of the cluster's own.\n` +
      `Install it (Debian/Ubuntu: sudo apt-get install redis-server), or use a Redis that is already running with --store redis://HOST:PORT/DB`,
  );
}

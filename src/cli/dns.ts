// `loopkube dns [NAME]`: where the cluster DNS answers, the exact `dig` commands to ask it (over
// UDP from anywhere, over TCP from a node's address, as it goes through the proxy), and the
// answer it gives now. When the DNS is not on port 53, why (checked now) and the fix.
import { resolveIPv4, resolveSrv } from '../dns/client.js';
import { CLUSTER_DOMAIN, expandName } from '../dns/records.js';
import { RCODE } from '../dns/wire.js';
import { CliError, UsageError, parseFlags } from './args.js';
import { openCluster } from './cluster-access.js';
import { nameFlag, notRunningMessage, runningSupervisorPid, selectCluster } from './cluster-home.js';
import { lowPortFixCommands, unprivilegedPortStart } from '../cluster/privileged-ports.js';
import { canBindUdp } from './ports.js';

export const DNS_HELP = `Show where the cluster DNS answers, the dig commands that ask it, and its answer.

Usage:
  loopkube dns [NAME] [-n NS] [--srv] [--name CLUSTER]

NAME is a Service's name as a pod would write it (web, web.prod, web.prod.svc.cluster.local;
default: kubernetes.default.svc.cluster.local), or with --srv a port name: _http._tcp.web.

Options:
  -n, --namespace NS   namespace of a short NAME (default: default)
  --srv                ask for SRV records (named ports) instead of A
  --name CLUSTER       cluster name (default: the only running cluster, else the one 'up' started last)
  -h, --help           show this help

UDP is answered from any address; DNS over TCP goes through the proxy like any ClusterIP, so it
answers only from a node's or pod's address (dig -b).
`;

const FLAGS = { namespace: { type: 'string', short: 'n' }, srv: { type: 'boolean' }, name: { type: 'string' } } as const;

export async function dns(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('dns', argv, FLAGS, true);
  if (values.help) {
    process.stdout.write(DNS_HELP);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError('dns', `unexpected argument "${positionals[1]}"`);
  const loc = selectCluster(values.name);
  if (runningSupervisorPid(loc) === null) throw new CliError(notRunningMessage(loc.name));
  const cluster = openCluster(loc.name, true)!;
  cluster.client.close();
  const { ip, port } = cluster.config.dns;
  if (!port) throw new CliError(`cluster "${loc.name}" has no DNS port in ${loc.paths.config}: start it again with loopkube up${nameFlag(loc.name, true)}`);
  const fqdn = expandName(positionals[0] ?? `kubernetes.default.svc.${CLUSTER_DOMAIN}`, CLUSTER_DOMAIN, values.namespace ?? 'default');
  const type = values.srv ? ' SRV' : '';
  const p = port === 53 ? '' : ` -p ${port}`;
  const node = cluster.config.nodes[0]?.ip;

  const out: string[] = [`Cluster DNS of "${loc.name}": ${ip} port ${port}`];
  if (port !== 53) {
    const why = await canBindUdp(ip, 53);
    if (!why.ok && why.code === 'EACCES') {
      out.push(
        `  Not 53: ports below ${unprivilegedPortStart()} need privileges this user (uid ${process.getuid?.() ?? '?'}) does not have. To allow them:`,
        ...lowPortFixCommands().map((c) => `    ${c}`),
        `  then: loopkube down${nameFlag(loc.name)} && loopkube up${nameFlag(loc.name, true)} (the DNS takes 53 when it may).`,
      );
    } else if (!why.ok) {
      out.push(`  Not 53: ${ip}:53 was not free (${why.code}).`);
    } else {
      out.push(`  Not 53: port 53 could not be had when the cluster started; loopkube down && loopkube up takes it now.`);
    }
  }
  out.push('', `dig @${ip}${p} ${fqdn}${type}`);
  if (node) out.push(`dig +tcp -b ${node} @${ip}${p} ${fqdn}${type}    # over TCP, from node ${cluster.config.nodes[0]!.name}'s address`);
  out.push('');
  try {
    const opts = cluster.dns ?? { server: ip, port, timeoutMs: 500, attempts: 2 };
    if (values.srv) {
      const srv = await resolveSrv(fqdn, opts);
      out.push(srv.length ? srv.map((s) => `${fqdn} SRV -> ${s.target}:${s.port}${s.addresses.length ? ` (${s.addresses.join(', ')})` : ''}`).join('\n') : `${fqdn}: no SRV records`);
    } else {
      const a = await resolveIPv4(fqdn, opts);
      out.push(a.addresses.length ? `${fqdn} -> ${a.addresses.join(', ')}` : `${fqdn}: ${a.rcode === RCODE.NXDOMAIN ? 'NXDOMAIN (no such name)' : 'no A records'}`);
    }
  } catch (err) {
    out.push(`the cluster DNS did not answer: ${(err as Error).message}`);
    process.stdout.write(`${out.join('\n')}\n`);
    return 1;
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

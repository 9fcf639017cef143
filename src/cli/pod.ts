// `loopkube pod ACTION POD`: the built-in app's control, through the pod's node (its kubelet
// port, with the cluster's token): fail a container's readiness or liveness, crash it, or show
// its flags. The pod's own ports carry none of this, so no client of a Service can.
import { ApiError } from '../api/errors.js';
import type { Node, Pod } from '../api/types.js';
import { readClusterConfig } from '../cluster/config.js';
import type { ApiClient } from '../client/client.js';
import { sendPodControl, type PodControlAction } from '../client/pod-control.js';
import { CliError, UsageError, intFlag, parseFlags } from './args.js';
import { openCluster } from './cluster-access.js';
import { locateCluster } from './cluster-home.js';

export const POD_HELP = `Change what a pod's built-in app answers its probes, or crash it, through its node.

Usage:
  loopkube pod readiness POD true|false [-n NS] [-c CONTAINER]   readiness probes pass / fail
  loopkube pod liveness POD true|false [-n NS] [-c CONTAINER]    liveness probes pass / fail (kubelet restarts it)
  loopkube pod crash POD [--exit-code N] [-n NS] [-c CONTAINER]  the container exits at once (default code 1)
  loopkube pod state POD [-n NS] [-c CONTAINER]                  the flags now

Options:
  -n, --namespace NS     the pod's namespace (default: default)
  -c, --container NAME   the container (default: the pod's first)
  --exit-code N          crash's exit code, 0-255 (default: 1)
  --name CLUSTER         cluster name (default: default)
  -h, --help             show this help

The node serves this on its kubelet port (http://<node ip>:10248/control/...) to the cluster's
bearer token only: a flag changed here lasts for the container's current run.
`;

const ACTIONS: readonly PodControlAction[] = ['readiness', 'liveness', 'crash', 'state'];

export async function pod(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    'pod',
    argv,
    {
      namespace: { type: 'string', short: 'n' },
      container: { type: 'string', short: 'c' },
      'exit-code': { type: 'string' },
      name: { type: 'string' },
    } as const,
    true,
  );
  if (values.help) {
    process.stdout.write(POD_HELP);
    return 0;
  }
  const [action, podName, value, ...extra] = positionals;
  if (!action || !(ACTIONS as readonly string[]).includes(action)) {
    throw new UsageError('pod', action === undefined ? 'an action is required: readiness, liveness, crash or state' : `unknown action "${action}": use readiness, liveness, crash or state`);
  }
  if (!podName) throw new UsageError('pod', `pod ${action} needs the name of a pod`);
  const act = action as PodControlAction;
  const query: Record<string, string> = {};
  if (act === 'readiness' || act === 'liveness') {
    if (value !== 'true' && value !== 'false') throw new UsageError('pod', `pod ${act} needs true or false after the pod's name`);
    query[act === 'readiness' ? 'ready' : 'healthy'] = value;
  } else if (value !== undefined) {
    throw new UsageError('pod', `unexpected argument "${value}"`);
  }
  if (extra.length) throw new UsageError('pod', `unexpected argument "${extra[0]}"`);
  if (act === 'crash') query.exitCode = String(intFlag('pod', '--exit-code', values['exit-code'], 0, 255) ?? 1);
  else if (values['exit-code'] !== undefined) throw new UsageError('pod', '--exit-code goes with crash only');

  const cluster = values.name ?? 'default';
  const access = openCluster(cluster, true)!;
  const namespace = values.namespace ?? 'default';
  try {
    let p: Pod;
    try {
      p = await access.client.get<Pod>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(podName)}`);
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) throw new CliError(`pods "${podName}" not found in namespace "${namespace}"`);
      throw err;
    }
    const container = values.container ?? p.spec.containers[0]?.name ?? '';
    if (!p.spec.containers.some((c) => c.name === container)) {
      throw new CliError(`container ${container} is not valid for pod ${podName}; its containers are: ${p.spec.containers.map((c) => c.name).join(', ')}`);
    }
    const nodeName = p.spec.nodeName;
    if (!nodeName) throw new CliError(`pod ${namespace}/${podName} is not scheduled to a node yet`);
    const nodeIP = await nodeAddress(access.client, nodeName, cluster);
    const res = await sendPodControl({ nodeIP, token: access.client.config.token, target: { namespace, pod: podName, container }, action: act, query }).catch((err: Error) => {
      throw new CliError(`node ${nodeName} (${nodeIP}) does not answer: ${err.message}`);
    });
    if (res.status !== 200) throw new CliError(`node ${nodeName}: ${String(res.body.error ?? `HTTP ${res.status}`)}`);
    const what = act === 'crash' ? `crashing (exit code ${query.exitCode})` : `ready=${String(res.body.ready)} healthy=${String(res.body.healthy)}`;
    process.stdout.write(`pod/${podName} container ${container} on ${nodeName}: ${what}\n`);
    return 0;
  } finally {
    access.client.close();
  }
}

/** The node's InternalIP: from its Node object, else the cluster's address plan. */
async function nodeAddress(client: ApiClient, nodeName: string, cluster: string): Promise<string> {
  try {
    const n = await client.get<Node>(`/api/v1/nodes/${encodeURIComponent(nodeName)}`);
    const ip = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    if (ip) return ip;
  } catch {
    // fall back to the plan
  }
  const planned = readClusterConfig(locateCluster(cluster).home).nodes.find((n) => n.name === nodeName);
  if (!planned) throw new CliError(`node ${nodeName} has no address`);
  return planned.ip;
}

// A node agent, put together: health endpoint, registration, heartbeat, and the pods bound to
// the node. main.ts runs one per process; tests may run one in-process.
import type { Node } from '../src/api/types.js';
import type { ApiClient } from '../src/client/client.js';
import type { NodeConfig } from '../src/cluster/config.js';
import { NODE_HEALTH_PORT } from '../src/cluster/processes.js';
import { createEventRecorder, type EventRecorder } from '../src/controllers/events.js';
import type { Logger } from '../src/log.js';
import { createNodeMetrics } from '../src/observe/node-metrics.js';
import { DEFAULT_RESTART_BACKOFF, type RestartBackoffOptions } from './backoff.js';
import { startConfigSources, type ConfigSources } from './config-sources.js';
import { startHealthServer, type HealthServer } from './health-server.js';
import { startKubeletServer, type KubeletServer } from './kubelet-server.js';
import { handleStreamUpgrade } from './kubelet-streams.js';
import { startHeartbeat, type Heartbeat } from './heartbeat.js';
import { startNodeLease, type NodeLease } from './node-lease.js';
import { buildNode, KUBELET_PORT } from './node-status.js';
import { startPodManager, type PodManager } from './pod-manager.js';
import { rfc3339 } from './pod-status.js';
import { registerNode } from './registration.js';
import { nodeUsage } from './node-usage.js';

export interface NodeAgentOptions {
  node: NodeConfig;
  client: ApiClient;
  logger: Logger;
  restartBackoff?: RestartBackoffOptions;
  heartbeatIntervalMs?: number;
  /** Port of the health endpoint on the node's IP; 10248 as kubelet's. */
  healthPort?: number;
  /** Where the node keeps its small state across restarts (main: `<home>/nodes/<name>`). */
  stateDir?: string;
  /**
   * The kubelet API (logs, exec, attach, port-forward) on the node's IP, for the control plane
   * presenting this token (src/pki/kubelet-token.ts); without one, it is not served.
   */
  kubelet?: { token: string; port?: number };
  /** Where the cluster DNS answers (cluster.json `dns`), for the toolbox of `kubectl exec`. */
  dns?: { ip: string; port: number };
  /** Run containers' commands as host processes (cluster.json `hostProcesses`), with this back-off. */
  hostProcesses?: { backoff: RestartBackoffOptions };
}

export interface NodeAgent {
  /** Resolves once the Node is registered and its pods are listed. */
  ready(): Promise<void>;
  registered(): boolean;
  pods(): PodManager | undefined;
  /** Closes every pod's listeners and stops talking to the API server (pods stay). */
  stop(): Promise<void>;
}

export async function startNodeAgent(opts: NodeAgentOptions): Promise<NodeAgent> {
  const { node, client, logger } = opts;
  const events: EventRecorder = createEventRecorder(client, 'kubelet', logger, node.name);
  let registered = false;
  let stopped = false;
  let heartbeat: Heartbeat | undefined;
  let lease: NodeLease | undefined;
  let pods: PodManager | undefined;
  let sources: ConfigSources | undefined;

  const metrics = createNodeMetrics(node.name, () =>
    (pods?.runtimes() ?? []).map((r) => ({ namespace: r.pod().metadata.namespace ?? '', name: r.pod().metadata.name ?? '', ip: r.podIP, requests: r.requests(), answers: r.answers() })),
  );
  const health: HealthServer = await startHealthServer({
    host: node.ip,
    port: opts.healthPort ?? NODE_HEALTH_PORT,
    healthy: () => registered,
    metrics: metrics.render,
    token: client.config.token,
    control: (namespace, name, containerName) => {
      const runtime = pods?.runtime(`${namespace}/${name}`);
      if (!runtime) return { missing: `pod ${namespace}/${name} is not on node ${node.name}` };
      const container = runtime.container(containerName);
      if (!container) return { missing: `pod ${namespace}/${name} has no container ${JSON.stringify(containerName)}` };
      return container.control() ?? { missing: `container ${containerName} of pod ${namespace}/${name} is not running` };
    },
  });
  const podByName = (namespace: string, name: string): ReturnType<PodManager['runtime']> => pods?.runtime(`${namespace}/${name}`);
  let kubelet: KubeletServer | undefined;
  try {
    kubelet = opts.kubelet
      ? await startKubeletServer({
          host: node.ip,
          port: opts.kubelet.port ?? KUBELET_PORT,
          token: opts.kubelet.token,
          logger,
          pod: podByName,
          usage: () => nodeUsage(pods?.runtimes() ?? []),
          upgrade: (req, socket, head, url) => handleStreamUpgrade({ logger, pod: podByName, ...(opts.dns ? { dns: opts.dns } : {}) }, req, socket, head, url),
        })
      : undefined;
  } catch (err) {
    await health.close();
    throw err;
  }

  const register = (): Promise<Node | undefined> => registerNode(client, () => buildNode(node, rfc3339()), logger, { isStopped: () => stopped });
  const announceReady = (n: Node): void => events.normal(n, 'NodeReady', `Node ${node.name} status is now: NodeReady`);

  const readyPromise = (async () => {
    const registeredNode = await register();
    if (!registeredNode || stopped) return;
    registered = true;
    events.normal(registeredNode, 'Starting', 'Starting kubelet.');
    announceReady(registeredNode);
    heartbeat = startHeartbeat({
      client,
      nodeName: node.name,
      logger,
      initial: registeredNode,
      intervalMs: opts.heartbeatIntervalMs,
      reregister: register,
      onReady: announceReady,
    });
    lease = startNodeLease({ client, node: registeredNode, logger });
    sources = startConfigSources(client, logger);
    pods = startPodManager({ client, node, logger, events, backoff: opts.restartBackoff ?? DEFAULT_RESTART_BACKOFF, stateDir: opts.stateDir, sources, ...(opts.dns ? { dns: opts.dns } : {}), ...(opts.hostProcesses ? { hostProcesses: opts.hostProcesses } : {}) });
    await pods.synced();
  })();

  return {
    ready: () => readyPromise,
    registered: () => registered,
    pods: () => pods,
    async stop() {
      stopped = true;
      heartbeat?.stop();
      lease?.stop();
      pods?.stop();
      sources?.stop();
      await Promise.all([health.close(), kubelet?.close()]);
    },
  };
}

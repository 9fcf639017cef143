// The node's heartbeat: every second a merge patch of nodes/NAME/status refreshing the
// conditions' lastHeartbeatTime (transition times kept unless a status changed). The node
// lifecycle controller turns a node whose heartbeats stop NotReady. While the API server is
// down the heartbeat keeps trying; after a gap it reads the Node first, since the controller
// may have marked it Unknown meanwhile (so Ready's transition time moves, as it should).
import { isApiError } from '../src/api/errors.js';
import { resourcePath } from '../src/api/paths.js';
import type { Node } from '../src/api/types.js';
import type { ApiClient } from '../src/client/client.js';
import type { Logger } from '../src/log.js';
import { nodeConditions } from './node-status.js';
import { rfc3339 } from './pod-status.js';
import { NODES } from '../src/kinds/node/resource.js';


export interface HeartbeatDeps {
  client: ApiClient;
  nodeName: string;
  logger: Logger;
  /** The Node as registered. */
  initial: Node;
  intervalMs?: number;
  /** The Node is gone from the API server: register it again; resolves with the new object. */
  reregister(): Promise<Node | undefined>;
  /** Ready turned True (after registration, or after the controller had marked it otherwise). */
  onReady?(node: Node): void;
}

export interface Heartbeat {
  /** When the last heartbeat was accepted (ms since the epoch). */
  lastSuccess(): number;
  stop(): void;
}

export function startHeartbeat(deps: HeartbeatDeps): Heartbeat {
  const intervalMs = deps.intervalMs ?? 1000;
  const path = resourcePath(NODES, undefined, deps.nodeName);
  let node = deps.initial;
  let lastSuccess = Date.now();
  let failures = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const isReady = (n: Node | undefined): boolean => n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

  async function beat(): Promise<void> {
    if (stopped) return;
    try {
      if (failures > 0 || Date.now() - lastSuccess > 2 * intervalMs) node = await deps.client.get<Node>(path);
      const wasReady = isReady(node);
      const conditions = nodeConditions(node.status?.conditions, rfc3339());
      node = await deps.client.patch<Node>(`${path}/status`, { status: { conditions } }, 'merge');
      if (failures > 0) deps.logger.info({ failures }, 'heartbeat accepted again');
      failures = 0;
      lastSuccess = Date.now();
      if (!wasReady && isReady(node)) deps.onReady?.(node);
    } catch (err) {
      failures++;
      if (isApiError(err) && err.code === 404) {
        deps.logger.warn('this node is gone from the API server; registering it again');
        const again = await deps.reregister();
        if (again) {
          node = again;
          failures = 0;
          lastSuccess = Date.now();
          deps.onReady?.(again);
        }
      } else {
        const level = failures === 1 || failures % 30 === 0 ? 'warn' : 'debug';
        deps.logger[level]({ failures, err: (err as Error).message }, 'heartbeat failed; retrying');
      }
    }
    if (!stopped) timer = setTimeout(() => void beat(), intervalMs);
  }

  timer = setTimeout(() => void beat(), intervalMs);
  return {
    lastSuccess: () => lastSuccess,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

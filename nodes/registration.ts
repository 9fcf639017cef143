// Registering the Node with the API server, as kubelet's registerWithAPIServer: create it; if it
// exists already (this node ran before), bring it up to date (labels, podCIDR, taints from the
// config) keeping what users changed (cordon, their own labels and taints), then write its
// status. Retried until the API server answers: a node may start before the control plane.
import { isApiError } from '../src/api/errors.js';
import { resourcePath } from '../src/api/paths.js';
import type { Node, Taint } from '../src/api/types.js';
import type { ApiClient } from '../src/client/client.js';
import type { Logger } from '../src/log.js';
import { nodeConditions } from './node-status.js';
import { NODES } from '../src/kinds/node/resource.js';


function mergeTaints(existing: Taint[] | undefined, ours: Taint[] | undefined): Taint[] | undefined {
  const out = new Map<string, Taint>();
  for (const t of existing ?? []) out.set(`${t.key}:${t.effect}`, t);
  for (const t of ours ?? []) out.set(`${t.key}:${t.effect}`, t);
  return out.size > 0 ? [...out.values()] : undefined;
}

/** The existing Node with our labels, annotations, podCIDR and taints folded in. */
export function reconcileExistingNode(existing: Node, wanted: Node): Node {
  const next: Node = structuredClone(existing);
  next.metadata.labels = { ...(existing.metadata.labels ?? {}), ...(wanted.metadata.labels ?? {}) };
  next.metadata.annotations = { ...(existing.metadata.annotations ?? {}), ...(wanted.metadata.annotations ?? {}) };
  next.spec = { ...(existing.spec ?? {}), podCIDR: wanted.spec?.podCIDR, podCIDRs: wanted.spec?.podCIDRs };
  const taints = mergeTaints(existing.spec?.taints, wanted.spec?.taints);
  if (taints) next.spec.taints = taints;
  return next;
}

async function createOrUpdate(client: ApiClient, wanted: Node): Promise<Node> {
  const name = wanted.metadata.name!;
  try {
    return await client.create<Node>(resourcePath(NODES), wanted);
  } catch (err) {
    if (!isApiError(err) || err.code !== 409) throw err;
  }
  const existing = await client.get<Node>(resourcePath(NODES, undefined, name));
  await client.update<Node>(resourcePath(NODES, undefined, name), reconcileExistingNode(existing, wanted));
  // Conditions keep their transition times when their status did not change.
  const now = wanted.status?.conditions?.[0]?.lastHeartbeatTime ?? new Date().toISOString();
  const status = { ...wanted.status, conditions: nodeConditions(existing.status?.conditions, now) };
  return client.patch<Node>(resourcePath(NODES, undefined, name, 'status'), { status }, 'merge');
}

export interface RegisterOptions {
  isStopped?: () => boolean;
}

/** Registers the node; retries (100ms doubling to 2s) until it succeeds or the agent stops. */
export async function registerNode(client: ApiClient, wanted: () => Node, logger: Logger, opts: RegisterOptions = {}): Promise<Node | undefined> {
  let waitMs = 100;
  for (let attempt = 1; ; attempt++) {
    if (opts.isStopped?.()) return undefined;
    try {
      const node = await createOrUpdate(client, wanted());
      logger.info({ attempt }, 'node registered');
      return node;
    } catch (err) {
      // Nodes start together with the control plane: the first refusals are the expected
      // start-up race, not a problem. Only one that lasts (~10 s, attempt 10) is a warning.
      const level = attempt % 10 === 0 ? 'warn' : attempt === 1 ? 'info' : 'debug';
      logger[level]({ attempt, err: (err as Error).message }, attempt === 1 ? 'waiting for the API server to register the node' : 'unable to register node with the API server; retrying');
      await new Promise((r) => setTimeout(r, waitMs));
      waitMs = Math.min(waitMs * 2, 2000);
    }
  }
}

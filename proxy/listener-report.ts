// The proxy's GET /listeners: how many frontend addresses listen, and each one that could not be
// opened (listeners and health-check node ports), with the reason and the fix in the words of
// its Event. The CLI and the dashboard read it (src/observe/listener-problems.ts) to name a
// failed listener where a user would otherwise see only "connection refused".
import type { ListenerFailureReport, ListenersReport } from '../src/observe/listener-problems.js';
import { bindFailureFix, healthCheckFailureMessage, listenerFailureMessage, splitKey, strerror } from './events.js';
import type { HealthCheckServers } from './health-check.js';
import type { DataPlane } from './data-plane/types.js';

/** What `plane` serves and could not serve (an nftables plane has no listener to fail). */
export function buildListenerReport(plane: Pick<DataPlane, 'failed' | 'servingCount'>, healthChecks: HealthCheckServers): ListenersReport {
  const failed: ListenerFailureReport[] = [];
  for (const f of plane.failed().values()) {
    const { address, port } = splitKey(f.key);
    failed.push({
      address: f.key,
      kind: f.kind,
      namespace: f.service.namespace,
      service: f.service.name,
      port: f.service.port,
      node: f.node ?? null,
      code: f.code,
      reason: strerror(f.code),
      fix: bindFailureFix(f.code, address, port, f.kind),
      message: listenerFailureMessage(f.service, f.kind, f.key, f.node, f.code, f.syscall),
    });
  }
  for (const f of healthChecks.failed().values()) {
    const { address, port } = splitKey(f.key);
    failed.push({
      address: f.key,
      kind: 'healthCheck',
      namespace: f.server.namespace,
      service: f.server.name,
      port: '',
      node: f.server.node,
      code: f.code,
      reason: strerror(f.code),
      fix: bindFailureFix(f.code, address, port, 'healthCheck'),
      message: healthCheckFailureMessage(f.server, f.key, f.server.node, f.code),
    });
  }
  return { listening: plane.servingCount(), failed };
}

// The proxy's GET /listeners: how many frontend addresses listen, and each one that could not be
// opened (listeners and health-check node ports), with the reason and the fix in the words of
// its Event. The CLI and the dashboard read it (src/observe/listener-problems.ts) to name a
// failed listener where a user would otherwise see only "connection refused".
import type { ListenerFailureReport, ListenersReport } from '../src/observe/listener-problems.js';
import { bindFailureFix, healthCheckFailureMessage, listenerFailureMessage, strerror } from './events.js';
import type { HealthCheckServers } from './health-check.js';
import type { ListenerSet } from './listeners.js';

export function buildListenerReport(listeners: ListenerSet, healthChecks: HealthCheckServers): ListenersReport {
  const failed: ListenerFailureReport[] = [];
  for (const f of listeners.failed().values()) {
    const fe = f.frontend.frontend;
    failed.push({
      address: f.key,
      kind: fe.kind,
      namespace: fe.service.namespace,
      service: fe.service.name,
      port: fe.service.port,
      node: fe.node ?? null,
      code: f.code,
      reason: strerror(f.code),
      fix: bindFailureFix(f.code, fe.address, fe.port, fe.kind),
      message: listenerFailureMessage(fe.service, fe.kind, f.key, fe.node, f.code, f.syscall),
    });
  }
  for (const f of healthChecks.failed().values()) {
    const i = f.key.lastIndexOf(':');
    failed.push({
      address: f.key,
      kind: 'healthCheck',
      namespace: f.server.namespace,
      service: f.server.name,
      port: '',
      node: f.server.node,
      code: f.code,
      reason: strerror(f.code),
      fix: bindFailureFix(f.code, f.key.slice(0, i), Number(f.key.slice(i + 1)), 'healthCheck'),
      message: healthCheckFailureMessage(f.server, f.key, f.server.node, f.code),
    });
  }
  return { listening: listeners.listening().length, failed };
}

// What the proxy tells users through Service Events: a listener or health-check port it cannot
// open (with the reason and the fix), and two services claiming one address. Each problem is
// recorded once when it appears (the recorder bumps the count if it recurs after clearing).
import { getSystemErrorMap } from 'node:util';
import { lowPortFixClause, unprivilegedPortStart } from '../src/cluster/privileged-ports.js';
import type { Service } from '../src/api/types.js';
import type { EventRecorder } from '../src/controllers/events.js';
import type { ListenerFailureWire } from '../src/observe/protocol.js';
import type { DataPlane } from './data-plane/types.js';
import type { AddressConflict, FrontendKind, ServicePortRef } from './snapshot.js';

export const REASON_FAILED_TO_OPEN_PORT = 'FailedToOpenPort';
export const REASON_FAILED_HEALTH_CHECK = 'FailedToStartServiceHealthcheck';
export const REASON_ADDRESS_CONFLICT = 'AddressConflict';

export interface ProxyEvents {
  listenerFailed(service: ServicePortRef, kind: FrontendKind, key: string, node: string | undefined, code: string, syscall: string): void;
  healthCheckFailed(service: { namespace: string; name: string; uid: string }, key: string, node: string, code: string): void;
  conflict(c: AddressConflict): void;
}

function serviceObject(s: { namespace: string; name: string; uid: string }): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: s.namespace, name: s.name, uid: s.uid }, spec: {} };
}

/** The system's words for an errno name: EACCES -> "permission denied". */
export function strerror(code: string): string {
  for (const [, [name, message]] of getSystemErrorMap()) if (name === code) return message;
  return code;
}

const KIND_WORDS: Record<FrontendKind, string> = { clusterIP: 'clusterIP', nodePort: 'nodePort', loadBalancer: 'load-balancer IP' };
const MOVE_IT: Record<FrontendKind | 'healthCheck', string> = {
  clusterIP: "give the Service another port (spec.ports[].port)",
  nodePort: 'give the Service another nodePort (spec.ports[].nodePort), or leave it empty to get a free one',
  loadBalancer: 'give the Service another port (spec.ports[].port)',
  healthCheck: 'leave spec.healthCheckNodePort empty to get a free one',
};

/** The fix for a bind error, worded for the user who owns the Service. */
export function bindFailureFix(code: string, address: string, port: number, kind: FrontendKind | 'healthCheck'): string {
  switch (code) {
    case 'EACCES': {
      return `ports below ${unprivilegedPortStart()} need privileges: run the cluster as root, or ${lowPortFixClause()}, or ${MOVE_IT[kind]}`;
    }
    case 'EADDRINUSE':
      return `another process listens on ${address}:${port} (see which: ss -ltnp 'sport = :${port}'); stop it, or ${MOVE_IT[kind]}`;
    case 'EADDRNOTAVAIL':
      return `${address} is not an address of this machine: on Linux all of 127.0.0.0/8 is loopback; elsewhere add it as a loopback alias (macOS: sudo ifconfig lo0 alias ${address})`;
    default:
      return `the proxy keeps retrying; ${MOVE_IT[kind]}`;
  }
}

/** `ip:port` -> its parts. */
export function splitKey(key: string): { address: string; port: number } {
  const i = key.lastIndexOf(':');
  return { address: key.slice(0, i), port: Number(key.slice(i + 1)) };
}

/** The FailedToStartServiceHealthcheck Event's message (and the /listeners report's). */
export function healthCheckFailureMessage(service: { namespace: string; name: string }, key: string, node: string, code: string): string {
  const { address, port } = splitKey(key);
  return (
    `node ${node} failed to start healthcheck "${service.namespace}/${service.name}" on port ${port}: ` +
    `listen tcp ${address}:${port}: bind: ${strerror(code)}; ${bindFailureFix(code, address, port, 'healthCheck')}`
  );
}

/** The FailedToOpenPort Event's message; the proxy's /listeners report carries the same text. */
export function listenerFailureMessage(service: ServicePortRef, kind: FrontendKind, key: string, node: string | undefined, code: string, syscall: string): string {
  const { address, port } = splitKey(key);
  const portName = service.port ? ` for port "${service.port}"` : '';
  const where = node ? ` on ${node}` : '';
  return (
    `can't open ${KIND_WORDS[kind]} ${address}:${port}/tcp${portName}${where}, skipping it: ` +
    `listen tcp ${address}:${port}: ${syscall}: ${strerror(code)}; ${bindFailureFix(code, address, port, kind)}`
  );
}

export function createProxyEvents(recorder: EventRecorder): ProxyEvents {
  return {
    listenerFailed(service, kind, key, node, code, syscall) {
      recorder.warning(serviceObject(service), REASON_FAILED_TO_OPEN_PORT, listenerFailureMessage(service, kind, key, node, code, syscall));
    },
    healthCheckFailed(service, key, node, code) {
      recorder.warning(serviceObject(service), REASON_FAILED_HEALTH_CHECK, healthCheckFailureMessage(service, key, node, code));
    },
    conflict(c) {
      recorder.warning(
        serviceObject(c.loser),
        REASON_ADDRESS_CONFLICT,
        `${c.address}:${c.port} is already used by service ${c.winner.namespace}/${c.winner.name}` +
          `${c.winner.port ? ` (port "${c.winner.port}")` : ''}, created earlier; this service does not get it`,
      );
    },
  };
}

/** The listeners that could not be opened, as the traffic hub receives them. */
export function listenerFailures(plane: Pick<DataPlane, 'failed'>): ListenerFailureWire[] {
  const out: ListenerFailureWire[] = [];
  for (const f of plane.failed().values()) {
    out.push({
      namespace: f.service.namespace,
      service: f.service.name,
      port: f.service.port,
      kind: f.kind,
      address: f.key,
      node: f.node ?? null,
      code: f.code,
      syscall: f.syscall,
      message: listenerFailureMessage(f.service, f.kind, f.key, f.node, f.code, f.syscall),
    });
  }
  return out;
}

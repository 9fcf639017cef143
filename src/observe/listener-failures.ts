// Which listeners the proxy could not open, and why: the one place the views learn it (today from
// what the proxies push with their counters; a shared source can replace this function alone).
import type { ListenerFailureView } from './protocol.js';
import type { MergedTraffic } from './traffic-rates.js';

export function listenerFailuresFrom(merged: Pick<MergedTraffic, 'listenerFailures'>): ListenerFailureView[] {
  return merged.listenerFailures.map((f) => ({
    service: `${f.namespace}/${f.service}`,
    port: f.port,
    kind: f.kind,
    address: f.address,
    node: f.node ?? '',
    code: f.code,
    message: f.message,
  }));
}

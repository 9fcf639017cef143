// sessionAffinity: ClientIP. A client IP is pinned to the endpoint it last went to; the pin lasts
// timeoutSeconds after the client's last new connection (kube-proxy's `recent` match updates on
// every connection). A pinned endpoint that is no longer a candidate (gone, not ready, or not on
// the node a Local policy allows) is forgotten and the balancer picks anew.
import type { EndpointTarget } from '../endpoint-slices.js';

export interface AffinityTable {
  /** The client's pinned endpoint among `candidates`, refreshing its timer; undefined when none. */
  lookup(clientIP: string, candidates: readonly EndpointTarget[], nowMs: number): EndpointTarget | undefined;
  remember(clientIP: string, endpoint: EndpointTarget, nowMs: number): void;
  /** Drops expired pins (called now and then, so idle clients do not accumulate). */
  sweep(nowMs: number): void;
  readonly size: number;
}

interface Pin {
  key: string;
  expiresAt: number;
}

export function createAffinityTable(timeoutSeconds: number): AffinityTable {
  const pins = new Map<string, Pin>();
  const ttl = timeoutSeconds * 1000;
  return {
    lookup(clientIP, candidates, nowMs) {
      const pin = pins.get(clientIP);
      if (!pin) return undefined;
      if (pin.expiresAt <= nowMs) {
        pins.delete(clientIP);
        return undefined;
      }
      for (let i = 0; i < candidates.length; i++) {
        const c = candidates[i]!;
        if (c.key === pin.key) {
          pin.expiresAt = nowMs + ttl;
          return c;
        }
      }
      return undefined;
    },
    remember(clientIP, endpoint, nowMs) {
      const pin = pins.get(clientIP);
      if (pin) {
        pin.key = endpoint.key;
        pin.expiresAt = nowMs + ttl;
      } else {
        pins.set(clientIP, { key: endpoint.key, expiresAt: nowMs + ttl });
      }
    },
    sweep(nowMs) {
      for (const [ip, pin] of pins) if (pin.expiresAt <= nowMs) pins.delete(ip);
    },
    get size() {
      return pins.size;
    },
  };
}

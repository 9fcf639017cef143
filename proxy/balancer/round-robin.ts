// Round-robin, the Service default in loopkube (and kube-proxy's userspace and IPVS `rr`): each
// new connection goes to the next endpoint in order, so N connections over K endpoints give each
// N/K. The cursor survives snapshot swaps; when the endpoint list changes it carries on modulo the
// new length.
import type { Balancer } from './types.js';

export function createRoundRobin(): Balancer {
  let next = 0;
  return {
    pick(candidates) {
      const n = candidates.length;
      if (n === 0) return undefined;
      if (next >= n) next %= n;
      const chosen = candidates[next]!;
      next = next + 1 === n ? 0 : next + 1;
      return chosen;
    },
  };
}

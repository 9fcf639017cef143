// Least connections, as IPVS' `lc` scheduler: the endpoint with the fewest open connections;
// among equals, the next one after the last pick (so equal load rotates instead of piling onto
// the first endpoint).
import type { Balancer, EndpointLoad } from './types.js';

export function createLeastConnections(load: EndpointLoad): Balancer {
  let start = 0;
  return {
    pick(candidates) {
      const n = candidates.length;
      if (n === 0) return undefined;
      if (start >= n) start %= n;
      let best = start;
      let bestLoad = load(candidates[start]!);
      for (let k = 1; k < n && bestLoad > 0; k++) {
        const i = start + k < n ? start + k : start + k - n;
        const l = load(candidates[i]!);
        if (l < bestLoad) {
          best = i;
          bestLoad = l;
        }
      }
      start = best + 1 === n ? 0 : best + 1;
      return candidates[best];
    },
  };
}

// Random choice, as kube-proxy's iptables mode spreads connections (statistic --mode random).
import type { Balancer } from './types.js';

export function createRandom(random: () => number = Math.random): Balancer {
  return {
    pick(candidates) {
      const n = candidates.length;
      if (n === 0) return undefined;
      return candidates[Math.floor(random() * n) % n];
    },
  };
}

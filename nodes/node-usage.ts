// What the node reports on /metrics/resource: each running container's usage
// (ContainerRuntime.usage: the built-in app's meter, or /proc for a host process), and the
// node's own: this node process's CPU time and resident memory, in which the built-in apps run.
import type { NodeUsageReport } from '../src/metrics/resource-metrics.js';
import type { PodRuntime } from './pod-runtime.js';

export function nodeUsage(runtimes: readonly PodRuntime[], now = Date.now()): NodeUsageReport {
  const cpu = process.cpuUsage();
  const pods: NodeUsageReport['pods'] = [];
  for (const r of runtimes) {
    if (r.finished()) continue;
    const pod = r.pod();
    const containers = r.containers().flatMap((c) => {
      const usage = c.usage();
      return usage ? [{ name: c.name, usage }] : [];
    });
    if (containers.length) pods.push({ namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', containers });
  }
  return { cpuNanos: (cpu.user + cpu.system) * 1000, memoryBytes: process.memoryUsage.rss(), pods, timestampMs: now };
}

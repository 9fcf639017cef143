// The standard process_* series every Prometheus client library exports, for any loopkube
// process: CPU time, resident memory, start time, and the V8 heap.
import type { MetricsRegistry } from './metrics.js';

const startTimeSeconds = Math.round(Date.now() / 1000 - process.uptime());

export function registerProcessMetrics(registry: MetricsRegistry): void {
  registry.collector({
    name: 'process_cpu_seconds_total',
    help: 'Total user and system CPU time spent in seconds.',
    type: 'counter',
    collect: () => {
      const u = process.cpuUsage();
      return [{ labels: {}, value: (u.user + u.system) / 1e6 }];
    },
  });
  registry.collector({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size in bytes.',
    type: 'gauge',
    collect: () => [{ labels: {}, value: process.memoryUsage.rss() }],
  });
  registry.collector({
    name: 'process_start_time_seconds',
    help: 'Start time of the process since unix epoch in seconds.',
    type: 'gauge',
    collect: () => [{ labels: {}, value: startTimeSeconds }],
  });
  registry.collector({
    name: 'nodejs_heap_size_used_bytes',
    help: 'V8 heap in use, in bytes.',
    type: 'gauge',
    collect: () => [{ labels: {}, value: process.memoryUsage().heapUsed }],
  });
}

// What a container uses, as kubelet's resource metrics report it (pkg/kubelet/metrics/collectors/
// resource_metrics.go): cumulative CPU time since the container started, and its memory working
// set now.
//
// The built-in app runs inside the node process, beside the apps of every other pod on the node,
// so process-wide counters say nothing about one pod. Its CPU is measured where it is spent: the
// node's event loop runs one handler at a time, and each request handler of a container's app is
// timed with process.cpuUsage() (user + system) around it, the CPU_PER_REQUEST burn included.
// Node's own HTTP parsing before the handler runs is not counted (it is the node's). Its memory
// is a model, stated in the README: what one such app would hold in a process of its own beyond
// the runtime: its listeners, its padding (RESPONSE_BYTES) and a fixed cost per open connection
// (socket, HTTP parser and buffers), which is what grows with load.
//
// A host process (a container's own command) is read from /proc instead: proc-usage.ts.

export interface ContainerUsage {
  /** CPU time spent since the container started, in nanoseconds (container_cpu_usage_seconds_total). */
  cpuNanos: number;
  /** Memory working set now, in bytes (container_memory_working_set_bytes). */
  memoryBytes: number;
  /** When the container started (ms since the epoch): kubelet's container_start_time_seconds. */
  startedAtMs: number;
}

/** The built-in app's meter of one container: its handlers add to it. */
export interface AppUsageMeter {
  cpuMicros: number;
  openConnections: number;
  /** Bytes the app keeps for its whole life (its answer's padding). */
  heldBytes: number;
  listeners: number;
  startedAtMs: number;
}

/** One listener's server objects (http.Server, its handle and the rendered answer head). */
export const APP_LISTENER_BYTES = 256 * 1024;
/** One open connection: net.Socket, its HTTP parser, and the read and write buffers it allocates. */
export const APP_CONNECTION_BYTES = 64 * 1024;

export function newAppUsageMeter(now = Date.now()): AppUsageMeter {
  return { cpuMicros: 0, openConnections: 0, heldBytes: 0, listeners: 0, startedAtMs: now };
}

export function appUsage(m: AppUsageMeter): ContainerUsage {
  return {
    cpuNanos: Math.round(m.cpuMicros * 1000),
    memoryBytes: m.listeners * APP_LISTENER_BYTES + m.openConnections * APP_CONNECTION_BYTES + m.heldBytes,
    startedAtMs: m.startedAtMs,
  };
}

/** CPU time of this process (user + system) in microseconds. */
export function cpuMicrosNow(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/**
 * Burns `micros` of real CPU on this thread (a busy loop until the process's CPU clock has moved
 * that far), as a handler doing real work would: CPU_PER_REQUEST.
 */
export function burnCpu(micros: number): void {
  if (micros <= 0) return;
  const until = cpuMicrosNow() + micros;
  let x = 0;
  while (cpuMicrosNow() < until) {
    for (let i = 0; i < 1000; i++) x = (x * 31 + i) | 0;
  }
  if (x === 0.5) throw new Error('unreachable'); // keeps the loop from being optimised away
}

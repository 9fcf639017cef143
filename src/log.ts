// One pino logger per process: JSON lines on stdout, which the supervisor sends to
// `<home>/logs/<process>.log`. Every line names the component; callers add the object's
// namespace/name as `{ namespace, name }` (or `object: "ns/name"`).
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(component: string, extra: Record<string, unknown> = {}): Logger {
  return pino({
    base: { component, pid: process.pid, ...extra },
    level: process.env.LOOPKUBE_LOG_LEVEL ?? 'info',
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

/** A logger that drops everything, for tests that build parts in-process. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

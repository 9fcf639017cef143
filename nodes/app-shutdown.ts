// What the built-in app does when its container gets SIGTERM, as ON_SIGTERM and
// SIGTERM_DELAY_MS say (nodes/app-knobs.ts): after the delay (serving as before meanwhile) it
// drains, exits at once, or ignores the signal. The promise resolves when the "process" has
// exited; for `ignore` that is only when the kill comes (the caller's grace timer).
import type { AppKnobs } from './app-knobs.js';
import type { PodApp } from './pod-app.js';

export interface AppShutdown {
  /** Resolves once the app exited of its own accord (never for `ignore`). */
  exited: Promise<void>;
  /** Stops waiting (the kill came): a pending delay is dropped. */
  cancel(): void;
}

export function sigtermApps(apps: ReadonlySet<PodApp>, knobs: Pick<AppKnobs, 'onSigterm' | 'sigtermDelayMs'>, onGone: (app: PodApp) => void): AppShutdown {
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const react = (): Promise<void> => {
    if (cancelled) return new Promise<void>(() => {});
    switch (knobs.onSigterm) {
      case 'exit':
        for (const a of apps) {
          a.destroy();
          onGone(a);
        }
        return Promise.resolve();
      case 'ignore':
        return new Promise<void>(() => {});
      case 'drain':
        return Promise.all([...apps].map((a) => a.drain().then(() => onGone(a)))).then(() => undefined);
    }
  };
  const exited =
    knobs.sigtermDelayMs > 0
      ? new Promise<void>((resolve) => {
          timer = setTimeout(() => resolve(react()), knobs.sigtermDelayMs);
        })
      : react();
  return {
    exited,
    cancel() {
      cancelled = true;
      clearTimeout(timer);
    },
  };
}

// Controller expectations (upstream's UIDTrackingControllerExpectations): after a controller
// creates or deletes pods it waits to SEE those changes through its informer before acting on
// the same controller again, so a burst of watch events (or a lagging cache) never makes it
// create or delete twice. Expectations expire, so a lost event cannot wedge a controller.

export interface Expectations {
  /** `n` creations are on their way for this controller. */
  expectCreations(controllerKey: string, n: number): void;
  /** These pods (ns/name keys) are being deleted by this controller. */
  expectDeletions(controllerKey: string, podKeys: string[]): void;
  creationObserved(controllerKey: string): void;
  deletionObserved(controllerKey: string, podKey: string): void;
  /** A creation that was expected did not happen (the request failed or was skipped). */
  lowerCreations(controllerKey: string, n: number): void;
  /** Nothing is pending for this controller (or what was pending has expired): it may act. */
  satisfied(controllerKey: string): boolean;
  forget(controllerKey: string): void;
}

interface Pending {
  adds: number;
  deletes: Set<string>;
  since: number;
}

export function createExpectations(opts: { ttlMs?: number; now?: () => number } = {}): Expectations {
  const ttlMs = opts.ttlMs ?? 30_000;
  const now = opts.now ?? Date.now;
  const pending = new Map<string, Pending>();

  const entry = (key: string): Pending => {
    let p = pending.get(key);
    if (!p) {
      p = { adds: 0, deletes: new Set(), since: now() };
      pending.set(key, p);
    }
    return p;
  };

  return {
    expectCreations(key, n) {
      if (n <= 0) return;
      const p = entry(key);
      p.adds += n;
      p.since = now();
    },
    expectDeletions(key, podKeys) {
      if (podKeys.length === 0) return;
      const p = entry(key);
      for (const k of podKeys) p.deletes.add(k);
      p.since = now();
    },
    creationObserved(key) {
      const p = pending.get(key);
      if (p && p.adds > 0) p.adds--;
    },
    deletionObserved(key, podKey) {
      pending.get(key)?.deletes.delete(podKey);
    },
    lowerCreations(key, n) {
      const p = pending.get(key);
      if (p) p.adds = Math.max(0, p.adds - n);
    },
    satisfied(key) {
      const p = pending.get(key);
      if (!p) return true;
      if ((p.adds <= 0 && p.deletes.size === 0) || now() - p.since > ttlMs) {
        pending.delete(key);
        return true;
      }
      return false;
    },
    forget(key) {
      pending.delete(key);
    },
  };
}

// The child's side of a standby (ProcessSpec.standby): a second process of a spec, booted and
// synced, that serves nothing until the supervisor promotes it over its IPC channel (after
// handing it the sockets it holds). What a standby waits for.
import { isSocketMessage, type SocketMessage } from './socket-keeper.js';

const channelOpen = (): boolean => typeof process.send === 'function' && process.connected;

/** Resolves on the first supervisor message `op`, or when the channel closes; after `timeoutMs` (0: never) regardless. */
export function nextSupervisorMessage(op: SocketMessage['op'], timeoutMs: number): Promise<void> {
  if (!channelOpen()) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      process.off('message', onOp);
      process.off('disconnect', done);
      resolve();
    };
    const onOp = (msg: unknown): void => {
      if (isSocketMessage(msg) && msg.op === op) done();
    };
    const timer = timeoutMs > 0 ? setTimeout(done, timeoutMs) : undefined;
    process.on('message', onOp);
    process.on('disconnect', done);
  });
}

/**
 * Resolves true when the supervisor promotes this standby, false when the supervisor went away
 * first (a standby nobody can promote has nothing to do).
 */
export async function waitForActivation(): Promise<boolean> {
  let promoted = false;
  const onActivate = (msg: unknown): void => {
    if (isSocketMessage(msg) && msg.op === 'activate') promoted = true;
  };
  process.on('message', onActivate);
  await nextSupervisorMessage('activate', 0);
  process.off('message', onActivate);
  return promoted;
}

// The proxy's side of the supervisor's socket keeper (src/supervisor/socket-keeper.ts), for the
// userspace planes (splice and socket; the nftables plane listens on nothing and asks for
// nothing): every listening socket the proxy opens is also handed to the supervisor, which
// holds a copy and never accepts on it. When the proxy dies the sockets stay bound and
// listening, the kernel queues new connections in their backlogs, and the next proxy (or the
// standby the supervisor promotes) gets them back before its first sync: a proxy restart delays
// new connections by the restart's length and refuses none. Established connections die with
// the process that spliced them (see the README's failure table for why they are not handed over).
//
// holdListeners(transport) wraps a plane's transport: a listen takes the socket handed back for
// that address if there is one (the transport listens on it instead of binding), and hands every
// socket it listens on to the supervisor. Closing a listener while the supervisor holds a copy:
// ours stays open, detached (refusing every connection, as the listener set already does for a
// closed frontend), until the supervisor says its copy is closed, then closes; so the port is
// free again at once, and a listener opened for the same address meanwhile takes that socket
// back instead of failing to bind.
import { isSocketMessage, SOCKETS_MESSAGE, type SocketMessage } from '../../src/supervisor/socket-keeper.js';
import { nextSupervisorMessage } from '../../src/supervisor/standby.js';
import type { NativeHandle, OpenListener, Transport } from './transport.js';

const inherited = new Map<string, NativeHandle>();
const closing = new Map<string, { listener: OpenListener; seq: number }>();
let seq = 0;
let engaged = false;
let inheritedCount = 0;

/**
 * A supervisor keeps our sockets: the proxy asked for them (receiveHeldListeners) over an IPC
 * channel that is open. (A process with a channel that never asked, such as a test worker, closes
 * its listeners itself.)
 */
const channelOpen = (): boolean => engaged && typeof process.send === 'function' && process.connected;

function send(msg: SocketMessage, handle?: NativeHandle): void {
  if (!channelOpen()) return;
  try {
    process.send!(msg, handle as unknown as undefined, undefined, () => {});
  } catch {
    // the supervisor went away: nothing to keep in step with
  }
}

const hold = (key: string, handle: NativeHandle): void => send({ loopkube: SOCKETS_MESSAGE, op: 'hold', key }, handle);
const release = (key: string, s = ++seq): void => send({ loopkube: SOCKETS_MESSAGE, op: 'release', key, seq: s });

function onMessage(msg: unknown, handle: unknown): void {
  if (!isSocketMessage(msg)) return;
  if (msg.op === 'inherit' && handle) {
    inherited.get(msg.key)?.close();
    inherited.set(msg.key, handle as NativeHandle);
    inheritedCount++;
  } else if (msg.op === 'released') {
    const c = closing.get(msg.key);
    if (c && c.seq === msg.seq) {
      closing.delete(msg.key);
      c.listener.close();
    }
  }
}

function onDisconnect(): void {
  // no supervisor copy any more: what waits for its answer closes now
  for (const c of closing.values()) c.listener.close();
  closing.clear();
}

function engage(): void {
  if (engaged) return;
  engaged = true;
  process.on('message', onMessage);
  process.on('disconnect', onDisconnect);
  process.channel?.unref();
}

/**
 * Takes the listening sockets the supervisor held from the previous proxy. Resolves with their
 * number once it said it has no more (at once when there is no supervisor channel; after
 * `timeoutMs` if it never says, 0: wait as long as it takes).
 */
export async function receiveHeldListeners(timeoutMs = 2000): Promise<number> {
  if (typeof process.send === 'function' && process.connected) engage();
  await nextSupervisorMessage('inherited-all', timeoutMs);
  return inheritedCount;
}

/** After the first sync: sockets handed back that no frontend wants any more are closed everywhere. */
export function dropUnclaimedListeners(): string[] {
  const dropped = [...inherited.keys()];
  for (const [key, handle] of inherited) {
    handle.close();
    release(key);
  }
  inherited.clear();
  return dropped;
}

/** `inner`, with its listening sockets held by the supervisor (a pass-through when none keeps them). */
export function holdListeners(inner: Transport): Transport {
  return {
    name: inner.name,
    activeConnections: inner.activeConnections,
    backpressureWaits: inner.backpressureWaits,
    listen(address, port, slot, outcome) {
      if (!channelOpen()) return inner.listen(address, port, slot, outcome);
      const key = `${address}:${port}`;
      let current: OpenListener | null = null;
      const mine = closing.get(key);
      const native = mine?.listener.native();
      if (mine && native) {
        // closed a moment ago, the supervisor not done yet: take it back
        closing.delete(key);
        mine.listener.reattach(slot);
        hold(key, native);
        current = mine.listener;
        outcome.listening(native);
      } else {
        const handed = inherited.get(key);
        inherited.delete(key);
        const attempt = (from: NativeHandle | undefined): void => {
          const l = inner.listen(
            address,
            port,
            slot,
            {
              listening: (n) => {
                hold(key, n);
                outcome.listening(n);
              },
              failed: (code, syscall) => {
                if (!from) return outcome.failed(code, syscall);
                // the socket handed back cannot listen: the supervisor drops its copy, we bind anew
                release(key);
                attempt(undefined);
              },
            },
            from,
          );
          if (l) current = l;
        };
        attempt(handed);
      }
      if (!current) return null;
      return {
        close(final) {
          const l = current!;
          if (final || !channelOpen()) {
            l.close();
            release(key);
            return;
          }
          l.detach();
          const s = ++seq;
          closing.set(key, { listener: l, seq: s });
          release(key, s);
        },
        detach: () => current!.detach(),
        reattach: (next) => current!.reattach(next),
        native: () => current!.native(),
      };
    },
  };
}

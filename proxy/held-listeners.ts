// The proxy's side of the supervisor's socket keeper (src/supervisor/socket-keeper.ts): every
// listening socket the proxy opens is also handed to the supervisor, which holds a copy and
// never accepts on it. When the proxy dies the sockets stay bound and listening, the kernel
// queues new connections in their backlogs, and the next proxy gets them back before its first
// sync: a proxy restart delays new connections by the restart's length and refuses none.
// Established connections die with the process that spliced them (see the README's failure
// table for why they are not handed over).
//
// Closing a listener while the supervisor holds a copy: ours stays open (refusing every
// connection, as the listener set already does for a closed frontend) until the supervisor says
// its copy is closed, then closes; so the port is free again at once, and a listener opened for
// the same address meanwhile takes that socket back instead of failing to bind.
import { isSocketMessage, SOCKETS_MESSAGE, type SocketMessage } from '../src/supervisor/socket-keeper.js';
import { nextSupervisorMessage } from '../src/supervisor/standby.js';
import { listenTcp, type ListenResult, type UvTcp } from './uv.js';

const inherited = new Map<string, UvTcp>();
const closing = new Map<string, { handle: UvTcp; seq: number }>();
let seq = 0;
let listening = false;
let inheritedCount = 0;

/**
 * A supervisor keeps our sockets: the proxy asked for them (receiveHeldListeners) over an IPC
 * channel that is open. (A process with a channel that never asked, such as a test worker, closes
 * its listeners itself.)
 */
const channelOpen = (): boolean => listening && typeof process.send === 'function' && process.connected;

function send(msg: SocketMessage, handle?: UvTcp): void {
  if (!channelOpen()) return;
  try {
    process.send!(msg, handle as unknown as undefined, undefined, () => {});
  } catch {
    // the supervisor went away: nothing to keep in step with
  }
}

function onMessage(msg: unknown, handle: unknown): void {
  if (!isSocketMessage(msg)) return;
  if (msg.op === 'inherit' && handle) {
    inherited.get(msg.key)?.close();
    inherited.set(msg.key, handle as UvTcp);
    inheritedCount++;
  } else if (msg.op === 'released') {
    const c = closing.get(msg.key);
    if (c && c.seq === msg.seq) {
      closing.delete(msg.key);
      c.handle.close();
    }
  }
}

function onDisconnect(): void {
  // no supervisor copy any more: what waits for its answer closes now
  for (const c of closing.values()) c.handle.close();
  closing.clear();
}

function listen(): void {
  if (listening) return;
  listening = true;
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
  if (typeof process.send === 'function' && process.connected) listen();
  await nextSupervisorMessage('inherited-all', timeoutMs);
  return inheritedCount;
}

/** A listening socket on address:port: one the supervisor handed back, or a new one (then handed to it). */
export function openListener(key: string, address: string, port: number, backlog: number): ListenResult {
  const mine = closing.get(key);
  if (mine) {
    closing.delete(key);
    send({ loopkube: SOCKETS_MESSAGE, op: 'hold', key }, mine.handle);
    return { ok: true, handle: mine.handle };
  }
  const handed = inherited.get(key);
  if (handed) {
    inherited.delete(key);
    if (handed.listen(backlog) === 0) return { ok: true, handle: handed };
    handed.close();
    send({ loopkube: SOCKETS_MESSAGE, op: 'release', key, seq: ++seq });
  }
  const r = listenTcp(address, port, backlog);
  if (r.ok) send({ loopkube: SOCKETS_MESSAGE, op: 'hold', key }, r.handle);
  return r;
}

/** Closes a listener (its frontend already refuses): at once, or once the supervisor closed its copy. */
export function closeListener(key: string, handle: UvTcp, now = false): void {
  if (!channelOpen() || now) {
    handle.close();
    send({ loopkube: SOCKETS_MESSAGE, op: 'release', key, seq: ++seq });
    return;
  }
  const s = ++seq;
  closing.set(key, { handle, seq: s });
  send({ loopkube: SOCKETS_MESSAGE, op: 'release', key, seq: s });
}

/** After the first sync: sockets handed back that no frontend wants any more are closed everywhere. */
export function dropUnclaimedListeners(): string[] {
  const dropped = [...inherited.keys()];
  for (const [key, handle] of inherited) {
    handle.close();
    send({ loopkube: SOCKETS_MESSAGE, op: 'release', key, seq: ++seq });
  }
  inherited.clear();
  return dropped;
}

// Listening sockets the supervisor holds for a child (the proxy), so a restart of that child
// costs no refused connection: the child hands each listening socket it opens to the
// supervisor over its IPC channel (a duplicate of the descriptor, SCM_RIGHTS under Node's
// handle passing); the supervisor never accepts on it, so while the child is gone the kernel
// keeps completing handshakes into the socket's backlog, and the next child gets every socket
// back before it starts, accepts what queued, and serves on.
//
// Messages (JSON, `loopkube: 'sockets'`):
//   child -> supervisor  { op: 'hold', key } + handle     keep a copy of this listening socket
//   child -> supervisor  { op: 'release', key, seq }      close your copy (answered 'released')
//   supervisor -> child  { op: 'inherit', key } + handle  one per socket held, on start
//   supervisor -> child  { op: 'inherited-all', count }   nothing more to inherit
//   supervisor -> child  { op: 'released', key, seq }
//   supervisor -> child  { op: 'activate' }                a standby takes over (after its sockets)
import type { ChildProcess } from 'node:child_process';
import type { Logger } from '../log.js';

export const SOCKETS_MESSAGE = 'sockets';

export type SocketMessage =
  | { loopkube: typeof SOCKETS_MESSAGE; op: 'hold'; key: string }
  | { loopkube: typeof SOCKETS_MESSAGE; op: 'release'; key: string; seq: number }
  | { loopkube: typeof SOCKETS_MESSAGE; op: 'inherit'; key: string }
  | { loopkube: typeof SOCKETS_MESSAGE; op: 'inherited-all'; count: number }
  | { loopkube: typeof SOCKETS_MESSAGE; op: 'released'; key: string; seq: number }
  | { loopkube: typeof SOCKETS_MESSAGE; op: 'activate' };

/** A libuv handle as Node passes it between processes (a tcp_wrap TCP object). */
export interface PassedHandle {
  close(callback?: () => void): void;
}

export function isSocketMessage(m: unknown): m is SocketMessage {
  return typeof m === 'object' && m !== null && (m as { loopkube?: unknown }).loopkube === SOCKETS_MESSAGE && typeof (m as { op?: unknown }).op === 'string';
}

export interface SocketKeeper {
  /** A new child of this kind started (or a standby took over): give it every socket held, then listen to it. */
  attach(child: ChildProcess): void;
  /** Tells a standby child to take over (after attach). */
  activate(child: ChildProcess): void;
  /** How many sockets are held. */
  held(): number;
  /** Whether the socket listening on `key` (`ip:port`) is held. */
  holds(key: string): boolean;
  closeAll(): void;
}

export function createSocketKeeper(name: string, logger: Logger): SocketKeeper {
  const held = new Map<string, PassedHandle>();

  function onMessage(child: ChildProcess, msg: unknown, handle: unknown): void {
    if (!isSocketMessage(msg)) return;
    if (msg.op === 'hold') {
      if (!handle) return;
      held.get(msg.key)?.close();
      held.set(msg.key, handle as PassedHandle);
      logger.debug({ process: name, key: msg.key, held: held.size }, 'holding a listening socket');
      return;
    }
    if (msg.op === 'release') {
      held.get(msg.key)?.close();
      held.delete(msg.key);
      send(child, { loopkube: SOCKETS_MESSAGE, op: 'released', key: msg.key, seq: msg.seq });
    }
  }

  function send(child: ChildProcess, msg: SocketMessage, handle?: PassedHandle): void {
    if (!child.connected) return;
    try {
      // Node's handle passing takes libuv handles as they are ('net.Native'); it keeps ours open.
      child.send(msg, handle as unknown as undefined, (err) => {
        if (err) logger.debug({ process: name, err: err.message }, 'cannot pass a socket to the child');
      });
    } catch (err) {
      logger.debug({ process: name, err: (err as Error).message }, 'cannot pass a socket to the child');
    }
  }

  return {
    attach(child) {
      child.on('message', (msg, handle) => onMessage(child, msg, handle));
      child.on('error', () => {});
      const count = held.size;
      for (const [key, handle] of held) send(child, { loopkube: SOCKETS_MESSAGE, op: 'inherit', key }, handle);
      send(child, { loopkube: SOCKETS_MESSAGE, op: 'inherited-all', count });
      if (count) logger.info({ process: name, sockets: count }, 'handed the listening sockets held to the new process');
    },
    activate(child) {
      send(child, { loopkube: SOCKETS_MESSAGE, op: 'activate' });
    },
    held: () => held.size,
    holds: (key) => held.has(key),
    closeAll() {
      for (const h of held.values()) h.close();
      held.clear();
    },
  };
}

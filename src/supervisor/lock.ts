// One supervisor per cluster, and a way for the cluster's processes to know it is alive.
//
// The lock is a listening unix socket: on Linux in the abstract namespace (no file; the kernel
// frees the name the instant its holder dies, SIGKILL included, so a stale lock cannot exist),
// named by a random secret kept in the cluster's folder (mode 600), so another local user can
// neither squat the name nor find it. Elsewhere a socket file in the cluster's folder stands in.
//
// Every process of the cluster connects to it at start and holds the connection: when the
// supervisor dies the kernel closes it and the process learns at once, with no polling. The
// process says who it is on it ({op:'hello', name, pid}), so the supervisor learns just as fast
// when an adopted process (not its child: no exit event) dies.
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export function lockNameFile(home: string): string {
  return path.join(home, 'supervisor.lock');
}

/** The lock's socket address, made (secret, 600) on first use. */
export function supervisorLockAddress(home: string): string {
  if (process.platform !== 'linux') return path.join(home, 'supervisor-lock.sock');
  const file = lockNameFile(home);
  let secret = '';
  try {
    secret = readFileSync(file, 'utf8').trim();
  } catch {
    // not made yet
  }
  if (!/^[0-9a-f]{32}$/.test(secret)) {
    try {
      writeFileSync(file, `${randomBytes(16).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // another process made it a moment ago, or it holds garbage: a garbage file is replaced
      const now = readFileSync(file, 'utf8').trim();
      if (!/^[0-9a-f]{32}$/.test(now)) writeFileSync(file, `${randomBytes(16).toString('hex')}\n`, { mode: 0o600 });
    }
    secret = readFileSync(file, 'utf8').trim();
  }
  return `\0loopkube-supervisor-${secret}`;
}

export type LinkMessage = { op: 'hello'; name: string; pid: number };

export interface SupervisorLock {
  /** Open links from the cluster's processes. */
  links(): number;
  /** Called with the pid a link said it was (0: it never said) when that link closes. */
  onLinkClosed(cb: (pid: number) => void): void;
  release(): Promise<void>;
}

/** Reads newline-delimited JSON from a socket (bounded: a process sends a few short lines). */
export function onLinkMessages(socket: net.Socket, handle: (m: LinkMessage) => void): void {
  let buf = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buf += chunk;
    if (buf.length > 64 * 1024) {
      socket.destroy();
      return;
    }
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        const m = JSON.parse(line) as LinkMessage;
        if (m && typeof m === 'object' && typeof m.op === 'string') handle(m);
      } catch {
        // not a message: ignore
      }
    }
  });
}

export function sendLinkMessage(socket: net.Socket, m: LinkMessage): void {
  if (!socket.destroyed) socket.write(`${JSON.stringify(m)}\n`);
}

/**
 * Takes the lock, or resolves null when another live supervisor holds it. Connections to it
 * (the processes' links) are kept open and never read from.
 */
export function acquireSupervisorLock(home: string): Promise<SupervisorLock | null> {
  const address = supervisorLockAddress(home);
  const links = new Set<net.Socket>();
  const closed: Array<(pid: number) => void> = [];
  const server = net.createServer((socket) => {
    links.add(socket);
    let pid = 0;
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      links.delete(socket);
      for (const cb of closed) cb(pid);
    });
    onLinkMessages(socket, (m) => {
      if (m.op === 'hello' && Number.isInteger(m.pid)) pid = m.pid;
    });
  });
  const listen = (): Promise<boolean> =>
    new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        server.off('listening', onListening);
        if (err.code === 'EADDRINUSE') resolve(false);
        else reject(err);
      };
      const onListening = (): void => {
        server.off('error', onError);
        resolve(true);
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(address);
    });
  return (async () => {
    let ok = await listen();
    if (!ok && !address.startsWith('\0')) {
      // a socket file: stale when nobody answers on it
      if (await isLockHeld(address)) return null;
      rmSync(address, { force: true });
      ok = await listen();
    }
    if (!ok) return null;
    server.unref();
    return {
      links: () => links.size,
      onLinkClosed(cb) {
        closed.push(cb);
      },
      release: () =>
        new Promise<void>((resolve) => {
          for (const s of links) s.destroy();
          server.close(() => resolve());
        }),
    };
  })();
}

function isLockHeld(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(address);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Whether a supervisor holds the cluster's lock right now. */
export function supervisorRunning(home: string): Promise<boolean> {
  return isLockHeld(supervisorLockAddress(home));
}

/**
 * Connects to the supervisor's lock and holds the connection (unref'd: it never keeps a process
 * alive). Resolves the socket, or null when no supervisor listens. 'close' on it: the supervisor
 * is gone.
 */
export function linkToSupervisor(home: string): Promise<net.Socket | null> {
  return new Promise((resolve) => {
    const socket = net.connect(supervisorLockAddress(home));
    socket.once('connect', () => {
      socket.unref();
      resolve(socket);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(null);
    });
  });
}

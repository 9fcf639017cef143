// Can this process listen on an address? Used up front by `up`, so a taken or privileged port
// is a clear message instead of a control plane that never turns healthy.
import dgram from 'node:dgram';
import net from 'node:net';

export type BindResult = { ok: true } | { ok: false; code: string };

export function canListenTcp(host: string, port: number): Promise<BindResult> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, code: err.code ?? 'EUNKNOWN' }));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve({ ok: true })));
  });
}

export function canBindUdp(host: string, port: number): Promise<BindResult> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', (err: NodeJS.ErrnoException) => {
      socket.close();
      resolve({ ok: false, code: err.code ?? 'EUNKNOWN' });
    });
    socket.bind({ address: host, port, exclusive: true }, () => socket.close(() => resolve({ ok: true })));
  });
}

/** A port the kernel picks as free on `host` right now. */
export function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

import { SYSCTL_KEY, unprivilegedPortStart } from '../cluster/privileged-ports.js';

/** Why `what` (e.g. "the API server's address") cannot use `host:port`, naming what moves it. */
export function explainBindFailure(what: string, host: string, port: number, code: string, movedBy: string): string {
  const start = unprivilegedPortStart();
  if (code === 'EADDRINUSE') return `${what} ${host}:${port} is already in use by another process (another cluster?); choose another port with ${movedBy}`;
  if (code === 'EACCES') {
    return (
      `${what} ${host}:${port} needs privileges: ports below ${start} need root ` +
      `(or a lower ${SYSCTL_KEY}, e.g. sudo sysctl -w ${SYSCTL_KEY}=0); ` +
      `choose a port from ${start} up with ${movedBy}`
    );
  }
  if (code === 'EADDRNOTAVAIL') return `${what} ${host}:${port} is not an address of this machine (loopkube needs Linux, where all of 127.0.0.0/8 is loopback)`;
  return `${what} ${host}:${port} cannot be used: ${code}`;
}

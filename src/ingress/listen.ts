// Opens the ingress's HTTP and HTTPS listeners on its address: ports 80 and 443, or, where this
// user may not bind ports below net.ipv4.ip_unprivileged_port_start, the fallback ports 8080 and
// 8443 (said in the log and in an Event, with the fix), as the proxy does for low Service ports.
import type { Server } from 'node:net';

export interface Listening {
  port: number;
  /** The port asked for, when the fallback was taken instead. */
  fellBackFrom?: number;
}

function listenOn(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
}

export async function listenWithFallback(server: Server, host: string, port: number, fallback: number): Promise<Listening> {
  try {
    await listenOn(server, host, port);
    return { port };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EACCES') throw err;
  }
  await listenOn(server, host, fallback);
  return { port: fallback, fellBackFrom: port };
}

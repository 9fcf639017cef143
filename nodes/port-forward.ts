// kubelet's port-forward (pkg/kubelet/cri/streaming/portforward/httpstream.go): `/portForward/
// {namespace}/{pod}` upgraded to SPDY/3.1 with protocol portforward.k8s.io. The client opens two
// streams per forwarded connection, `streamType` error and data, tied by `requestID` and naming
// the pod `port`; once both are there the kubelet connects to the port inside the pod (here: the
// pod's IP, from the pod's IP, as the pod's own localhost) and copies both ways. A connection that
// fails is told on the error stream in the kubelet's and the runtime's words.
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../src/log.js';
import { spdySession, type SpdyStream } from '../src/spdy/session.js';
import { spdyUpgradeFailure, upgradeToSpdy } from '../src/spdy/upgrade.js';
import type { PodRuntime } from './pod-runtime.js';

export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
/** kubelet's streamCreationTimeout: how long the second stream of a pair may take. */
const STREAM_CREATION_TIMEOUT_MS = 30_000;

interface Pair {
  data?: SpdyStream;
  error?: SpdyStream;
  timer: NodeJS.Timeout;
}

/** Go's words for a failed dial: `dial tcp4 IP:PORT: connect: connection refused`. */
function dialError(address: string, port: number, err: NodeJS.ErrnoException): string {
  const why = err.code === 'ECONNREFUSED' ? 'connect: connection refused' : err.code === 'ETIMEDOUT' ? 'i/o timeout' : err.code === 'EHOSTUNREACH' ? 'connect: no route to host' : err.message;
  return `dial tcp4 ${address}:${port}: ${why}`;
}

/** The kubelet's and the runtime's words for a connection to the pod's port that failed. */
export function forwardFailure(runtime: PodRuntime, port: number, err: NodeJS.ErrnoException): string {
  const podIP = runtime.podIP;
  const pod = runtime.pod();
  const name = `${pod.metadata.name}_${pod.metadata.namespace}`;
  return `error forwarding port ${port} to pod ${name}, uid ${runtime.uid}: failed to connect to ${podIP}:${port} inside namespace "${name}", IPv4: ${dialError(podIP, port, err)}`;
}

/** Copies a data stream to the pod's port and back; resolves with the error message, if any. */
function forward(runtime: PodRuntime, port: number, data: SpdyStream): Promise<string | undefined> {
  const podIP = runtime.podIP;
  return new Promise((resolve) => {
    const conn = net.connect({ host: podIP, port, localAddress: podIP, allowHalfOpen: true });
    let connected = false;
    conn.once('connect', () => {
      connected = true;
      data.pipe(conn);
      conn.pipe(data);
    });
    conn.on('error', (err: NodeJS.ErrnoException) => {
      if (connected) {
        data.reset();
        return resolve(undefined);
      }
      resolve(forwardFailure(runtime, port, err));
    });
    data.on('error', () => conn.destroy());
    data.on('close', () => {
      if (!data.writableFinished) conn.destroy();
    });
    conn.on('close', () => {
      if (connected) resolve(undefined);
    });
  });
}

export interface PortForwardDeps {
  logger: Logger;
}

/** Serves a /portForward upgrade for a running pod. */
export function servePortForward(deps: PortForwardDeps, req: IncomingMessage, socket: Duplex, head: Buffer, runtime: PodRuntime): void {
  const pod = runtime.pod();
  const log = deps.logger.child({ namespace: pod.metadata.namespace, name: pod.metadata.name });
  const failure = spdyUpgradeFailure(req, [PORT_FORWARD_PROTOCOL]);
  if (failure) {
    socket.end(failure);
    return;
  }
  upgradeToSpdy(socket, PORT_FORWARD_PROTOCOL);
  if (head.length) socket.unshift(head);
  const pairs = new Map<string, Pair>();

  const run = async (requestID: string, pair: Pair): Promise<void> => {
    clearTimeout(pair.timer);
    pairs.delete(requestID);
    const data = pair.data!;
    const errorStream = pair.error!;
    const port = Number(data.headers.port);
    log.info({ port, requestID }, 'forwarding a connection');
    const message = await forward(runtime, port, data);
    if (message) {
      log.info({ port, requestID, err: message }, 'port-forward connection failed');
      errorStream.write(message);
      data.end();
    }
    errorStream.end();
  };

  const session = spdySession(socket, {
    server: true,
    onError: (err) => log.debug({ err: err.message }, 'port-forward session error'),
    onStream(stream) {
      const type = stream.headers.streamtype;
      const port = stream.headers.port ?? '';
      if (type !== 'data' && type !== 'error') {
        log.info({ streamType: type }, type ? 'invalid stream type' : '"streamType" header is required');
        return false;
      }
      if (!/^[0-9]{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
        log.info({ port }, 'invalid port');
        return false;
      }
      // clients before requestID paired streams by id: error N, data N+2 (upstream's fallback)
      const requestID = stream.headers.requestid ?? String(type === 'error' ? stream.streamId : stream.streamId - 2);
      let pair = pairs.get(requestID);
      if (!pair) {
        const timer = setTimeout(() => {
          pairs.delete(requestID);
          const p = pair!;
          p.error?.end('timed out waiting for streams');
          p.data?.reset();
        }, STREAM_CREATION_TIMEOUT_MS);
        timer.unref();
        pair = { timer };
        pairs.set(requestID, pair);
      }
      if (pair[type]) {
        log.info({ requestID, streamType: type }, 'a second stream of the same type for one request');
        return false;
      }
      pair[type] = stream;
      stream.on('error', () => undefined);
      if (type === 'error') stream.resume(); // the client writes nothing on it; its FIN is read and dropped
      if (pair.data && pair.error) void run(requestID, pair);
      return true;
    },
  });
  void session.closed.then(() => {
    for (const p of pairs.values()) clearTimeout(p.timer);
    pairs.clear();
    log.debug('port-forward session ended');
  });
}

// kubelet's streaming sessions over WebSocket, as upstream's remotecommand server speaks them
// (k8s.io/apimachinery/pkg/util/httpstream/wsstream, kubelet/cri/streaming/remotecommand):
// subprotocols v5.channel.k8s.io and v4.channel.k8s.io, each binary message one channel byte and
// its data: 0 stdin, 1 stdout, 2 stderr, 3 error (a metav1.Status once the command ends), 4 resize
// ({"Width":W,"Height":H}); v5 adds 255 + a channel byte: the client closed that stream (stdin
// EOF). The command's exit is the error channel's Status (Success, or NonZeroExitCode with the
// exit code as the ExitCode cause), then a normal close.
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../src/log.js';
import type { ExecStreams } from './toolbox/shell.js';

export const STREAM_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
const CLOSE = 255;

/** What a container offers a session: its exec entry point (argv) or its attachable process. */
export type SessionRunner = (streams: ExecStreams) => Promise<number>;

export interface SessionOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
  /** For the NonZeroExitCode message: `command 'sh -c exit 3' exited with 3`. */
  command: string[];
  logger: Logger;
}

const wss = new WebSocketServer({
  noServer: true,
  maxPayload: 1024 * 1024,
  handleProtocols: (offered) => {
    for (const p of offered) if ((STREAM_PROTOCOLS as readonly string[]).includes(p)) return p;
    return false;
  },
});

/** The error channel's Status when a command ended with `code`. */
export function exitStatus(code: number, command: string[]): Record<string, unknown> {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: command '${command.join(' ')}' exited with ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/** A Status for a session that could not run (the error channel carries it too). */
export function failureStatus(message: string): Record<string, unknown> {
  return { metadata: {}, status: 'Failure', message };
}

/** Whether the request offers a WebSocket subprotocol we speak (else the caller answers 400). */
export function offersStreamProtocol(req: IncomingMessage): boolean {
  const raw = String(req.headers['sec-websocket-protocol'] ?? '');
  return req.headers.upgrade?.toLowerCase() === 'websocket' && raw.split(',').some((p) => (STREAM_PROTOCOLS as readonly string[]).includes(p.trim()));
}

/** Upgrades to a channel WebSocket and runs the session on it. */
export function serveSession(req: IncomingMessage, socket: Duplex, head: Buffer, opts: SessionOptions, run: SessionRunner): void {
  wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
    const v5 = ws.protocol === 'v5.channel.k8s.io';
    const stdin = opts.stdin ? new PassThrough() : undefined;
    const ended = new AbortController();
    const send = (channel: number, data: string | Buffer): void => {
      if (ws.readyState !== ws.OPEN) return;
      const body = typeof data === 'string' ? Buffer.from(data) : data;
      ws.send(Buffer.concat([Buffer.from([channel]), body]));
    };
    // text messages count as binary ones, as wsstream's websocket.Message.Receive into []byte
    // takes both (python3-kubernetes writes stdin as text frames)
    ws.on('message', (raw) => {
      const data = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
      if (data.length === 0) return;
      const channel = data[0];
      if (channel === STDIN) stdin?.write(data.subarray(1));
      else if (channel === RESIZE) {
        // the toolbox's shell does not lay out by width; the size is accepted as a terminal's
      } else if (channel === CLOSE && v5 && data[1] === STDIN) stdin?.end();
    });
    ws.on('close', () => {
      stdin?.end();
      ended.abort();
    });
    ws.on('error', () => ended.abort());
    const streams: ExecStreams = {
      stdout: (s) => {
        if (opts.stdout) send(STDOUT, s);
      },
      stderr: (s) => {
        if (opts.stderr && !opts.tty) send(STDERR, s);
        else if (opts.tty && opts.stdout) send(STDOUT, s);
      },
      ...(stdin ? { stdin } : {}),
      tty: opts.tty,
      signal: ended.signal,
    };
    run(streams)
      .then((code) => {
        send(ERROR, JSON.stringify(exitStatus(code, opts.command)));
      })
      .catch((err: unknown) => {
        opts.logger.warn({ err }, 'exec session failed');
        send(ERROR, JSON.stringify(failureStatus(String((err as Error).message ?? err))));
      })
      .finally(() => {
        if (ws.readyState === ws.OPEN) ws.close(1000);
      });
  });
}

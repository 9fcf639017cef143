// kubelet's exec and attach (pkg/kubelet/server: /exec/{ns}/{pod}/{container} and
// /attach/{ns}/{pod}/{container}, with the remotecommand options `command`, `input`, `output`,
// `error`, `tty`), answered over the channel WebSocket (exec-session.ts) or SPDY/3.1
// (exec-spdy.ts), and /portForward/{ns}/{pod} over SPDY/3.1 (port-forward.ts). For the built-in app,
// exec runs the toolbox (nodes/toolbox/) as the pod: from its IP, through the cluster DNS; attach
// is the container's main process's output (its log, live) until the client detaches or it exits.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CLUSTER_DOMAIN } from '../src/dns/records.js';
import type { Logger } from '../src/log.js';
import type { ContainerRuntime } from './container-runtime.js';
import type { MainProcess } from './main-process.js';
import { offersStreamProtocol, serveSession, type SessionRunner } from './exec-session.js';
import { pathParts } from './kubelet-server.js';
import { isWebSocketPortForward, portForwardPorts, serveWebSocketPortForward } from './port-forward-websocket.js';
import { servePortForward } from './port-forward.js';
import { serveSpdySession } from './exec-spdy.js';
import { isSpdyUpgrade } from '../src/spdy/upgrade.js';
import type { PodRuntime } from './pod-runtime.js';
import { toolboxPodOf } from './toolbox/context.js';
import { execToolbox, type ExecStreams } from './toolbox/shell.js';

export interface StreamDeps {
  logger: Logger;
  pod(namespace: string, name: string): PodRuntime | undefined;
  dns?: { ip: string; port: number };
}

function refuse(socket: Duplex, code: number, text: string): void {
  const reason = code === 404 ? 'Not Found' : code === 400 ? 'Bad Request' : 'Error';
  socket.end(`HTTP/1.1 ${code} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
}

const flag = (q: URLSearchParams, key: string): boolean => ['1', 'true'].includes(q.get(key) ?? '');

/** Attach to the container's shell: its stdin and output, until detach (stdinOnce: its stdin closes) or exit. */
function attachProcess(proc: MainProcess): SessionRunner {
  return (streams: ExecStreams) =>
    new Promise<number>((resolve) => {
      let done = false;
      const finish = (code: number): void => {
        if (done) return;
        done = true;
        unsubscribe();
        streams.stdin?.off('data', onData);
        proc.detached();
        resolve(code);
      };
      const onData = (d: Buffer): void => proc.write(d);
      const unsubscribe = proc.onOutput((data) => streams.stdout(data));
      streams.stdin?.on('data', onData);
      streams.stdin?.on('end', () => proc.detached());
      streams.signal.addEventListener('abort', () => finish(0), { once: true });
      void proc.exited.then((code) => finish(code));
    });
}

/** Attach to the built-in app: its output as it is written, until detach or exit. */
function attachRunner(container: ContainerRuntime): SessionRunner {
  const proc = container.process();
  if (proc) return attachProcess(proc);
  return (streams: ExecStreams) =>
    new Promise<number>((resolve) => {
      const done = (): void => {
        unsubscribe();
        resolve(container.snapshot().state.terminated?.exitCode ?? 0);
      };
      const unsubscribe = container.log.subscribe((e) => (e.stream === 'stderr' ? streams.stderr : streams.stdout)(`${e.text}\n`), done);
      streams.signal.addEventListener('abort', done, { once: true });
      if (!container.log.running()) done();
    });
}

/** `/portForward/{namespace}/{pod}` (and upstream's form with the pod's uid after it). */
function handlePortForward(deps: StreamDeps, req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
  const parts = pathParts(url.pathname, '/portForward/', 2) ?? pathParts(url.pathname, '/portForward/', 3);
  if (!parts) return refuse(socket, 400, 'expected /portForward/{namespace}/{pod}');
  const [namespace, podName, uid] = parts as [string, string, string | undefined];
  const runtime = deps.pod(namespace, podName);
  if (!runtime || (uid && runtime.uid !== uid)) return refuse(socket, 404, `pod "${podName}" does not exist`);
  if (runtime.finished()) return refuse(socket, 400, `pod "${podName}" is not running`);
  if (isWebSocketPortForward(req)) {
    const ports = portForwardPorts(url.searchParams);
    if (typeof ports === 'string') return refuse(socket, 400, ports);
    return serveWebSocketPortForward(deps.logger, req, socket, head, runtime, ports);
  }
  servePortForward({ logger: deps.logger }, req, socket, head, runtime);
}

export function handleStreamUpgrade(deps: StreamDeps, req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
  if (url.pathname.startsWith('/portForward/')) return handlePortForward(deps, req, socket, head, url);
  const kind = url.pathname.startsWith('/exec/') ? 'exec' : url.pathname.startsWith('/attach/') ? 'attach' : undefined;
  if (!kind) return refuse(socket, 404, '404 page not found\n');
  const parts = pathParts(url.pathname, `/${kind}/`, 3);
  if (!parts) return refuse(socket, 400, `expected /${kind}/{namespace}/{pod}/{container}`);
  const [namespace, podName, containerName] = parts as [string, string, string];
  const runtime = deps.pod(namespace, podName);
  if (!runtime) return refuse(socket, 404, `pod "${podName}" does not exist`);
  const container = runtime.container(containerName);
  if (!container) return refuse(socket, 404, `container "${containerName}" not found in pod "${podName}"`);
  if (!container.snapshot().state.running) return refuse(socket, 400, `container "${containerName}" in pod "${podName}" is not running`);
  const spdy = isSpdyUpgrade(req);
  if (!spdy && !offersStreamProtocol(req)) {
    return refuse(socket, 400, 'unable to upgrade: expected WebSocket (v5.channel.k8s.io, v4.channel.k8s.io) or SPDY/3.1 (v4.channel.k8s.io)');
  }
  const q = url.searchParams;
  const command = q.getAll('command');
  const opts = { stdin: flag(q, 'input'), stdout: flag(q, 'output'), stderr: flag(q, 'error'), tty: flag(q, 'tty'), command, logger: deps.logger };
  if (kind === 'exec' && !command.length) return refuse(socket, 400, 'you must specify at least one command for the container');
  const pod = toolboxPodOf(runtime.pod(), runtime.podIP, containerName, deps.dns, CLUSTER_DOMAIN, container.env(), { view: container.view(), rootfs: container.rootfs });
  deps.logger.info({ namespace, name: podName, container: containerName, kind, command, tty: opts.tty }, `${kind} session`);
  // a host-process container execs the real command; the built-in app, the toolbox
  const hostExec = container.hostExec();
  const execRunner: SessionRunner = hostExec ? (streams) => hostExec(command, streams) : (streams) => execToolbox(command, pod, streams);
  (spdy ? serveSpdySession : serveSession)(req, socket, head, opts, kind === 'exec' ? execRunner : attachRunner(container));
}

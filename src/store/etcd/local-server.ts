// Throwaway etcd clusters (one member, or three) in a folder of their own, for the etcd store's
// tests and the store benchmark: every member on 127.0.0.1 with free ports. A member can be
// killed (SIGKILL, a crash) and started again on the same ports and data, as the supervisor
// restarts a crashed one. Every member this process started is killed when it exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { freeTcpPort, killOnExit } from '../local-servers.js';
import { clientAddress, ETCD_BINARY, ETCD_PACKAGE, etcdMemberArgs, etcdMemberNames, type EtcdMember } from './members.js';

export interface LocalEtcdOptions {
  /** Where the members keep their data (one folder each inside). */
  dir: string;
  /** 1 (default) or 3. */
  members?: number;
  /** How long to wait for every member to serve (default 30 s). */
  startTimeoutMs?: number;
  /** The members' address (default 127.0.0.1; `::1` puts them on IPv6). */
  host?: string;
}

export interface LocalEtcdMember extends EtcdMember {
  pid(): number | undefined;
  running(): boolean;
  /** SIGKILL, and waits until it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and data; resolves once it serves clients. */
  start(): Promise<void>;
}

export interface LocalEtcd {
  readonly members: readonly LocalEtcdMember[];
  /** Client addresses, `127.0.0.1:PORT`. */
  readonly endpoints: string[];
  /** `etcd://127.0.0.1:P1,127.0.0.1:P2,...` */
  readonly url: string;
  /** Kills every member (SIGKILL) and waits. */
  kill(): Promise<void>;
  /** Starts every member that is not running; resolves once all serve. */
  start(): Promise<void>;
  /** SIGTERM (then SIGKILL) every member and waits. Idempotent. */
  stop(): Promise<void>;
}

/** What etcd logs once it serves clients (3.4: "serving client traffic insecurely"; 3.5+: "serving client traffic" / "ready to serve client requests"). */
const READY = /serving client (traffic|requests)|ready to serve client requests/;

export async function startLocalEtcd(opts: LocalEtcdOptions): Promise<LocalEtcd> {
  const count = opts.members ?? 1;
  const timeoutMs = opts.startTimeoutMs ?? 30_000;
  const token = `loopkube-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const ports = new Set<number>();
  const freshPort = async (): Promise<number> => {
    for (;;) {
      const p = await freeTcpPort();
      if (!ports.has(p)) {
        ports.add(p);
        return p;
      }
    }
  };
  const specs: EtcdMember[] = [];
  for (const name of etcdMemberNames(count)) specs.push({ name, clientPort: await freshPort(), peerPort: await freshPort(), ...(opts.host ? { host: opts.host } : {}) });

  const members: LocalEtcdMember[] = specs.map((spec) => {
    let child: ChildProcess | undefined;
    const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;

    function launch(): Promise<void> {
      const proc = spawn(ETCD_BINARY, etcdMemberArgs(spec, specs, { dataDir: opts.dir, clusterToken: token }), { stdio: ['ignore', 'ignore', 'pipe'] });
      child = proc;
      killOnExit(proc);
      const output: string[] = [];
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`${spec.name} did not serve within ${timeoutMs} ms:\n${output.slice(-20).join('\n')}`)), timeoutMs);
        const lines = createInterface({ input: proc.stderr as NodeJS.ReadableStream });
        function done(err?: Error): void {
          clearTimeout(timer);
          lines.removeAllListeners('line');
          lines.on('line', () => undefined); // keep draining etcd's log
          proc.off('exit', onExit);
          proc.off('error', onError);
          if (err) reject(err);
          else resolve();
        }
        const onExit = () => done(new Error(`${spec.name} exited before it served:\n${output.slice(-20).join('\n')}`));
        const onError = (err: Error) =>
          done((err as NodeJS.ErrnoException).code === 'ENOENT' ? new Error(`${ETCD_BINARY} was not found on PATH (Debian/Ubuntu: apt-get install ${ETCD_PACKAGE})`) : err);
        lines.on('line', (line) => {
          output.push(line);
          if (READY.test(line)) done();
        });
        proc.once('exit', onExit);
        proc.once('error', onError);
      });
    }

    async function killWith(signal: NodeJS.Signals): Promise<void> {
      const proc = child;
      if (!proc || !running()) return;
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill(signal);
      const force = signal === 'SIGKILL' ? undefined : setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await exited;
      if (force) clearTimeout(force);
    }

    return {
      ...spec,
      pid: () => child?.pid,
      running,
      kill: () => killWith('SIGKILL'),
      start: () => (running() ? Promise.resolve() : launch()),
      stop: () => killWith('SIGTERM'),
    } as LocalEtcdMember & { stop(): Promise<void> };
  });

  try {
    await Promise.all(members.map((m) => m.start()));
  } catch (err) {
    await Promise.all(members.map((m) => m.kill()));
    throw err;
  }
  const endpoints = specs.map(clientAddress);
  return {
    members,
    endpoints,
    url: `etcd://${endpoints.join(',')}`,
    kill: async () => void (await Promise.all(members.map((m) => m.kill()))),
    start: async () => void (await Promise.all(members.map((m) => m.start()))),
    stop: async () => void (await Promise.all(members.map((m) => (m as LocalEtcdMember & { stop(): Promise<void> }).stop()))),
  };
}

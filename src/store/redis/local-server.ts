// A throwaway redis-server in a folder of its own, for the Redis store's tests and the store
// benchmark: on 127.0.0.1 and a free port, append-only file on and synced before every answer
// (so an acknowledged write survives SIGKILL), no RDB snapshots. It can be killed and started
// again on the same port and folder, as a crashed Redis is restarted.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { freeTcpPort, killOnExit } from '../local-servers.js';

export { freeTcpPort };

export interface LocalRedisOptions {
  /** Where Redis keeps its append-only file. */
  dir: string;
  /** Default: a free port. */
  port?: number;
  /** `always` (default), `everysec` or `no`. */
  appendfsync?: 'always' | 'everysec' | 'no';
  /** How long to wait for "Ready to accept connections" (default 20 s). */
  startTimeoutMs?: number;
  /** Require this password of an ACL user (`user`, default "loopkube"); the default user is off. */
  password?: string;
  user?: string;
  /** Serve TLS only (rediss://) with this certificate and key (PEM files). */
  tls?: { certFile: string; keyFile: string; caFile: string };
}

export interface LocalRedis {
  readonly port: number;
  readonly dir: string;
  /** `redis://127.0.0.1:<port>/0` (`rediss://` with tls, `user:password@` with a password) */
  readonly url: string;
  pid(): number | undefined;
  running(): boolean;
  /** Kills it with SIGKILL (a crash) and waits until it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port and folder; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it (SIGTERM, then SIGKILL) and waits until it is gone. Idempotent. */
  stop(): Promise<void>;
}

export async function startLocalRedis(opts: LocalRedisOptions): Promise<LocalRedis> {
  const fixedPort = opts.port !== undefined;
  let port = opts.port ?? (await freeTcpPort());
  let child: ChildProcess | undefined;

  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  async function launch(): Promise<void> {
    // In a config file, not on the command line, where a password would show in `ps`.
    const settings = [
      `port ${opts.tls ? 0 : port}`,
      'bind 127.0.0.1',
      `dir "${opts.dir}"`,
      'appendonly yes',
      `appendfsync ${opts.appendfsync ?? 'always'}`,
      'save ""',
      'daemonize no',
      'loglevel notice',
      ...(opts.password ? ['user default off', `user ${opts.user ?? 'loopkube'} on >${opts.password} ~* &* +@all`] : []),
      ...(opts.tls
        ? [`tls-port ${port}`, `tls-cert-file "${opts.tls.certFile}"`, `tls-key-file "${opts.tls.keyFile}"`, `tls-ca-cert-file "${opts.tls.caFile}"`, 'tls-auth-clients no']
        : []),
    ];
    mkdirSync(opts.dir, { recursive: true });
    const conf = path.join(opts.dir, 'redis.conf');
    writeFileSync(conf, `${settings.join('\n')}\n`, { mode: 0o600 });
    const args = [conf];
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    killOnExit(proc);
    const output: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`redis-server did not start within ${opts.startTimeoutMs ?? 20_000} ms:\n${output.join('\n')}`)), opts.startTimeoutMs ?? 20_000);
      function done(err?: Error): void {
        clearTimeout(timer);
        lines.removeAllListeners('line');
        proc.off('exit', onExit);
        proc.off('error', onError);
        if (err) reject(err);
        else resolve();
      }
      const onExit = () => done(new Error(`redis-server exited before it was ready:\n${output.join('\n')}`));
      const onError = (err: Error) =>
        done(
          (err as NodeJS.ErrnoException).code === 'ENOENT'
            ? new Error('redis-server was not found on PATH (Debian/Ubuntu: apt-get install redis-server)')
            : err,
        );
      const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
      lines.on('line', (line) => {
        output.push(line);
        if (/Ready to accept connections/.test(line)) done();
      });
      proc.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
      proc.once('exit', onExit);
      proc.once('error', onError);
    });
    proc.stdout?.resume();
  }

  async function waitExit(proc: ChildProcess): Promise<void> {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  }

  async function killWith(signal: NodeJS.Signals): Promise<void> {
    const proc = child;
    if (!proc || !running()) return;
    proc.kill(signal);
    const exited = waitExit(proc);
    if (signal !== 'SIGKILL') {
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    } else {
      await exited;
    }
  }

  // A port found free may be taken before redis-server binds it: try a few others.
  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      break;
    } catch (err) {
      await killWith('SIGKILL');
      if (fixedPort || attempt >= 5 || !/Address already in use/i.test(String((err as Error).message))) throw err;
      port = await freeTcpPort();
    }
  }

  return {
    get port() {
      return port;
    },
    dir: opts.dir,
    get url() {
      const auth = opts.password ? `${encodeURIComponent(opts.user ?? 'loopkube')}:${encodeURIComponent(opts.password)}@` : '';
      return `${opts.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${port}/0`;
    },
    pid: () => child?.pid,
    running,
    kill: () => killWith('SIGKILL'),
    async start() {
      if (running()) return;
      await launch();
    },
    stop: () => killWith('SIGTERM'),
  };
}

// A real cluster DNS process for a test: `node dist/src/dns/main.js --home HOME` on a test
// control plane's home (cluster.json dns.ip:dns.port), its output in <home>/logs/dns.log. It
// exits by itself if this test process dies; stop() is safe to call more than once.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { clusterPaths, readClusterConfig } from '../../src/cluster/config.js';
import { CLUSTER_HOME_ENV, PROCESS_NAME_ENV, SUPERVISOR_PID_ENV } from '../../src/cluster/parent-watch.js';
import { probeHealth } from '../../src/supervisor/health.js';
import { REPO, requireBuilt, waitFor } from './wait.js';

export const DNS_MAIN = path.join(REPO, 'dist/src/dns/main.js');

export interface DnsProcess {
  process: ChildProcess;
  logFile: string;
  /** SIGKILL, as a crash; resolves once it is gone. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts it and waits until it answers (its informers synced with the API server). */
export async function startDnsProcess(home: string): Promise<DnsProcess> {
  requireBuilt(DNS_MAIN);
  const config = readClusterConfig(home);
  const logFile = path.join(clusterPaths(home).logsDir, 'dns.log');
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [DNS_MAIN, '--home', home], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, [SUPERVISOR_PID_ENV]: String(process.pid), [CLUSTER_HOME_ENV]: home, [PROCESS_NAME_ENV]: 'dns' },
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null;
  const health = { kind: 'dns' as const, host: config.dns.ip, port: config.dns.port, name: 'kubernetes.default.svc.cluster.local' };
  try {
    await waitFor('the cluster DNS to answer', async () => {
      if (gone()) throw new Error(`the DNS process exited: ${existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-10).join('\n') : ''}`);
      return probeHealth(health);
    }, 20_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    process: child,
    logFile,
    async kill() {
      if (!gone()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!gone()) {
        child.kill('SIGTERM');
        if (!(await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]))) child.kill('SIGKILL');
      }
      await exited;
      log.end();
    },
  };
}

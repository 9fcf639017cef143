// What the throwaway store servers of the tests and benchmarks (Redis, etcd) share: a free TCP
// port on 127.0.0.1 (one found free may be taken again before the server binds it: callers
// retry), and a guard that kills every server this process started when it exits, even when a
// test fails before its cleanup.
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** SIGKILLs `child` when this process exits, unless it has exited by then. */
export function killOnExit(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
}

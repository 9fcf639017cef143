// A small, bounded HTTP load for the observation tests: `concurrency` loops each sending one
// request per new connection (or, with keepAlive, over one kept-alive connection each, as most
// real clients do) to `url` and pausing `pauseMs` between requests, until stop() or the limits
// are reached (gentle: the machine is shared).
import http from 'node:http';

export interface Load {
  /** Requests answered so far. */
  done(): number;
  errors(): number;
  stop(): Promise<void>;
}

export function startLoad(url: string, opts: { concurrency?: number; pauseMs?: number; maxRequests?: number; maxMs?: number; keepAlive?: boolean } = {}): Load {
  const agent = opts.keepAlive ? new http.Agent({ keepAlive: true, maxSockets: opts.concurrency ?? 4 }) : false;
  const maxRequests = opts.maxRequests ?? 50_000;
  const deadline = Date.now() + (opts.maxMs ?? 120_000);
  let stopped = false;
  let ok = 0;
  let failed = 0;
  const once = (): Promise<void> =>
    new Promise((resolve) => {
      const req = http.get(url, { agent, timeout: 5000 }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) ok++;
          else failed++;
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        failed++;
        // do not spin on a refused port
        setTimeout(resolve, 50);
      });
    });
  const loop = async (): Promise<void> => {
    while (!stopped && ok + failed < maxRequests && Date.now() < deadline) {
      await once();
      if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
    }
  };
  const loops = Array.from({ length: opts.concurrency ?? 4 }, loop);
  return {
    done: () => ok,
    errors: () => failed,
    async stop() {
      stopped = true;
      await Promise.all(loops);
      if (agent) agent.destroy();
    },
  };
}

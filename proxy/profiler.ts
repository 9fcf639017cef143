// CPU profiles of the running proxy, on demand: `kill -USR2 <proxy pid>` starts one, the next
// SIGUSR2 stops it and writes `<dir>/proxy-<pid>-<time>.cpuprofile` (open it in Chrome DevTools
// or speedscope). This is how the data plane's cost per connection was studied; the benchmark's
// --profile flag uses it.
import { writeFileSync } from 'node:fs';
import { Session, type Profiler } from 'node:inspector';
import path from 'node:path';
import type { Logger } from '../src/log.js';

export const PROFILE_SIGNAL = 'SIGUSR2';

export function installProfilerSignal(dir: string, logger: Logger): void {
  let session: Session | null = null;
  process.on(PROFILE_SIGNAL, () => {
    if (session === null) {
      const s = new Session();
      s.connect();
      s.post('Profiler.enable', () => s.post('Profiler.start', () => logger.info('CPU profile started')));
      session = s;
      return;
    }
    const s = session;
    session = null;
    s.post('Profiler.stop', (err, result: Profiler.StopReturnType) => {
      s.disconnect();
      if (err) {
        logger.warn({ err: err.message }, 'CPU profile failed');
        return;
      }
      const file = path.join(dir, `proxy-${process.pid}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
      writeFileSync(file, JSON.stringify(result.profile));
      logger.info({ file }, 'CPU profile written');
    });
  });
}

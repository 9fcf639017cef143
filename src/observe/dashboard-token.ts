// The dashboard's own token, in <home>/pki/dashboard-token: it goes in the dashboard's URL, so
// it is not the cluster's API token (a URL ends up in shell history and browser history).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ClusterConfig } from '../cluster/config.js';
import { generateToken } from '../pki/token.js';

export { tokenEquals } from '../pki/bearer.js';

export function dashboardTokenPath(home: string): string {
  return path.join(home, 'pki', 'dashboard-token');
}

/** The cluster's dashboard token, made on first use (whoever comes first: `up` or the hub). */
export function ensureDashboardToken(home: string): string {
  const file = dashboardTokenPath(home);
  const read = (): string => {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch {
      return '';
    }
  };
  const existing = read();
  if (existing) return existing;
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    // 'wx': of two processes making it at once, one wins and the other reads the winner's.
    writeFileSync(file, `${generateToken()}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  // The other process may be between creating the file and writing it.
  for (let i = 0; i < 100; i++) {
    const token = read();
    if (token) return token;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
  throw new Error(`${file} is empty: remove it and try again`);
}

export function dashboardUrl(config: Pick<ClusterConfig, 'dashboard'>, token: string): string {
  return `http://127.0.0.1:${config.dashboard.port}/?token=${encodeURIComponent(token)}`;
}

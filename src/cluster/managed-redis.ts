// The Redis a cluster runs for itself (`loopkube up --redis`): its own ACL user and password, made
// on the first `up` and kept in the cluster's folder (pki/redis-password, 600), the default user
// switched off (so a client without the password can run no command at all), bound to 127.0.0.1
// only, with protected mode on. The settings go in a config file (redis/redis.conf, 600) rather
// than on the command line, where every local user could read the password in `ps`.
// cluster.json keeps the URL without the password; the control plane adds it when it connects.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateToken } from '../pki/token.js';
import type { ClusterConfig } from './config.js';

export const MANAGED_REDIS_USER = 'loopkube';

export function managedRedisPaths(home: string): { dir: string; conf: string; password: string } {
  return { dir: path.join(home, 'redis'), conf: path.join(home, 'redis', 'redis.conf'), password: path.join(home, 'pki', 'redis-password') };
}

/** The password, made once (and kept across down/up). */
export function ensureManagedRedisPassword(home: string): string {
  const file = managedRedisPaths(home).password;
  const existing = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  if (existing) return existing;
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const password = generateToken();
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

const quote = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** Writes redis.conf for the cluster's Redis on 127.0.0.1:port; returns its path. */
export function writeManagedRedisConfig(home: string, port: number): string {
  const paths = managedRedisPaths(home);
  const password = ensureManagedRedisPassword(home);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const lines = [
    '# Written by loopkube up --redis; rewritten on every up.',
    `port ${port}`,
    'bind 127.0.0.1',
    'protected-mode yes',
    `dir ${quote(paths.dir)}`,
    'daemonize no',
    // every acknowledged write is on disk first (so a SIGKILL loses none); no RDB snapshots
    'appendonly yes',
    'appendfsync always',
    'save ""',
    // nobody runs a command without the cluster's password
    'user default off',
    `user ${MANAGED_REDIS_USER} on >${password} ~* &* +@all`,
  ];
  writeFileSync(paths.conf, `${lines.join('\n')}\n`, { mode: 0o600 });
  return paths.conf;
}

/** The URL the control plane connects with: cluster.json's, with the managed Redis's user and password. */
export function storeUrlWithCredentials(config: Pick<ClusterConfig, 'home' | 'store' | 'managedRedis'>): string {
  if (!config.managedRedis) return config.store;
  const url = new URL(config.store);
  url.username = MANAGED_REDIS_USER;
  url.password = readFileSync(managedRedisPaths(config.home).password, 'utf8').trim();
  return url.toString();
}

/** A store URL fit to print: its password replaced. */
export function redactStoreUrl(store: string): string {
  try {
    const url = new URL(store);
    if (!url.password) return store;
    url.password = '***';
    return url.toString();
  } catch {
    return store;
  }
}

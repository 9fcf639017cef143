// Redis with credentials: the cluster's own Redis (`up --redis`) answers nobody without the
// cluster's password and listens on 127.0.0.1 only; `--store` takes a user and password
// (redis://USER:PASSWORD@...) and TLS (rediss://); no password is written where it is printed.
import { statSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Namespace } from '../../src/api/types.js';
import { createCertificateAuthority } from '../../src/pki/ca.js';
import { createServingCertificate } from '../../src/pki/serving-cert.js';
import { startLocalRedis, type LocalRedis } from '../../src/store/redis/local-server.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';

/** Sends one inline command over a raw connection (no client library): the first reply line, or the error code. */
function rawCommand(host: string, port: number, command: string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    let data = '';
    s.setTimeout(3000, () => s.destroy(new Error('timeout')));
    s.on('connect', () => s.write(`${command}\r\n`));
    s.on('data', (d) => {
      data += d.toString();
      if (data.includes('\r\n')) {
        s.destroy();
        resolve(data.split('\r\n')[0]!);
      }
    });
    s.on('error', (err) => resolve((err as NodeJS.ErrnoException).code ?? err.message));
  });
}

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function roundTrip(c: TestCluster, name: string): Promise<void> {
  await c.client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  expect((await c.client.get<Namespace>(`/api/v1/namespaces/${name}`)).metadata.name).toBe(name);
}

describe('the cluster’s own Redis (up --redis)', () => {
  it('needs the cluster’s password for every command, listens on 127.0.0.1 only, and keeps the password to its owner', async () => {
    const c = await startTestCluster({ upArgs: ['--redis'] });
    cleanups.push(() => c.down());
    const port = c.config.managedRedis!.port;
    expect(c.config.store).toBe(`redis://127.0.0.1:${port}/0`); // no password in cluster.json
    expect(readFileSync(path.join(c.home, 'cluster.json'), 'utf8')).not.toContain(readFileSync(path.join(c.home, 'pki', 'redis-password'), 'utf8').trim());

    expect(await rawCommand('127.0.0.1', port, 'PING')).toMatch(/^-NOAUTH/);
    expect(await rawCommand('127.0.0.1', port, 'AUTH default nopass')).toMatch(/^-(WRONGPASS|ERR)/);
    expect(await rawCommand('127.0.0.1', port, 'KEYS *')).toMatch(/^-NOAUTH/);
    // another loopback address of the machine: nothing listens there
    expect(await rawCommand('127.0.0.2', port, 'PING')).toBe('ECONNREFUSED');
    const password = readFileSync(path.join(c.home, 'pki', 'redis-password'), 'utf8').trim();
    expect(await rawCommand('127.0.0.1', port, `AUTH loopkube ${password}`)).toBe('+OK');

    for (const file of ['pki/redis-password', 'redis/redis.conf']) expect(statSync(path.join(c.home, file)).mode & 0o077, file).toBe(0);
    await roundTrip(c, 'on-managed-redis');
  });
});

describe('--store with credentials and TLS', () => {
  let dir = '';
  const servers: LocalRedis[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('redis://USER:PASSWORD@HOST:PORT/DB authenticates, and the password is never printed', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'loopkube-redis-auth-'));
    const redis = await startLocalRedis({ dir: path.join(dir, 'plain'), user: 'kube', password: 's3cret-pass' });
    servers.push(redis);
    expect(redis.url).toBe(`redis://kube:s3cret-pass@127.0.0.1:${redis.port}/0`);
    const c = await startTestCluster({ upArgs: ['--store', redis.url] });
    cleanups.push(() => c.down());
    await roundTrip(c, 'behind-a-password');
    const down = await c.loopkube(['down', '--name', c.name, '--purge']);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain(`redis://kube:***@127.0.0.1:${redis.port}/0`);
    expect(down.stdout).not.toContain('s3cret-pass');
  });

  it('rediss:// connects over TLS (the server’s CA trusted through NODE_EXTRA_CA_CERTS)', async () => {
    const tlsDir = path.join(dir, 'tls');
    const ca = createCertificateAuthority('redis-test-ca');
    const serving = createServingCertificate(ca, { ips: ['127.0.0.1'], dns: ['localhost'] }, 'redis');
    const files = { caFile: path.join(dir, 'ca.crt'), certFile: path.join(dir, 'redis.crt'), keyFile: path.join(dir, 'redis.key') };
    writeFileSync(files.caFile, ca.cert);
    writeFileSync(files.certFile, serving.cert);
    writeFileSync(files.keyFile, serving.key, { mode: 0o600 });
    const redis = await startLocalRedis({ dir: tlsDir, password: 'tls-pass', tls: files });
    servers.push(redis);
    expect(redis.url).toMatch(/^rediss:\/\//);
    // plain text on the TLS port gets nowhere
    expect(await rawCommand('127.0.0.1', redis.port, 'PING')).not.toMatch(/^\+PONG/);
    const c = await startTestCluster({ upArgs: ['--store', redis.url], env: { NODE_EXTRA_CA_CERTS: files.caFile } });
    cleanups.push(() => c.down());
    await roundTrip(c, 'over-tls');
  });
});

// The cluster's CA, serving certificate, token and kubeconfig: the certificate verifies against
// the CA, carries every name clients use, TLS works with it, and real kubectl reads the kubeconfig.
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterPaths } from '../../src/cluster/config.js';
import { createCertificateAuthority, type CertAndKey } from '../../src/pki/ca.js';
import { ensureClusterPki, parseSubjectAltNames } from '../../src/pki/cluster-pki.js';
import { writeKubeconfig } from '../../src/pki/kubeconfig.js';
import { apiServerAltNames, createServingCertificate } from '../../src/pki/serving-cert.js';
import { issueCertificate, KEY_USAGE } from '../../src/pki/x509.js';
import { removeDir, tempDir } from './helpers.js';

describe('PKI', () => {
  let ca: CertAndKey;
  let server: CertAndKey;
  beforeAll(() => {
    ca = createCertificateAuthority();
    server = createServingCertificate(ca, apiServerAltNames('127.96.0.1'));
  });

  it('the CA is a self-signed CA certificate with an ECDSA P-256 key', () => {
    const cert = new X509Certificate(ca.cert);
    expect(cert.ca).toBe(true);
    expect(cert.checkIssued(cert)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyType).toBe('ec');
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(ca.key).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
  });

  it('openssl reads both certificates and verifies the chain (strict DER)', () => {
    const dir = tempDir();
    try {
      const caFile = path.join(dir, 'ca.crt');
      const certFile = path.join(dir, 'apiserver.crt');
      writeFileSync(caFile, ca.cert);
      writeFileSync(certFile, server.cert);
      expect(execFileSync('openssl', ['verify', '-x509_strict', '-CAfile', caFile, certFile], { encoding: 'utf8' }).trim()).toBe(`${certFile}: OK`);
      const text = execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-text'], { encoding: 'utf8' });
      expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256');
      expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
      expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature/);
    } finally {
      removeDir(dir);
    }
  });

  it('a CA an older loopkube made (RSA) still signs a new serving certificate that verifies', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaCa: CertAndKey = {
      cert: issueCertificate({
        subject: { commonName: 'loopkube-ca' },
        issuer: { commonName: 'loopkube-ca' },
        publicKey,
        signingKey: privateKey,
        notBefore: new Date(Date.now() - 60_000),
        notAfter: new Date(Date.now() + 86_400_000),
        ca: true,
        keyUsage: [KEY_USAGE.digitalSignature, KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign],
      }),
      key: privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
    };
    const signed = new X509Certificate(createServingCertificate(rsaCa, apiServerAltNames('127.96.0.1')).cert);
    const caCert = new X509Certificate(rsaCa.cert);
    expect(signed.checkIssued(caCert)).toBe(true);
    expect(signed.verify(caCert.publicKey)).toBe(true);
    expect(signed.publicKey.asymmetricKeyType).toBe('ec');
  });

  it('the serving certificate is issued and signed by the CA, and is no CA itself', () => {
    const cert = new X509Certificate(server.cert);
    const caCert = new X509Certificate(ca.cert);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkPrivateKey(createPrivateKey(server.key))).toBe(true);
    expect(cert.keyUsage ?? []).toContain('1.3.6.1.5.5.7.3.1'); // serverAuth
  });

  it('the serving certificate names 127.0.0.1, the kubernetes service IP and its DNS names', () => {
    const sans = parseSubjectAltNames(new X509Certificate(server.cert).subjectAltName ?? '');
    expect(sans.ips).toEqual(expect.arrayContaining(['127.0.0.1', '127.96.0.1']));
    expect(sans.dns).toEqual(
      expect.arrayContaining(['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local']),
    );
  });

  it('a TLS client that trusts only the CA connects by IP and by service name', async () => {
    const srv = https.createServer({ cert: server.cert, key: server.key }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    try {
      const port = (srv.address() as AddressInfo).port;
      const get = (servername?: string): Promise<string> =>
        new Promise((resolve, reject) => {
          https
            .get({ host: '127.0.0.1', port, path: '/', ca: ca.cert, agent: false, ...(servername ? { servername } : {}) }, (res) => {
              let body = '';
              res.on('data', (c: Buffer) => (body += c.toString()));
              res.on('end', () => resolve(body));
            })
            .on('error', reject);
        });
      expect(await get()).toBe('ok');
      expect(await get('kubernetes.default.svc')).toBe('ok');
      await expect(get('example.com')).rejects.toThrow(/altnames|Hostname/i);
    } finally {
      srv.close();
    }
  });
});

describe('ensureClusterPki', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => removeDir(dir));

  it('makes credentials once, keeps them on the next up, and keys are private', () => {
    const paths = clusterPaths(path.join(dir, 'c1'));
    const first = ensureClusterPki(paths, apiServerAltNames('127.96.0.1'));
    expect(first.created.sort()).toEqual(['ca', 'server', 'token']);
    expect(first.token.length).toBeGreaterThanOrEqual(40);
    expect(statSync(paths.caKey).mode & 0o077).toBe(0);
    expect(statSync(paths.serverKey).mode & 0o077).toBe(0);
    expect(statSync(paths.token).mode & 0o077).toBe(0);

    const second = ensureClusterPki(paths, apiServerAltNames('127.96.0.1'));
    expect(second.created).toEqual([]);
    expect(second.token).toBe(first.token);
    expect(second.server.cert).toBe(first.server.cert);
  });

  it('renews the serving certificate (same CA) when it lacks a required name', () => {
    const paths = clusterPaths(path.join(dir, 'c2'));
    const first = ensureClusterPki(paths, apiServerAltNames('127.96.0.1'));
    const second = ensureClusterPki(paths, apiServerAltNames('127.97.0.1'));
    expect(second.created).toEqual(['server']);
    expect(second.ca.cert).toBe(first.ca.cert);
    expect(new X509Certificate(second.server.cert).subjectAltName).toContain('IP Address:127.97.0.1');
  });
});

describe('kubeconfig', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => removeDir(dir));

  it('real kubectl reads it: cluster, server, CA data, token, current context loopkube-NAME', () => {
    const ca = createCertificateAuthority();
    const file = path.join(dir, 'kubeconfig');
    writeKubeconfig(file, { clusterName: 'demo', server: 'https://127.0.0.1:7443', caCertPem: ca.cert, token: 'tok-123' });
    expect(statSync(file).mode & 0o077).toBe(0);
    const out = JSON.parse(execFileSync('kubectl', ['config', 'view', '--kubeconfig', file, '--raw', '-o', 'json'], { encoding: 'utf8' })) as {
      'current-context': string;
      clusters: Array<{ name: string; cluster: { server: string; 'certificate-authority-data': string } }>;
      users: Array<{ name: string; user: { token: string } }>;
      contexts: Array<{ name: string; context: { cluster: string; user: string } }>;
    };
    expect(out['current-context']).toBe('loopkube-demo');
    expect(out.clusters[0].name).toBe('loopkube-demo');
    expect(out.clusters[0].cluster.server).toBe('https://127.0.0.1:7443');
    expect(Buffer.from(out.clusters[0].cluster['certificate-authority-data'], 'base64').toString()).toBe(ca.cert);
    expect(out.users[0].user.token).toBe('tok-123');
    expect(out.contexts[0].context).toEqual({ cluster: 'loopkube-demo', user: 'loopkube-demo' });
    const current = execFileSync('kubectl', ['config', 'current-context', '--kubeconfig', file], { encoding: 'utf8' }).trim();
    expect(current).toBe('loopkube-demo');
  });
});

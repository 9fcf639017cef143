// The API server's TLS, as kube-apiserver's secure defaults: TLS 1.2+, forward-secret ECDHE with
// AEAD ciphers only, an ECDSA P-256 certificate, and HTTP/2 by ALPN (HTTP/1.1 still served).
// Real handshakes against a real control plane process.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import http2 from 'node:http2';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeList, Namespace } from '../../src/api/types.js';
import { startTestControlPlane, waitFor, type TestControlPlane } from '../support/control-plane.js';

let cp: TestControlPlane;
let port = 0;

beforeAll(async () => {
  cp = await startTestControlPlane();
  port = Number(new URL(cp.clientConfig.server).port);
});
afterAll(async () => {
  await cp?.stop();
});

interface Handshake {
  ok: boolean;
  protocol?: string | null;
  cipher?: string;
  alpn?: string | false | null;
  peerKey?: string;
  error?: string;
}

function handshake(opts: tls.ConnectionOptions): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca: cp.clientConfig.ca, servername: 'localhost', ...opts }, () => {
      const cert = socket.getPeerX509Certificate?.();
      resolve({ ok: true, protocol: socket.getProtocol(), cipher: socket.getCipher().name, alpn: socket.alpnProtocol, peerKey: cert ? `${cert.publicKey.asymmetricKeyType}/${cert.publicKey.asymmetricKeyDetails?.namedCurve}` : '' });
      socket.end();
    });
    socket.on('error', (err) => resolve({ ok: false, error: err.message }));
  });
}

describe('API server TLS', () => {
  const rows: Array<{ rule: string; opts: tls.ConnectionOptions; ok: boolean }> = [
    { rule: 'TLS 1.1 is refused', opts: { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }, ok: false },
    { rule: 'TLS 1.2 with RSA key exchange (no forward secrecy) is refused', opts: { maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256:AES256-SHA' }, ok: false },
    { rule: 'TLS 1.2 with ECDHE but CBC-SHA1 is refused', opts: { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA' }, ok: false },
    { rule: 'TLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256 is served', opts: { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' }, ok: true },
    { rule: 'TLS 1.2 ECDHE-ECDSA-AES256-GCM-SHA384 is served', opts: { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' }, ok: true },
    { rule: 'TLS 1.2 ECDHE-ECDSA-CHACHA20-POLY1305 is served', opts: { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-CHACHA20-POLY1305' }, ok: true },
    { rule: 'TLS 1.3 is served', opts: { minVersion: 'TLSv1.3' }, ok: true },
  ];
  for (const row of rows) {
    it(row.rule, async () => {
      const h = await handshake(row.opts);
      expect(h.ok, h.error ?? `${h.protocol} ${h.cipher}`).toBe(row.ok);
    });
  }

  it('presents an ECDSA P-256 certificate, and offers HTTP/2 first (HTTP/1.1 to clients that ask only for it)', async () => {
    expect((await handshake({ ALPNProtocols: ['h2', 'http/1.1'] })).alpn).toBe('h2');
    expect((await handshake({ ALPNProtocols: ['http/1.1'] })).alpn).toBe('http/1.1');
    const h = await handshake({});
    expect(h.peerKey).toBe('ec/prime256v1');
    expect(new X509Certificate(cp.clientConfig.ca).publicKey.asymmetricKeyType).toBe('ec');
  });

  it('serves requests and watches over HTTP/2, with the token', async () => {
    const session = http2.connect(cp.clientConfig.server, { ca: cp.clientConfig.ca });
    session.on('error', () => {});
    const auth = { authorization: `Bearer ${cp.clientConfig.token}` };
    try {
      const get = (path: string, headers: Record<string, string> = auth): Promise<{ status: number; body: string }> =>
        new Promise((resolve, reject) => {
          const s = session.request({ ':path': path, ...headers });
          let status = 0;
          let body = '';
          s.on('response', (h) => (status = Number(h[':status'])));
          s.setEncoding('utf8');
          s.on('data', (c: string) => (body += c));
          s.on('end', () => resolve({ status, body }));
          s.on('error', reject);
        });
      expect((await get('/api/v1/namespaces', {})).status).toBe(401);
      const list = await get('/api/v1/namespaces');
      expect(list.status).toBe(200);
      const ns = JSON.parse(list.body) as KubeList<Namespace>;
      expect(ns.items.map((n) => n.metadata.name)).toContain('default');

      // a watch is a long response on one stream; other requests share the connection meanwhile
      const events: string[] = [];
      const w = session.request({ ':path': `/api/v1/namespaces?watch=true&resourceVersion=${ns.metadata.resourceVersion}`, ...auth });
      w.setEncoding('utf8');
      let buf = '';
      w.on('data', (c: string) => {
        buf += c;
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim()) {
            const ev = JSON.parse(line) as { type: string; object: Namespace };
            events.push(`${ev.type} ${ev.object.metadata.name}`);
          }
        }
      });
      await cp.client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'over-h2' } });
      await waitFor('the watch event over HTTP/2', () => events.includes('ADDED over-h2'));
      expect((await get('/version')).status).toBe(200);
      w.close();
    } finally {
      session.close();
    }
  });

  it("python3-kubernetes (Debian's, HTTP/1.1 over these TLS settings) lists and watches", async () => {
    const script = [
      'import sys',
      'from kubernetes import client, config, watch',
      'config.load_kube_config(config_file=sys.argv[1])',
      'v1 = client.CoreV1Api()',
      'names = [n.metadata.name for n in v1.list_namespace().items]',
      'print("list", ",".join(sorted(names)))',
      'rv = v1.list_namespace().metadata.resource_version',
      'w = watch.Watch()',
      'v1.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="from-python")))',
      'for ev in w.stream(v1.list_namespace, resource_version=rv, timeout_seconds=5):',
      '    print("event", ev["type"], ev["object"].metadata.name)',
      '    w.stop()',
    ].join('\n');
    const out = await new Promise<string>((resolve, reject) => {
      // /usr/bin/python3: Debian's, with python3-kubernetes (the python3 on PATH may be another)
      execFile('/usr/bin/python3', ['-c', script, cp.kubeconfig], { timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
    });
    expect(out).toMatch(/^list .*\bdefault\b/m);
    expect(out).toMatch(/^event ADDED from-python$/m);
  });
});

// A cluster's credentials under `<home>/pki/`: made on the first `up`, kept across down/up (so a
// kubeconfig handed out keeps working), the serving certificate renewed when it nears its end
// or lacks a name it must carry.
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ClusterPaths } from '../cluster/config.js';
import { createCertificateAuthority, type CertAndKey } from './ca.js';
import { createServingCertificate, type SubjectAltNames } from './serving-cert.js';
import { generateToken } from './token.js';

export interface ClusterCredentials {
  ca: CertAndKey;
  server: CertAndKey;
  token: string;
  /** What this call made anew (empty when everything was reused). */
  created: Array<'ca' | 'server' | 'token'>;
}

const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;

type PkiPaths = Pick<ClusterPaths, 'caCert' | 'caKey' | 'serverCert' | 'serverKey' | 'token'>;

export function ensureClusterPki(paths: PkiPaths, altNames: SubjectAltNames): ClusterCredentials {
  mkdirSync(path.dirname(paths.caCert), { recursive: true, mode: 0o700 });
  const created: ClusterCredentials['created'] = [];

  let ca = readPair(paths.caCert, paths.caKey);
  if (!ca) {
    ca = createCertificateAuthority();
    writePair(paths.caCert, paths.caKey, ca);
    created.push('ca');
  }

  let server = readPair(paths.serverCert, paths.serverKey);
  if (!server || created.includes('ca') || !servingCertStillGood(server.cert, ca.cert, altNames)) {
    server = createServingCertificate(ca, altNames);
    writePair(paths.serverCert, paths.serverKey, server);
    created.push('server');
  }

  let token = existsSync(paths.token) ? readFileSync(paths.token, 'utf8').trim() : '';
  if (!token) {
    token = generateToken();
    writeFileSync(paths.token, `${token}\n`, { mode: 0o600 });
    created.push('token');
  }
  return { ca, server, token, created };
}

function readPair(certFile: string, keyFile: string): CertAndKey | null {
  if (!existsSync(certFile) || !existsSync(keyFile)) return null;
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

function writePair(certFile: string, keyFile: string, pair: CertAndKey): void {
  writeFileSync(keyFile, pair.key, { mode: 0o600 });
  writeFileSync(certFile, pair.cert, { mode: 0o644 });
}

/** Signed by this CA, not expiring within 30 days, and carrying every required name. */
export function servingCertStillGood(certPem: string, caPem: string, altNames: SubjectAltNames): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
    if (new Date(cert.validTo).getTime() - Date.now() < RENEW_BEFORE_MS) return false;
    const sans = parseSubjectAltNames(cert.subjectAltName ?? '');
    return altNames.ips.every((ip) => sans.ips.includes(ip)) && altNames.dns.every((d) => sans.dns.includes(d));
  } catch {
    return false;
  }
}

/** `DNS:localhost, IP Address:127.0.0.1` (X509Certificate.subjectAltName) as lists. */
export function parseSubjectAltNames(text: string): SubjectAltNames {
  const out: SubjectAltNames = { ips: [], dns: [] };
  for (const part of text.split(',').map((s) => s.trim())) {
    if (part.startsWith('DNS:')) out.dns.push(part.slice(4));
    else if (part.startsWith('IP Address:')) out.ips.push(part.slice(11));
  }
  return out;
}

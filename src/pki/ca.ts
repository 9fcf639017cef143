// The cluster's certificate authority: a self-signed RSA 2048 CA that signs the API server's
// serving certificate; kubectl trusts it through the kubeconfig's certificate-authority-data.
// X.509 certificates are built and signed with node-forge: Node's crypto parses certificates
// (X509Certificate) but has no API to issue one.
import { randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { generateRsaKeyPair } from './keys.js';

export interface CertAndKey {
  /** PEM certificate. */
  cert: string;
  /** PEM private key (PKCS#1). */
  key: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A positive serial number of 16 random bytes, as hex (forge's format). */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  bytes[0] |= 0x01;
  return bytes.toString('hex');
}

export function createCertificateAuthority(commonName = 'loopkube-ca', validDays = 3650): CertAndKey {
  const { privateKey, publicKey } = generateRsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = randomSerial();
  // a minute of slack for clocks that disagree a little
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + validDays * DAY_MS);
  const subject = [{ name: 'commonName', value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: privateKey };
}

// The cluster's certificate authority: a self-signed CA with an ECDSA P-256 key that signs the
// API server's serving certificate; kubectl trusts it through the kubeconfig's
// certificate-authority-data. (A CA made by an older loopkube, RSA, keeps working: x509.ts signs
// with whichever key the CA has.)
import { generateEcdsaKeyPair } from './keys.js';
import { issueCertificate, KEY_USAGE } from './x509.js';

export interface CertAndKey {
  /** PEM certificate. */
  cert: string;
  /** PEM private key. */
  key: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function createCertificateAuthority(commonName = 'loopkube-ca', validDays = 3650): CertAndKey {
  const keys = generateEcdsaKeyPair();
  const dn = { commonName };
  const cert = issueCertificate({
    subject: dn,
    issuer: dn,
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    // a minute of slack for clocks that disagree a little
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + validDays * DAY_MS),
    ca: true,
    keyUsage: [KEY_USAGE.digitalSignature, KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign],
  });
  return { cert, key: keys.privateKeyPem };
}

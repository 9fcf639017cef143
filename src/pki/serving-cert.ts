// The API server's serving certificate, signed by the cluster CA, valid for every name a client
// uses to reach it: 127.0.0.1 and localhost (kubectl), the `kubernetes` service's ClusterIP and
// its DNS names (pods and in-cluster clients), as kubeadm's apiserver certificate is.
import { X509Certificate } from 'node:crypto';
import type { CertAndKey } from './ca.js';
import { generateEcdsaKeyPair, loadKeyPair } from './keys.js';
import { issueCertificate, KEY_USAGE } from './x509.js';

export interface SubjectAltNames {
  ips: string[];
  dns: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The names kubeadm puts on kube-apiserver's certificate, with loopkube's addresses. */
export function apiServerAltNames(kubernetesServiceIP: string, extraIPs: string[] = []): SubjectAltNames {
  const ips = [...new Set(['127.0.0.1', kubernetesServiceIP, ...extraIPs])];
  const dns = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];
  return { ips, dns };
}

export function createServingCertificate(
  ca: CertAndKey,
  altNames: SubjectAltNames,
  commonName = 'kube-apiserver',
  validDays = 825,
  usage: Array<'serverAuth' | 'clientAuth'> = ['serverAuth'],
): CertAndKey {
  const caCert = new X509Certificate(ca.cert);
  const caKeys = loadKeyPair(ca.key);
  const keys = generateEcdsaKeyPair();
  const notAfter = Math.min(Date.now() + validDays * DAY_MS, new Date(caCert.validTo).getTime());
  const cert = issueCertificate({
    subject: { commonName },
    issuer: { certificate: ca.cert },
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    issuerPublicKey: caKeys.publicKey,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(notAfter),
    ca: false,
    keyUsage: [KEY_USAGE.digitalSignature],
    extKeyUsage: usage,
    dnsNames: altNames.dns,
    ipAddresses: altNames.ips,
  });
  return { cert, key: keys.privateKeyPem };
}

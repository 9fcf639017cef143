// The API server's serving certificate, signed by the cluster CA, valid for every name a client
// uses to reach it: 127.0.0.1 and localhost (kubectl), the `kubernetes` service's ClusterIP and
// its DNS names (pods and in-cluster clients), as kubeadm's apiserver certificate is.
import forge from 'node-forge';
import { randomSerial, type CertAndKey } from './ca.js';
import { generateRsaKeyPair } from './keys.js';

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
): CertAndKey {
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const caKey = forge.pki.privateKeyFromPem(ca.key);
  const { privateKey, publicKey } = generateRsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  const notAfter = Math.min(Date.now() + validDays * DAY_MS, caCert.validity.notAfter.getTime());
  cert.validity.notAfter = new Date(notAfter);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        ...altNames.dns.map((value) => ({ type: 2, value })),
        ...altNames.ips.map((ip) => ({ type: 7, ip })),
      ],
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: privateKey };
}

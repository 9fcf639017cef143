// TLS termination: the certificate for a client's SNI name comes from the kubernetes.io/tls
// Secret an Ingress names for that host (spec.tls[].hosts, precise or `*.` wildcard, in the
// Ingress's namespace); without a match, the controller's own self-signed certificate, as
// ingress-nginx answers with its "Fake Certificate".
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Secret } from '../api/config.js';
import type { Ingress } from '../api/networking.js';
import { createCertificateAuthority } from '../pki/ca.js';
import { byAge } from './routing-table.js';

export interface Certificates {
  /** The context for an SNI name (undefined: the default certificate). */
  contextFor(servername: string): SecureContext | undefined;
  readonly defaultCert: { cert: string; key: string };
}

export function createCertificates(ingresses: () => readonly Ingress[], secrets: (namespace: string, name: string) => Secret | undefined): Certificates {
  const fake = createCertificateAuthority('Kubernetes Ingress Controller Fake Certificate', 365);
  const cache = new Map<string, { version: string; ctx: SecureContext }>();
  const contextOf = (namespace: string, name: string): SecureContext | undefined => {
    const s = secrets(namespace, name);
    const crt = s?.data?.['tls.crt'];
    const key = s?.data?.['tls.key'];
    if (!s || !crt || !key) return undefined;
    const id = `${namespace}/${name}`;
    const version = s.metadata.resourceVersion ?? '';
    const hit = cache.get(id);
    if (hit && hit.version === version) return hit.ctx;
    try {
      const ctx = createSecureContext({ cert: Buffer.from(crt, 'base64'), key: Buffer.from(key, 'base64') });
      cache.set(id, { version, ctx });
      return ctx;
    } catch {
      return undefined;
    }
  };
  return {
    defaultCert: { cert: fake.cert, key: fake.key },
    contextFor(servername) {
      const host = servername.toLowerCase();
      const dot = host.indexOf('.');
      let wildcard: SecureContext | undefined;
      for (const ing of [...ingresses()].sort(byAge)) {
        for (const t of ing.spec?.tls ?? []) {
          if (!t.secretName) continue;
          for (const h of t.hosts ?? []) {
            if (h === host) {
              const ctx = contextOf(ing.metadata.namespace ?? 'default', t.secretName);
              if (ctx) return ctx;
            } else if (!wildcard && h.startsWith('*.') && dot > 0 && h.slice(2) === host.slice(dot + 1)) {
              wildcard = contextOf(ing.metadata.namespace ?? 'default', t.secretName);
            }
          }
        }
      }
      return wildcard;
    },
  };
}

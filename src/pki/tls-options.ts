// How the API server speaks TLS: as kube-apiserver does with its secure defaults. TLS 1.2 and
// 1.3 only; for TLS 1.2 forward-secret ECDHE key exchange with AEAD ciphers only (AES-GCM,
// ChaCha20-Poly1305), none of the RSA key exchange or CBC-SHA1 suites Node offers by default;
// TLS 1.3's three suites; X25519 and P-256 for the key exchange; and HTTP/2 offered first by
// ALPN (kubectl, being Go, prefers it), HTTP/1.1 for clients that do not speak it (client-go
// with HTTP/2 disabled, @kubernetes/client-node, python's kubernetes, loopkube's own client).
import type { SecureServerOptions } from 'node:http2';

/** Go's names: TLS_ECDHE_{ECDSA,RSA}_WITH_AES_128_GCM_SHA256, ..._AES_256_GCM_SHA384, ..._CHACHA20_POLY1305_SHA256. */
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
];
export const TLS13_CIPHERS = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

export function apiServerTlsOptions(tls: { key: string; cert: string }): SecureServerOptions {
  return {
    key: tls.key,
    cert: tls.cert,
    minVersion: 'TLSv1.2',
    ciphers: [...TLS13_CIPHERS, ...TLS12_CIPHERS].join(':'),
    ecdhCurve: 'X25519:P-256',
    allowHTTP1: true,
    ALPNProtocols: ['h2', 'http/1.1'],
  };
}

// X.509 v3 certificates (RFC 5280) built and signed with Node's own crypto: the keys are
// ECDSA P-256 (generated natively in well under a millisecond, where RSA 2048 takes ~50-100 ms,
// and what kubeadm offers as its ECDSA option), signed ecdsa-with-SHA256; an RSA issuer (a CA
// made by an older loopkube) signs sha256WithRSAEncryption. Node can parse certificates
// (X509Certificate) but not issue them; node-forge, used before, signs RSA only. Issuing one
// takes a TBSCertificate, a signature over its DER and three fields around them: small enough to
// write here (der.ts) rather than depend on a package for it.
import { createHash, createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { bitString, boolean, children, explicit, fromPem, implicitPrimitive, integer, namedBits, nullValue, octetString, oid, pem, sequence, set, time, utf8String } from './der.js';

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

/** keyUsage bits (RFC 5280 4.2.1.3). */
export const KEY_USAGE = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;

export interface DistinguishedName {
  commonName: string;
  organization?: string;
}

export interface CertificateSpec {
  subject: DistinguishedName;
  /** The issuer's subject (the subject itself for a self-signed certificate), or its certificate (PEM), whose subject is copied byte for byte. */
  issuer: DistinguishedName | { certificate: string };
  /** The certified key's public half. */
  publicKey: KeyObject;
  /** The issuer's private key, which signs. */
  signingKey: KeyObject;
  /** The issuer's public key (for the authority key identifier); omitted when self-signed. */
  issuerPublicKey?: KeyObject;
  notBefore: Date;
  notAfter: Date;
  ca: boolean;
  keyUsage: number[];
  extKeyUsage?: Array<'serverAuth' | 'clientAuth'>;
  dnsNames?: string[];
  ipAddresses?: string[];
}

function name(dn: DistinguishedName): Buffer {
  const rdns = [set(sequence(oid(OID.commonName), utf8String(dn.commonName)))];
  if (dn.organization) rdns.unshift(set(sequence(oid(OID.organization), utf8String(dn.organization))));
  return sequence(...rdns);
}

function spki(key: KeyObject): Buffer {
  return (key.type === 'public' ? key : createPublicKey(key)).export({ type: 'spki', format: 'der' });
}

/** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
export function keyIdentifier(key: KeyObject): Buffer {
  // SubjectPublicKeyInfo ::= SEQUENCE { algorithm, subjectPublicKey BIT STRING }
  const [info] = children(spki(key));
  const bits = children(info!.content)[1]!.content.subarray(1); // after the unused-bits byte
  return createHash('sha1').update(bits).digest();
}

/**
 * A certificate's subject, exactly as encoded: a child names its issuer with these bytes, since
 * verifiers (Go's crypto/x509 among them) match issuer to subject byte for byte.
 */
export function rawSubject(certificatePem: string): Buffer {
  // Certificate ::= SEQUENCE { tbsCertificate, ... }; tbs: [0] version, serial, signature, issuer, validity, subject
  const [cert] = children(fromPem(certificatePem));
  const [tbs] = children(cert!.content);
  const fields = children(tbs!.content);
  const offset = fields[0]!.tag === 0xa0 ? 1 : 0;
  return fields[offset + 4]!.raw;
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? sequence(oid(id), boolean(true), octetString(value)) : sequence(oid(id), octetString(value));
}

function ipBytes(ip: string): Buffer {
  if (!isIPv4(ip)) throw new Error(`only IPv4 subject alternative names are supported: ${ip}`);
  return Buffer.from(ip.split('.').map(Number));
}

function signatureAlgorithm(key: KeyObject): { algorithm: Buffer; digest: string } {
  const type = key.asymmetricKeyType;
  if (type === 'ec') return { algorithm: sequence(oid(OID.ecdsaWithSHA256)), digest: 'sha256' };
  if (type === 'rsa') return { algorithm: sequence(oid(OID.sha256WithRSA), nullValue()), digest: 'sha256' };
  throw new Error(`cannot sign with a ${type} key`);
}

/** A positive 128-bit serial number, as CAs use (RFC 5280: at most 20 octets). */
export function randomSerial(): Buffer {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b;
}

/** Builds and signs the certificate; returns it as PEM. */
export function issueCertificate(spec: CertificateSpec): string {
  const { algorithm, digest } = signatureAlgorithm(spec.signingKey);
  const exts: Buffer[] = [
    extension(OID.basicConstraints, true, spec.ca ? sequence(boolean(true)) : sequence()),
    extension(OID.keyUsage, true, namedBits(spec.keyUsage)),
  ];
  if (spec.extKeyUsage?.length) exts.push(extension(OID.extKeyUsage, false, sequence(...spec.extKeyUsage.map((u) => oid(OID[u])))));
  const names = [...(spec.dnsNames ?? []).map((d) => implicitPrimitive(2, Buffer.from(d, 'ascii'))), ...(spec.ipAddresses ?? []).map((ip) => implicitPrimitive(7, ipBytes(ip)))];
  if (names.length) exts.push(extension(OID.subjectAltName, false, sequence(...names)));
  exts.push(extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(spec.publicKey))));
  if (spec.issuerPublicKey) exts.push(extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, keyIdentifier(spec.issuerPublicKey)))));

  const tbs = sequence(
    explicit(0, integer(2)), // v3
    integer(randomSerial()),
    algorithm,
    'certificate' in spec.issuer ? rawSubject(spec.issuer.certificate) : name(spec.issuer),
    sequence(time(spec.notBefore), time(spec.notAfter)),
    name(spec.subject),
    spki(spec.publicKey),
    explicit(3, sequence(...exts)),
  );
  // ECDSA signatures come DER-encoded (dsaEncoding 'der', Node's default), as X.509 wants them.
  const signature = sign(digest, tbs, spec.signingKey);
  return pem('CERTIFICATE', sequence(tbs, algorithm, bitString(signature)));
}

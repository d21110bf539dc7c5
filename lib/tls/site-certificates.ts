// tsyringe, which @peculiar/x509 uses inside, needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

// ECDSA P-256: small keys made in milliseconds by Node's own crypto, accepted by every TLS client.
const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
// Issued an hour back, so a client whose clock is a little behind still accepts a fresh certificate.
const BACKDATE_MS = 3_600_000;

/** A certificate and its private key, both PEM. */
export interface CertificateAndKey {
  certPem: string;
  keyPem: string;
}

/** The names a server certificate must hold: DNS names and IP addresses. */
export interface ServerNames {
  dns: string[];
  ip: string[];
}

const serial = () => {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f; // a positive serial number
  return bytes.toString('hex');
};

async function keyPair() {
  return webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** Makes the site's certificate authority: self-signed, able to sign server certificates only. */
export async function createCertificateAuthority(options: { siteCode: string; now: Date; validityDays?: number }): Promise<CertificateAndKey> {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=Sitebox site ${options.siteCode} CA, O=Sitebox`,
    notBefore: new Date(options.now.getTime() - BACKDATE_MS),
    notAfter: new Date(options.now.getTime() + (options.validityDays ?? 3650) * DAY_MS),
    keys,
    signingAlgorithm: algorithm,
    extensions: [
      // Path length 0: it signs server certificates, never another authority.
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

/**
 * Issues a server certificate signed by the site's authority, naming every host name and address
 * clients use for this server; it never outlives the authority. `certPem` is the chain: the
 * server certificate, then the authority's.
 */
export async function issueServerCertificate(options: {
  ca: CertificateAndKey;
  names: ServerNames;
  now: Date;
  validityDays?: number;
}): Promise<CertificateAndKey> {
  const ca = new x509.X509Certificate(options.ca.certPem);
  const caKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(options.ca.keyPem), algorithm, false, ['sign']);
  const keys = await keyPair();
  const notAfter = Math.min(options.now.getTime() + (options.validityDays ?? 365) * DAY_MS, ca.notAfter.getTime());
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${options.names.dns[0] ?? options.names.ip[0] ?? 'sitebox'}, O=Sitebox`,
    issuer: ca.subject,
    notBefore: new Date(options.now.getTime() - BACKDATE_MS),
    notAfter: new Date(notAfter),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...options.names.dns.map((value) => ({ type: 'dns' as const, value })),
        ...options.names.ip.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: `${cert.toString('pem')}\n${ca.toString('pem')}\n`, keyPem: await privateKeyPem(keys.privateKey) };
}

/**
 * Why the server certificate must be issued again, or null when it may stay: not signed by the
 * site's authority, fewer than `renewBeforeDays` left, or a name clients use missing from it.
 */
export function renewalReason(options: {
  cert: X509Certificate;
  ca: X509Certificate;
  names: ServerNames;
  now: Date;
  renewBeforeDays?: number;
}): string | null {
  const { cert, ca } = options;
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return 'it is not signed by the site certificate authority';
  const left = new Date(cert.validTo).getTime() - options.now.getTime();
  if (left < (options.renewBeforeDays ?? 30) * DAY_MS) return `it expires ${new Date(cert.validTo).toISOString()}`;
  const missing = [
    ...options.names.dns.filter((name) => cert.checkHost(name, { subject: 'never', wildcards: false }) === undefined),
    ...options.names.ip.filter((ip) => cert.checkIP(ip) === undefined),
  ];
  return missing.length ? `it does not name ${missing.join(', ')}` : null;
}

/** The SHA-256 fingerprint of a certificate (DER), as `AB:CD:…`, the form browsers and openssl show. */
export function certificateFingerprint(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/** The certificates of a PEM bundle, in order. */
export function splitPemCertificates(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

const hostName = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * The names a server certificate holds: the given host names, `localhost`, the loopback and the
 * given addresses (those of the machine's interfaces, usually). Link-local IPv6 addresses (with a
 * zone) cannot be named in a certificate and are left out; duplicates go.
 */
export function serverNames(options: { hosts: string[]; addresses: string[] }): ServerNames {
  const dns = new Set<string>();
  const ip = new Set<string>(['127.0.0.1', '::1']);
  for (const entry of [...options.hosts, 'localhost', ...options.addresses]) {
    const value = entry.trim();
    if (!value || value.includes('%')) continue;
    if (isIP(value)) ip.add(value);
    else if (hostName.test(value) && value.length <= 253) dns.add(value.toLowerCase());
  }
  return { dns: [...dns], ip: [...ip] };
}

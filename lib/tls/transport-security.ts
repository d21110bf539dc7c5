import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createSecureContext as tlsSecureContext } from 'node:tls';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { systemClock, type Clock } from '../clock';
import {
  certificateFingerprint,
  createCertificateAuthority,
  issueServerCertificate,
  renewalReason,
  splitPemCertificates,
  type CertificateAndKey,
  type ServerNames,
} from './site-certificates';

/** The part of a pino logger transport security uses. */
interface TlsLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** What a TLS server presents: the server certificate with its chain, and its key (PEM). */
export interface ServedCertificate {
  cert: string;
  key: string;
}

/**
 * This server's certificates as they stand: what TLS servers present (swapped in place on
 * renewal), and the certificate authority clients pin.
 */
export interface TransportSecurity {
  readonly mode: 'auto' | 'provided';
  served(): ServedCertificate;
  /** The authority clients pin: the site's own (auto), or the last certificate of the provided chain. */
  caPem(): string;
  /** SHA-256 of the authority's certificate, `AB:CD:…`: what `sitebox-agent install --ca-fingerprint` takes. */
  caFingerprint(): string;
  /** When the served server certificate expires. */
  validTo(): Date;
  /** Renews (auto) or re-reads (provided) when due; listeners hear of a change. */
  check(): Promise<{ changed: boolean; reason?: string }>;
  /** Called after every change of the served certificate; returns the unsubscribe. */
  onChange(listener: () => void): () => void;
  stop(): void;
}

const FILES = { caCert: 'ca.crt', caKey: 'ca.key', serverCert: 'server.crt', serverKey: 'server.key' } as const;

async function readIfPresent(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function writePrivately(file: string, content: string, mode: number) {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, content, { mode });
  await chmod(temporary, mode);
  await rename(temporary, file);
}

/**
 * The site's certificates in `dir` (mode 0700; keys 0600): the authority is made on first use and
 * kept; the server certificate is issued when missing and again when `renewalReason` says so.
 * Holds a lock on the folder meanwhile, so two processes on one folder never issue twice.
 */
export async function ensureSiteCertificates(options: {
  dir: string;
  siteCode: string;
  names: ServerNames;
  now: Date;
  leafValidityDays?: number;
  renewBeforeDays?: number;
}): Promise<{ ca: CertificateAndKey; server: CertificateAndKey; issued: string | null }> {
  const { dir } = options;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const release = await lockfile.lock(dir, { retries: { retries: 50, minTimeout: 20, maxTimeout: 200 }, stale: 15_000, realpath: false });
  try {
    const file = (name: keyof typeof FILES) => path.join(dir, FILES[name]);
    let caCert = await readIfPresent(file('caCert'));
    let caKey = await readIfPresent(file('caKey'));
    if (!caCert || !caKey) {
      ({ certPem: caCert, keyPem: caKey } = await createCertificateAuthority({ siteCode: options.siteCode, now: options.now }));
      await writePrivately(file('caKey'), caKey, 0o600);
      await writePrivately(file('caCert'), caCert, 0o644);
    }
    const ca = { certPem: caCert, keyPem: caKey };
    const serverCert = await readIfPresent(file('serverCert'));
    const serverKey = await readIfPresent(file('serverKey'));
    const reason =
      serverCert && serverKey
        ? renewalReason({
            cert: new X509Certificate(serverCert),
            ca: new X509Certificate(caCert),
            names: options.names,
            now: options.now,
            renewBeforeDays: options.renewBeforeDays,
          })
        : 'there is none yet';
    if (!reason) return { ca, server: { certPem: serverCert!, keyPem: serverKey! }, issued: null };
    const server = await issueServerCertificate({ ca, names: options.names, now: options.now, validityDays: options.leafValidityDays });
    await writePrivately(file('serverKey'), server.keyPem, 0o600);
    await writePrivately(file('serverCert'), server.certPem, 0o644);
    return { ca, server, issued: reason };
  } finally {
    await release();
  }
}

/** Reads an administrator's certificate chain and key, refusing a pair that does not belong together. */
async function readProvided(certFile: string, keyFile: string): Promise<{ served: ServedCertificate; caPem: string }> {
  const cert = await readFile(certFile, 'utf8').catch((error: Error) => {
    throw new Error(`SITEBOX_TLS_CERT: cannot read ${certFile}: ${error.message}`);
  });
  const key = await readFile(keyFile, 'utf8').catch((error: Error) => {
    throw new Error(`SITEBOX_TLS_KEY: cannot read ${keyFile}: ${error.message}`);
  });
  const chain = splitPemCertificates(cert);
  if (!chain.length) throw new Error(`SITEBOX_TLS_CERT: ${certFile} holds no PEM certificate`);
  try {
    // Throws when the key is not the certificate's.
    tlsSecureContext({ cert, key });
  } catch (error) {
    throw new Error(`SITEBOX_TLS_KEY: ${keyFile} does not go with ${certFile}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { served: { cert, key }, caPem: chain[chain.length - 1] };
}

export type TransportSecurityOptions = {
  clock?: Clock;
  log: TlsLog;
  /** How often to check for renewal (default daily); 0: only when check() is called. */
  checkEveryMs?: number;
} & (
  | {
      mode: 'auto';
      /** The private folder for the authority and server certificate (`<SITEBOX_DATA_DIR>/tls`). */
      dir: string;
      siteCode: string;
      /** Read at every check: an address that changes gets a certificate naming it. */
      names: () => ServerNames;
      leafValidityDays?: number;
      renewBeforeDays?: number;
    }
  | { mode: 'provided'; certFile: string; keyFile: string }
);

/**
 * Starts transport security: makes or reads the certificates, and checks them on a timer (daily
 * by default) — renewing the site's server certificate when fewer than 30 days are left, or
 * re-reading the administrator's files — so a running server presents the new one without a restart.
 */
export async function startTransportSecurity(options: TransportSecurityOptions): Promise<TransportSecurity> {
  const clock = options.clock ?? systemClock;
  const listeners = new Set<() => void>();
  let served: ServedCertificate;
  let caPem: string;

  const load = async (): Promise<{ changed: boolean; reason?: string }> => {
    if (options.mode === 'provided') {
      const next = await readProvided(options.certFile, options.keyFile);
      const changed = !served || next.served.cert !== served.cert || next.served.key !== served.key;
      ({ served, caPem } = next);
      return changed ? { changed, reason: 'the provided files changed' } : { changed };
    }
    const result = await ensureSiteCertificates({
      dir: options.dir,
      siteCode: options.siteCode,
      names: options.names(),
      now: clock.now(),
      leafValidityDays: options.leafValidityDays,
      renewBeforeDays: options.renewBeforeDays,
    });
    const changed = !served || result.server.certPem !== served.cert;
    served = { cert: result.server.certPem, key: result.server.keyPem };
    caPem = result.ca.certPem;
    return changed ? { changed, reason: result.issued ?? 'read from disk' } : { changed };
  };

  await load();
  const security: TransportSecurity = {
    mode: options.mode,
    served: () => served,
    caPem: () => caPem,
    caFingerprint: () => certificateFingerprint(caPem),
    validTo: () => new Date(new X509Certificate(served.cert).validTo),
    async check() {
      const result = await load();
      if (result.changed) {
        options.log.info({ reason: result.reason, validTo: security.validTo().toISOString() }, 'server certificate replaced');
        for (const listener of listeners) listener();
      }
      return result;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
  const every = options.checkEveryMs ?? 86_400_000;
  const timer =
    every > 0
      ? setInterval(() => void security.check().catch((error) => options.log.error({ err: error }, 'could not check the server certificate')), every)
      : null;
  timer?.unref();
  return security;
}

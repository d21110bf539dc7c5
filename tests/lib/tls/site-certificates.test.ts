// The site's own certificate authority and server certificate: made, kept privately, renewed when
// due (a manual clock moves time), and an administrator's own pair read instead.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '@/lib/clock';
import {
  certificateFingerprint,
  createCertificateAuthority,
  issueServerCertificate,
  renewalReason,
  serverNames,
  splitPemCertificates,
} from '@/lib/tls/site-certificates';
import { ensureSiteCertificates, startTransportSecurity } from '@/lib/tls/transport-security';

const DAY = 86_400_000;
const now = new Date('2026-06-01T12:00:00Z');
const names = serverNames({ hosts: ['mp01.corp.example.com', 'mp01'], addresses: ['10.0.0.5', 'fe80::1%eth0', '10.0.0.5'] });
const silent = { info() {}, warn() {}, error() {} };
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-tls-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const mode = async (file: string) => (await stat(file)).mode & 0o777;

describe('site certificates', () => {
  it('names the server by its host names, localhost and its addresses, leaving out what a certificate cannot hold', () => {
    expect(names).toEqual({ dns: ['mp01.corp.example.com', 'mp01', 'localhost'], ip: ['127.0.0.1', '::1', '10.0.0.5'] });
  });

  it('makes an authority valid ten years that signs a server certificate valid one year, naming every name', async () => {
    const ca = await createCertificateAuthority({ siteCode: 'S01', now });
    const caCert = new X509Certificate(ca.certPem);
    expect(caCert.ca).toBe(true);
    expect(caCert.subject).toContain('CN=Sitebox site S01 CA');
    expect(caCert.checkIssued(caCert)).toBe(true);
    expect(Math.round((new Date(caCert.validTo).getTime() - now.getTime()) / DAY)).toBe(3650);

    const server = await issueServerCertificate({ ca, names, now });
    const [leafPem, chainedCa] = splitPemCertificates(server.certPem);
    expect(certificateFingerprint(chainedCa)).toBe(caCert.fingerprint256);
    const leaf = new X509Certificate(leafPem);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(caCert) && leaf.verify(caCert.publicKey)).toBe(true);
    expect(leaf.checkPrivateKey(createPrivateKey(server.keyPem))).toBe(true);
    expect(Math.round((new Date(leaf.validTo).getTime() - now.getTime()) / DAY)).toBe(365);
    for (const name of names.dns) expect(leaf.checkHost(name, { subject: 'never' })).toBe(name);
    for (const ip of names.ip) expect(leaf.checkIP(ip)).toBe(ip);
    expect(leaf.checkHost('other.example.com')).toBeUndefined();
    expect(renewalReason({ cert: leaf, ca: caCert, names, now })).toBeNull();

    // Never outlives its authority.
    const late = await issueServerCertificate({ ca, names, now: new Date(now.getTime() + 3600 * DAY) });
    expect(new X509Certificate(splitPemCertificates(late.certPem)[0]).validTo).toBe(caCert.validTo);
  });

  it('is due for renewal with fewer than 30 days left, with a name it lacks, or when another authority signed it', async () => {
    const ca = await createCertificateAuthority({ siteCode: 'S01', now });
    const caCert = new X509Certificate(ca.certPem);
    const leaf = new X509Certificate(splitPemCertificates((await issueServerCertificate({ ca, names, now })).certPem)[0]);
    expect(renewalReason({ cert: leaf, ca: caCert, names, now: new Date(now.getTime() + 334 * DAY) })).toBeNull();
    expect(renewalReason({ cert: leaf, ca: caCert, names, now: new Date(now.getTime() + 336 * DAY) })).toMatch(/^it expires 2027-06-01/);
    expect(renewalReason({ cert: leaf, ca: caCert, names: { dns: names.dns, ip: [...names.ip, '10.0.0.9'] }, now })).toBe(
      'it does not name 10.0.0.9',
    );
    const other = new X509Certificate((await createCertificateAuthority({ siteCode: 'S01', now })).certPem);
    expect(renewalReason({ cert: leaf, ca: other, names, now })).toBe('it is not signed by the site certificate authority');
  });

  it('keeps them in a private folder, issues once across concurrent starts, and renews the server certificate under the same authority', async () => {
    const folder = path.join(dir, 'tls');
    const [first, second] = await Promise.all([
      ensureSiteCertificates({ dir: folder, siteCode: 'S01', names, now }),
      ensureSiteCertificates({ dir: folder, siteCode: 'S01', names, now }),
    ]);
    expect([first.issued, second.issued].filter(Boolean)).toEqual(['there is none yet']);
    expect(second.ca.certPem).toBe(first.ca.certPem);
    expect(second.server.certPem).toBe(first.server.certPem);
    expect(await mode(folder)).toBe(0o700);
    expect(await mode(path.join(folder, 'ca.key'))).toBe(0o600);
    expect(await mode(path.join(folder, 'server.key'))).toBe(0o600);
    expect(await mode(path.join(folder, 'ca.crt'))).toBe(0o644);

    const again = await ensureSiteCertificates({ dir: folder, siteCode: 'S01', names, now: new Date(now.getTime() + 300 * DAY) });
    expect(again.issued).toBeNull();
    const renewed = await ensureSiteCertificates({ dir: folder, siteCode: 'S01', names, now: new Date(now.getTime() + 340 * DAY) });
    expect(renewed.issued).toMatch(/^it expires/);
    expect(renewed.ca.certPem).toBe(first.ca.certPem);
    expect(renewed.server.certPem).not.toBe(first.server.certPem);
    expect(await readFile(path.join(folder, 'server.crt'), 'utf8')).toBe(renewed.server.certPem);
  });

  it('renews on check and tells the servers, keeping the authority agents pin', async () => {
    const clock = manualClock(now);
    const security = await startTransportSecurity({
      mode: 'auto',
      dir: path.join(dir, 'checked'),
      siteCode: 'S01',
      names: () => names,
      clock,
      log: silent,
      checkEveryMs: 0,
    });
    const pinned = security.caFingerprint();
    const before = security.served().cert;
    let changes = 0;
    security.onChange(() => changes++);
    expect(await security.check()).toEqual({ changed: false });
    clock.advance(340 * DAY);
    expect(await security.check()).toMatchObject({ changed: true, reason: expect.stringMatching(/^it expires/) });
    expect(changes).toBe(1);
    expect(security.served().cert).not.toBe(before);
    expect(security.caFingerprint()).toBe(pinned);
    expect(security.validTo().getTime()).toBe(clock.now().getTime() + 365 * DAY);
    security.stop();
  });

  it('serves an administrator’s certificate and key instead, pinning the last certificate of the chain, and refuses a key of another', async () => {
    const ca = await createCertificateAuthority({ siteCode: 'S01', now: new Date() });
    const server = await issueServerCertificate({ ca, names, now: new Date() });
    const certFile = path.join(dir, 'provided.crt');
    const keyFile = path.join(dir, 'provided.key');
    await writeFile(certFile, server.certPem);
    await writeFile(keyFile, server.keyPem);
    const security = await startTransportSecurity({ mode: 'provided', certFile, keyFile, log: silent, checkEveryMs: 0 });
    expect(security.caFingerprint()).toBe(certificateFingerprint(ca.certPem));
    expect(security.served()).toEqual({ cert: server.certPem, key: server.keyPem });

    // Replaced on disk: the next check serves the new pair.
    const next = await issueServerCertificate({ ca, names, now: new Date() });
    await writeFile(certFile, next.certPem);
    await writeFile(keyFile, next.keyPem);
    expect(await security.check()).toEqual({ changed: true, reason: 'the provided files changed' });
    expect(security.served().cert).toBe(next.certPem);

    await writeFile(keyFile, server.keyPem);
    await expect(startTransportSecurity({ mode: 'provided', certFile, keyFile, log: silent })).rejects.toThrow(
      /^SITEBOX_TLS_KEY: .* does not go with /,
    );
  });
});

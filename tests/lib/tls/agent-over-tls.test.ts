// A real agent against a management point serving HTTPS with the site's own certificates, as
// server.ts serves them: registration, policy, status messages and the notification channel over
// TLS (wss on the dedicated notification port too), pinned to the site's authority; an agent
// pinned to another authority refused, saying why; a renewed server certificate served without a
// restart and followed by the agent with nothing changed on its side.
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls, { type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientAgent } from '@/lib/agent/agent';
import type { AgentLog } from '@/lib/agent/agent-log';
import { httpRequest } from '@/lib/agent/http';
import { loadOrRegisterCredential } from '@/lib/agent/register-agent';
import { syntheticScanner } from '@/lib/agent/scan/synthetic-scanner';
import { createStatusReporter } from '@/lib/agent/status-reporter';
import { certificateProblem, fetchPinnedCa, fetchWithTrust, trustOf, type PinnedCa, type TlsTrust } from '@/lib/agent/tls-pin';
import { manualClock } from '@/lib/clock';
import type { AgentCredential } from '@/lib/protocol/policy.schema';
import { clientMessageIds } from '@/lib/protocol/client-message-ids';
import { createCertificateAuthority, certificateFingerprint, serverNames, splitPemCertificates } from '@/lib/tls/site-certificates';
import { startTransportSecurity, type TransportSecurity } from '@/lib/tls/transport-security';
import { useTestDatabase } from '../../support/database';
import { ensureSite, onlineDevice } from '../agent/agent-process';
import { eventually } from '../notification/fleet';
import { TestManagementPoint } from '../notification/management-point';

const DAY = 86_400_000;
let dir = '';
let security: TransportSecurity;
let clock: ReturnType<typeof manualClock>;
let mp: TestManagementPoint;
let pin: PinnedCa;
const agents: ClientAgent[] = [];

/** A log the test reads: every line the agent writes, with its fields. */
function recordingLog() {
  const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (fields: object, msg = '') =>
      lines.push({ level, msg, fields: fields as Record<string, unknown> });
  const log: AgentLog = { info: at('info'), warn: at('warn'), debug: at('debug') };
  return { log, lines };
}

async function register(name: string, trust: TlsTrust | undefined): Promise<AgentCredential> {
  const { credential } = await loadOrRegisterCredential({
    managementPointUrl: mp.url,
    stateDir: path.join(dir, name),
    identity: { name, osName: 'Debian GNU/Linux 12', osVersion: '12', osKind: 'WORKSTATION', clientVersion: '1.0.0' },
    tls: trust,
  });
  return credential;
}

function agent(credential: AgentCredential, trust: TlsTrust | undefined, options: Partial<ConstructorParameters<typeof ClientAgent>[0]> = {}) {
  const a = new ClientAgent({
    managementPointUrls: [mp.url],
    credential,
    tls: trust,
    pollPolicy: false,
    scanner: syntheticScanner({ quickScanMs: 50, fullScanMs: 100 }),
    initialBackoffMs: 100,
    maxBackoffMs: 500,
    ...options,
  });
  agents.push(a);
  return a;
}

/** The server certificate the console port presents to a new connection trusting `trust`. */
function presentedCertificate(trust: TlsTrust): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: 'localhost', port: mp.port, servername: 'localhost', ...trust }, () => {
      resolve(socket.getPeerX509Certificate()!.fingerprint256);
      socket.end();
    });
    socket.once('error', reject);
  });
}

beforeAll(async () => {
  const { url: connectionString } = await useTestDatabase();
  await ensureSite();
  dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-tls-agent-'));
  // Issued 340 days ago: valid in real time, and within 30 days of its end by the clock once moved to now.
  clock = manualClock(new Date(Date.now() - 340 * DAY));
  security = await startTransportSecurity({
    mode: 'auto',
    dir: path.join(dir, 'site-tls'),
    siteCode: 'S01',
    names: () => serverNames({ hosts: [], addresses: [] }),
    clock,
    log: { info() {}, warn() {}, error() {} },
    checkEveryMs: 0,
  });
  mp = new TestManagementPoint({ connectionString, security, dedicatedPort: true });
  await mp.start();
});

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await mp?.stop();
  security?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('transport security', () => {
  it('gives its authority only to an agent holding its fingerprint', async () => {
    expect(mp.url).toMatch(/^https:\/\/localhost:\d+$/);
    pin = await fetchPinnedCa({ managementPointUrl: mp.url, fingerprint: security.caFingerprint().replace(/:/g, '').toLowerCase() });
    expect(pin).toEqual({ fingerprint: security.caFingerprint(), certificate: security.caPem() });

    const other = certificateFingerprint((await createCertificateAuthority({ siteCode: 'S01', now: new Date() })).certPem);
    await expect(fetchPinnedCa({ managementPointUrl: mp.url, fingerprint: other })).rejects.toThrow(
      `the certificate authority of ${mp.url} has SHA-256 ${security.caFingerprint()}, not the pinned ${other}: refusing it`,
    );
  });

  it('registers, fetches policy, reports status and holds the notification channel over TLS, wss on the notification port', async () => {
    const trust = trustOf(pin)!;
    const credential = await register('TLS-01', trust);
    const reporter = createStatusReporter({
      managementPointUrl: mp.url,
      spoolDir: path.join(dir, 'TLS-01', 'spool'),
      device: credential.name,
      headers: () => ({ authorization: `Device ${credential.deviceId}.${credential.secret}` }),
      fetch: fetchWithTrust(trust),
      initialBackoffMs: 50,
      maxBackoffMs: 200,
    });
    const a = agent(credential, trust, { notificationPort: mp.server!.dedicatedPort()!, transports: ['websocket'], reporter });
    const connected = new Promise<{ url: string; transport: string }>((resolve) => a.once('connected', resolve));
    await a.start();
    expect(await connected).toEqual(expect.objectContaining({ url: `https://localhost:${mp.server!.dedicatedPort()}`, transport: 'websocket' }));
    await eventually(
      () => onlineDevice('TLS-01'),
      (d) => d !== null,
    );
    // Over the channel (wss), then over the policy endpoint (https) once the channel is closed.
    expect((await a.refreshPolicy('poll')).clientAgent.policyPollingMinutes).toBeGreaterThan(0);
    const policy = await httpRequest({
      url: `${mp.url}/api/mp/policy`,
      headers: { authorization: a.authorization },
      tls: trust,
      agent: new https.Agent({ keepAlive: false }),
    });
    expect(policy.status).toBe(200);

    await reporter.report({
      uid: crypto.randomUUID(),
      messageId: clientMessageIds.clientActionSucceeded,
      severity: 'INFORMATIONAL',
      type: 'MILESTONE',
      source: 'CLIENT',
      siteCode: 'S01',
      systemName: credential.name,
      component: 'CCM_NOTIFICATION_AGENT',
      sourceTime: new Date(),
      processId: process.pid,
      insertionStrings: ['1', 'Download Computer Policy', 'ok'],
    });
    await reporter.flush();
    expect(await reporter.pending()).toBe(0);
  });

  it('refuses a management point whose certificate another authority signed, and says why in its log', async () => {
    const otherCa = await createCertificateAuthority({ siteCode: 'S01', now: new Date() });
    const wrong = { ca: [otherCa.certPem] };
    await expect(register('TLS-WRONG', wrong)).rejects.toMatchObject({ code: 'SELF_SIGNED_CERT_IN_CHAIN' });

    const credential = await register('TLS-02', trustOf(pin));
    const { log, lines } = recordingLog();
    const a = agent(credential, wrong, { log, transports: ['websocket'] });
    let connected = false;
    a.on('connected', () => (connected = true));
    await a.start();
    const refusal = await eventually(
      async () => lines.find((l) => l.level === 'warn' && l.msg === 'refused the notification server: its certificate is not trusted'),
      (line) => line !== undefined,
    );
    expect(refusal!.fields).toEqual({
      url: mp.url,
      reason: "the server's certificate is not signed by the pinned site certificate authority (SELF_SIGNED_CERT_IN_CHAIN)",
    });
    await expect(a.refreshPolicy('poll')).rejects.toMatchObject({ code: 'SELF_SIGNED_CERT_IN_CHAIN' });
    expect(connected).toBe(false);
    expect(await onlineDevice('TLS-02')).toBeNull();
  });

  it("tells an agent installed without a pin that the site's authority is not trusted here, and how to trust it", async () => {
    // No --ca-fingerprint: the system's authorities, which do not hold the site's own.
    const error: unknown = await register('TLS-NOPIN', undefined).then(
      () => null,
      (e: unknown) => e,
    );
    expect(certificateProblem(error, false)).toBe(
      "the server's certificate is not signed by an authority this computer trusts (SELF_SIGNED_CERT_IN_CHAIN): to trust the site's own authority, install with --ca-fingerprint and the SHA-256 the Devices page shows",
    );
    expect(await onlineDevice('TLS-NOPIN')).toBeNull();
  });

  it('serves a renewed server certificate without a restart, and the agent follows it with the same pin', async () => {
    const trust = trustOf(pin)!;
    const credential = await register('TLS-03', trust);
    const a = agent(credential, trust, { transports: ['websocket'] });
    const first = new Promise((resolve) => a.once('connected', resolve));
    await a.start();
    await first;
    const before = await presentedCertificate(trust);
    expect(before).toBe(certificateFingerprint(splitPemCertificates(security.served().cert)[0]));

    clock.set(new Date());
    expect(await security.check()).toMatchObject({ changed: true, reason: expect.stringMatching(/^it expires/) });
    const renewed = certificateFingerprint(splitPemCertificates(security.served().cert)[0]);
    expect(renewed).not.toBe(before);
    expect(security.validTo().getTime()).toBeGreaterThan(Date.now() + 364 * DAY);
    // The running server presents it to the next connection.
    expect(await presentedCertificate(trust)).toBe(renewed);

    // Every connection ends; the agent reconnects over a new handshake with the renewed certificate.
    const again = new Promise((resolve) => a.once('connected', resolve));
    mp.dropConnections();
    await again;
    const socket = mp.agentSockets().find((s) => (s.data as { deviceId?: number }).deviceId === credential.deviceId);
    expect((socket!.request.socket as TLSSocket).getCertificate()).toMatchObject({ fingerprint256: renewed });
    expect((await a.refreshPolicy('poll')).clientAgent.policyPollingMinutes).toBeGreaterThan(0);
  });
});

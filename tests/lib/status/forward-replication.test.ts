import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { readStatusCounters } from '@/lib/status/counters';
import { createReplicationForwarder } from '@/lib/status/forward-replication';
import { enqueueReplication } from '@/lib/status/message-repo';
import { readReplicationLink } from '@/lib/status/replication-outbox-repo';
import { linkState } from '@/lib/status/site-hierarchy';
import { serverNames } from '@/lib/tls/site-certificates';
import { startTransportSecurity } from '@/lib/tls/transport-security';
import { useTestDatabase } from '../../support/database';
import { testMessage, wire } from './fixtures';

/** Stands in for the parent site's ingest endpoint: down (connection refused), busy (503) or up. */
class FakeParent {
  server: Server | null = null;
  port = 0;
  mode: 'busy' | 'up' | 'refusing' = 'up';
  received: { uid: string; severity: string }[][] = [];
  /** What the child reported of its link (POST /api/mp/child-site-link). */
  linkReports: unknown[] = [];
  authorizations: (string | undefined)[] = [];

  async start() {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        this.authorizations.push(req.headers.authorization);
        if (this.mode === 'refusing') {
          res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"error":{"code":"UNAUTHENTICATED"}}');
          return;
        }
        if (this.mode === 'busy') {
          res.writeHead(503, { 'Retry-After': '1', 'Content-Type': 'application/json' }).end('{"error":{"code":"UNAVAILABLE"}}');
          return;
        }
        if (req.url === '/api/mp/child-site-link') {
          this.linkReports.push(JSON.parse(body));
          res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"recorded"}');
          return;
        }
        this.received.push(JSON.parse(body).messages);
        res.writeHead(202, { 'Content-Type': 'application/json' }).end('{"accepted":1}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop() {
    await new Promise((resolve) => this.server?.close(resolve));
    this.server = null;
  }
}

describe('replication to the parent site', () => {
  const parent = new FakeParent();
  beforeAll(async () => {
    await useTestDatabase();
    await parent.start();
  });
  afterAll(() => parent.stop());

  it('keeps messages while the parent is down or busy, then forwards them by priority', async () => {
    const parentCredential = `SiteSystem 7.${'k'.repeat(43)}`;
    const log = pino({ level: 'silent' });
    const low = testMessage({ messageId: 1 });
    const high = testMessage({ messageId: 2, severity: 'ERROR' });
    const medium = testMessage({ messageId: 3, severity: 'WARNING' });
    const client = await pool().connect();
    await enqueueReplication(client, [
      { message: wire(low), priority: 'LOW' },
      { message: wire(high), priority: 'HIGH' },
      { message: wire(medium), priority: 'MEDIUM' },
    ]);
    client.release();
    let clock = 1_000_000;
    // The child's own site row: its name goes with every link report (the parent knows only its code).
    await pool().query(`INSERT INTO site (code, name, updated_at) VALUES ('C02', 'Branch office', now()) ON CONFLICT DO NOTHING`);
    const forwarder = createReplicationForwarder({
      db: pool(),
      parentUrl: `http://127.0.0.1:${parent.port}`,
      parentCredential,
      siteCode: 'C02',
      log,
      batchSize: 2,
      timeoutMs: 2000,
      maxRetryMs: 5000,
      now: () => clock,
    });

    // Down: the connection is refused; nothing is lost and the link waits before its next try.
    await parent.stop();
    expect(await forwarder.tick()).toEqual({ sent: 0, deferred: 2 });
    expect(await forwarder.tick()).toEqual({ sent: 0, deferred: 0, waiting: true });
    const link = async () => {
      const row = await readReplicationLink(pool(), `http://127.0.0.1:${parent.port}`);
      return { state: linkState(row), failures: row?.consecutiveFailures, refused: row?.credentialRefused, sentAt: row?.lastSuccessAt ?? null };
    };
    expect(await link()).toMatchObject({ state: 'OK', failures: 1, sentAt: null });
    // A long outage: many failed attempts, yet the link never waits more than maxRetryMs; the
    // link reads Degraded from the 12th failed attempt in a row and Failed from the 24th.
    for (let attempt = 2; attempt <= 24; attempt++) {
      clock += 5000;
      expect(await forwarder.tick()).toEqual({ sent: 0, deferred: 2 });
      expect(forwarder.failedAttempts()).toBe(attempt);
      if (attempt === 11) expect((await link()).state).toBe('OK');
      if (attempt === 12 || attempt === 23) expect((await link()).state).toBe('DEGRADED');
    }
    expect(await link()).toMatchObject({ state: 'FAILED', failures: 24, refused: false });

    // Busy: 503 with Retry-After (1 s) counts as a failed attempt too.
    await parent.start();
    parent.mode = 'busy';
    clock += 5000;
    expect(await forwarder.tick()).toEqual({ sent: 0, deferred: 2 });
    expect(parent.received).toHaveLength(0);

    // Up again: one wait at most, then the whole outbox at once, highest priority first, nothing twice.
    parent.mode = 'up';
    clock += 5000;
    expect(parent.linkReports).toEqual([]);
    expect(await forwarder.tick()).toEqual({ sent: 2, deferred: 0 });
    // The parent hears what still waits here (the Low message), at most every 5 s.
    expect(parent.linkReports).toEqual([
      {
        backlog: { HIGH: 0, MEDIUM: 0, LOW: 1 },
        consecutiveFailures: 0,
        oldestQueuedAt: expect.stringMatching(/^\d{4}-/),
        siteName: 'Branch office',
      },
    ]);
    expect(await forwarder.tick()).toEqual({ sent: 1, deferred: 0 });
    expect(await forwarder.tick()).toEqual({ sent: 0, deferred: 0 });
    expect(parent.linkReports).toHaveLength(1);
    clock += 5000;
    expect(await forwarder.tick()).toEqual({ sent: 0, deferred: 0 });
    expect(parent.linkReports.at(-1)).toEqual({
      backlog: { HIGH: 0, MEDIUM: 0, LOW: 0 },
      consecutiveFailures: 0,
      oldestQueuedAt: null,
      siteName: 'Branch office',
    });
    expect(forwarder.failedAttempts()).toBe(0);
    expect(await link()).toMatchObject({ state: 'OK', failures: 0, sentAt: expect.any(Date) });
    expect(parent.received.map((batch) => batch.map((m) => m.uid))).toEqual([[high.uid, medium.uid], [low.uid]]);
    // Every request carried this site's credential at the parent.
    expect(new Set(parent.authorizations)).toEqual(new Set([parentCredential]));
    expect(Number((await pool().query(`SELECT count(*) n FROM replication_outbox`)).rows[0].n)).toBe(0);
    expect((await readStatusCounters(pool())).forwarded).toBe(3);
  });

  it('reports a parent that refuses the credential as an Error, once, and keeps the messages', async () => {
    const message = testMessage({ messageId: 4 });
    const client = await pool().connect();
    await enqueueReplication(client, [{ message: wire(message), priority: 'HIGH' }]);
    client.release();
    let clock = 5_000_000;
    const parentUrl = `http://127.0.0.1:${parent.port}`;
    const forwarder = createReplicationForwarder({
      db: pool(),
      parentUrl,
      parentCredential: `SiteSystem 7.${'x'.repeat(43)}`,
      log: pino({ level: 'silent' }),
      now: () => clock,
    });
    parent.mode = 'refusing';
    const errors = async () =>
      (
        await pool().query<{ n: number }>(
          `SELECT count(*)::int AS n FROM status_inbox i, json_array_elements(i.messages::json) m WHERE (m->>'messageId')::int = 4631`,
        )
      ).rows[0].n;
    expect(await forwarder.tick()).toEqual({ sent: 0, deferred: 1 });
    clock += 10_000;
    expect(await forwarder.tick()).toEqual({ sent: 0, deferred: 1 });
    const row = await readReplicationLink(pool(), parentUrl);
    expect(row).toMatchObject({ consecutiveFailures: 2, credentialRefused: true, lastError: expect.stringMatching(/^HTTP 401: the parent refuses/) });
    expect(await errors()).toBe(1);
    parent.mode = 'up';
    clock += 10_000;
    expect(await forwarder.tick()).toEqual({ sent: 1, deferred: 0 });
    expect(await readReplicationLink(pool(), parentUrl)).toMatchObject({ consecutiveFailures: 0, credentialRefused: false });
  });

  it('records why the parent could not be reached, not just "fetch failed": refused, or a certificate this site does not trust', async () => {
    const message = testMessage({ messageId: 5 });
    const client = await pool().connect();
    await enqueueReplication(client, [{ message: wire(message), priority: 'HIGH' }]);
    client.release();
    const lastError = async (parentUrl: string) => {
      const forwarder = createReplicationForwarder({
        db: pool(),
        parentUrl,
        parentCredential: `SiteSystem 7.${'x'.repeat(43)}`,
        log: pino({ level: 'silent' }),
        timeoutMs: 5000,
      });
      expect(await forwarder.tick()).toEqual({ sent: 0, deferred: 1 });
      return (await readReplicationLink(pool(), parentUrl))?.lastError;
    };
    // Down: nothing listens on the port.
    await parent.stop();
    expect(await lastError(`http://127.0.0.1:${parent.port}`)).toMatch(/ECONNREFUSED/);
    await parent.start();

    // Over HTTPS with the parent's own authority, which this site was not given.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-parent-tls-'));
    const security = await startTransportSecurity({
      mode: 'auto',
      dir,
      siteCode: 'P01',
      names: () => serverNames({ hosts: [], addresses: [] }),
      log: { info() {}, warn() {}, error() {} },
      checkEveryMs: 0,
    });
    const tlsParent = createHttpsServer({ ...security.served() }, (req, res) => res.writeHead(202).end('{}'));
    await new Promise<void>((resolve) => tlsParent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (tlsParent.address() as AddressInfo).port;
      expect(await lastError(`https://localhost:${port}`)).toMatch(
        /certificate is not trusted here \(SELF_SIGNED_CERT_IN_CHAIN\).*NODE_EXTRA_CA_CERTS/,
      );
    } finally {
      tlsParent.closeAllConnections();
      tlsParent.close();
      security.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

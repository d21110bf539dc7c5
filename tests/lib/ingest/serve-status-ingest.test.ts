import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GET as metricsRoute } from '@/app/api/metrics/route';
import { POST as ingestRoute } from '@/app/api/mp/status-messages/route';
import { config, resetConfig } from '@/lib/config';
import { pool } from '@/lib/db/pool';
import { ingestCounters } from '@/lib/status/counters';
import { claimInboxBatches } from '@/lib/status/claim-inbox-batches-repo';
import { toWireStatusMessage } from '@/lib/protocol/status-message.schema';
import { isStatusIngest, serveStatusIngest } from '@/lib/ingest/serve-status-ingest';
import { resetInboxCapacityCache } from '@/lib/ingest/2-check-inbox-capacity';
import { StatusIngestThreads, useIngestThreads } from '@/lib/ingest/5-ingest-threads';
import { request } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';
import { seedReportingClient, testMessage, wire } from '../status/fixtures';

// The management point's lean ingest endpoint (what server.ts serves) with real ingest threads,
// over real HTTP, against the Next.js route running the same ingest on the calling thread.
describe('status ingest endpoint on ingest threads', () => {
  let server: Server;
  let url = '';
  let threads: StatusIngestThreads;
  let authorization = '';

  beforeAll(async () => {
    await useTestDatabase();
    authorization = await seedReportingClient();
    threads = new StatusIngestThreads({ connectionString: config().databaseUrl, threads: 2 });
    server = createServer((req, res) => {
      if (isStatusIngest(req)) return void serveStatusIngest(req, res);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/mp/status-messages`;
  });

  afterEach(() => {
    useIngestThreads(undefined);
    delete process.env.SITEBOX_STATUS_INBOX_LIMIT;
    delete process.env.SITEBOX_STATUS_MAX_BATCH_BYTES;
    resetConfig();
    resetInboxCapacityCache();
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await threads?.close();
  });

  /** Posts over HTTP to the lean endpoint, with the ingest threads in use. */
  async function viaEndpoint(body: string, auth: string | null = authorization) {
    useIngestThreads(threads);
    const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) } });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
  }

  /** The same request through the Next.js route, ingesting on this thread. */
  async function viaRoute(body: string, auth: string | null = authorization) {
    useIngestThreads(undefined);
    const res = await ingestRoute(request('/api/mp/status-messages', { method: 'POST', body, headers: auth ? { authorization: auth } : {} }));
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
  }

  const inboxMessages = async () => Number((await pool().query(`SELECT coalesce(sum(message_count), 0) AS n FROM status_inbox`)).rows[0].n);

  it('stores an accepted batch in the inbox and answers 202 with the counts', async () => {
    const before = await inboxMessages();
    const counted = ingestCounters().acceptedMessages;
    const messages = [testMessage(), testMessage({ messageId: 10002 })].map(wire);
    const answer = await viaEndpoint(JSON.stringify({ device: 'WKS0001', messages: [...messages, messages[0]] }));
    expect(answer).toEqual({ status: 202, retryAfter: null, body: { accepted: 2, duplicates: 1, rejected: [] } });
    expect((await inboxMessages()) - before).toBe(2);
    expect(ingestCounters().acceptedMessages - counted).toBe(2);
    const { rows } = await pool().query(`SELECT messages::json AS messages, sender, first_sending FROM status_inbox ORDER BY id DESC LIMIT 1`);
    expect(rows[0].messages.map((m: { uid: string }) => m.uid)).toEqual(messages.map((m) => m.uid));
    // The device its credential names: Status Manager takes a sender's batches one transaction at a time.
    expect(rows[0].sender).toBe(`device:${/^Device (\d+)\./.exec(authorization)![1]}`);
    // Not said: Status Manager looks its messages up as any retry's.
    expect(rows[0].first_sending).toBe(null);
    // A sender that vouches for a first sending, or says it may not be one: recorded as said.
    for (const firstSending of [true, false]) {
      await viaEndpoint(JSON.stringify({ device: 'WKS0001', firstSending, messages: [wire(testMessage())] }));
      const { rows: said } = await pool().query(`SELECT first_sending FROM status_inbox ORDER BY id DESC LIMIT 1`);
      expect(said[0].first_sending).toBe(firstSending);
    }
  });

  it('stores a batch already in wire form as it came, any other as the wire form of what it kept', async () => {
    const latestRow = async () =>
      (await pool().query<{ messages: string }>(`SELECT messages FROM status_inbox ORDER BY id DESC LIMIT 1`)).rows[0].messages;
    /** What Status Manager claims of the newest inbox row (in a transaction rolled back). */
    const claimedNewest = async () => {
      const client = await pool().connect();
      try {
        await client.query('BEGIN');
        const batches = await claimInboxBatches(client, 1_000_000);
        return batches.at(-1)!.messages;
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    };
    // What JSON makes of a value: the wire form's absent processId is no field at all.
    const roundTrip = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
    const kept = [testMessage({ processId: 12, properties: { UserName: 'ann' } }), testMessage()].map(toWireStatusMessage);
    const asSent = JSON.stringify({ device: 'WKS0001', firstSending: true, messages: kept });
    for (const via of [viaEndpoint, viaRoute]) {
      expect((await via(asSent)).status).toBe(202);
      expect(await latestRow()).toBe(asSent);
      expect(await claimedNewest()).toEqual(roundTrip(kept));

      // A time printed otherwise, a field the wire form lacks, a repeated message: stored as the wire form of what was kept.
      const other = testMessage();
      for (const messages of [
        [{ ...toWireStatusMessage(other), sourceTime: '2026-11-23T08:00:00Z' }],
        [{ ...toWireStatusMessage(other), note: 'dropped' }],
        [toWireStatusMessage(other), toWireStatusMessage(other)],
      ]) {
        expect((await via(JSON.stringify({ device: 'WKS0001', messages }))).status).toBe(202);
        expect(JSON.parse(await latestRow())).toEqual([roundTrip(toWireStatusMessage(other))]);
        expect(await claimedNewest()).toEqual([roundTrip(toWireStatusMessage(other))]);
      }
    }
  });

  it('answers every kind of bad request exactly as the route does', async () => {
    const good = wire(testMessage());
    const bodies = [
      JSON.stringify({ device: 'WKS0001', messages: [good, { ...wire(testMessage()), severity: 'CATASTROPHIC' }, 'not an object'] }),
      JSON.stringify({ device: 'WKS0001', messages: [{ ...wire(testMessage()), systemName: 'WKS0002' }] }),
      JSON.stringify({ device: 'WKS0002', messages: [wire(testMessage())] }),
      JSON.stringify({ messages: 'many' }),
      JSON.stringify({ firstSending: 'yes', messages: [wire(testMessage())] }),
      JSON.stringify({ messages: [] }),
      '{"messages": [',
      '',
    ];
    for (const body of bodies) {
      const lean = await viaEndpoint(body);
      const routed = await viaRoute(body);
      expect(lean.status).toBe(400);
      expect(lean).toEqual(routed);
    }
    // The valid message of the mixed batch was kept (once by each path).
    const { rows } = await pool().query(`SELECT count(*)::int AS n FROM status_inbox WHERE messages::text LIKE $1`, [`%${good.uid}%`]);
    expect(rows[0].n).toBe(2);
  });

  it('refuses unauthenticated senders, oversize bodies and a full inbox before reading the batch', async () => {
    const body = JSON.stringify({ messages: [wire(testMessage())] });
    expect((await viaEndpoint(body, null)).status).toBe(401);
    expect((await viaEndpoint(body, `${authorization}x`)).status).toBe(401);

    process.env.SITEBOX_STATUS_MAX_BATCH_BYTES = '2048';
    resetConfig();
    const big = JSON.stringify({ messages: Array.from({ length: 20 }, () => wire(testMessage())) });
    const tooLarge = await viaEndpoint(big);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe('PAYLOAD_TOO_LARGE');

    process.env.SITEBOX_STATUS_INBOX_LIMIT = '1';
    resetConfig();
    resetInboxCapacityCache();
    const busy = await viaEndpoint(body);
    expect(busy.status).toBe(503);
    expect(busy.retryAfter).toBe(String(config().SITEBOX_STATUS_RETRY_AFTER_SECONDS));
  });

  it('parses a small batch on the event loop, a large one on a thread', async () => {
    const done = threads.completed;
    // A client's acknowledgement: less work than the hop to a thread and back.
    expect(await viaEndpoint(JSON.stringify({ messages: [wire(testMessage())] }))).toMatchObject({ status: 202, body: { accepted: 1 } });
    expect(threads.completed - done).toBe(0);
    const large = JSON.stringify({ messages: Array.from({ length: 100 }, () => wire(testMessage())) });
    expect(large.length).toBeGreaterThan(16 * 1024);
    expect(await viaEndpoint(large)).toMatchObject({ status: 202, body: { accepted: 100 } });
    expect(threads.completed - done).toBe(1);
    // A body of unknown length (chunked) is taken for a large one.
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(JSON.stringify({ messages: [wire(testMessage())] })));
        controller.close();
      },
    });
    useIngestThreads(threads);
    const res = await fetch(url, { method: 'POST', body: chunked, duplex: 'half', headers: { authorization } } as RequestInit);
    expect(res.status).toBe(202);
    expect(threads.completed - done).toBe(2);
  });

  it('keeps every message of many concurrent batches handed to the threads, never more threads than the pool has', async () => {
    const before = await inboxMessages();
    const done = threads.completed;
    const batches = Array.from({ length: 24 }, () => Array.from({ length: 100 }, () => wire(testMessage())));
    const answers = await Promise.all(batches.map((messages) => viaEndpoint(JSON.stringify({ messages }))));
    expect(answers.every((a) => a.status === 202 && a.body.accepted === 100)).toBe(true);
    expect((await inboxMessages()) - before).toBe(24 * 100);
    expect(threads.completed - done).toBe(24);
    // A second thread starts only while the first has all the batches it takes: how many ran
    // depends on how many requests the machine had in flight at once.
    expect(threads.stats()).toMatchObject({ threads: expect.toSatisfy((n: number) => n >= 1 && n <= 2), queued: 0 });
    useIngestThreads(threads);
    const metrics = await (await metricsRoute(request('/api/metrics'))).text();
    expect(metrics).toMatch(/^sitebox_status_ingest_threads 2$/m);
    expect(Number(/^sitebox_status_ingest_thread_utilization (\S+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
  });
});

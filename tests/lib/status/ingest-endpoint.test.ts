import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { POST as ingestRoute } from '@/app/api/mp/status-messages/route';
import { config, resetConfig } from '@/lib/config';
import { pool } from '@/lib/db/pool';
import { runtime } from '@/lib/runtime';
import { ingestCounters } from '@/lib/status/counters';
import { isStatusIngest, serveStatusIngest } from '@/lib/status/ingest-endpoint';
import { resetInboxCapacityCache } from '@/lib/status/ingest-status-batch';
import { StatusIngestThreads } from '@/lib/status/ingest-threads';
import { statusMetrics } from '@/lib/status/metrics';
import { request } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';
import { seedReportingClient, testMessage, wire } from './fixtures';

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
    runtime().statusIngest = undefined;
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
    runtime().statusIngest = threads;
    const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) } });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
  }

  /** The same request through the Next.js route, ingesting on this thread. */
  async function viaRoute(body: string, auth: string | null = authorization) {
    runtime().statusIngest = undefined;
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
    const { rows } = await pool().query(`SELECT messages FROM status_inbox ORDER BY id DESC LIMIT 1`);
    expect(rows[0].messages.map((m: { uid: string }) => m.uid)).toEqual(messages.map((m) => m.uid));
  });

  it('answers every kind of bad request exactly as the route does', async () => {
    const good = wire(testMessage());
    const bodies = [
      JSON.stringify({ device: 'WKS0001', messages: [good, { ...wire(testMessage()), severity: 'CATASTROPHIC' }, 'not an object'] }),
      JSON.stringify({ device: 'WKS0001', messages: [{ ...wire(testMessage()), systemName: 'WKS0002' }] }),
      JSON.stringify({ device: 'WKS0002', messages: [wire(testMessage())] }),
      JSON.stringify({ messages: 'many' }),
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

  it('keeps every message of many concurrent batches spread over the threads', async () => {
    const before = await inboxMessages();
    const done = threads.completed;
    const batches = Array.from({ length: 24 }, () => Array.from({ length: 50 }, () => wire(testMessage())));
    const answers = await Promise.all(batches.map((messages) => viaEndpoint(JSON.stringify({ messages }))));
    expect(answers.every((a) => a.status === 202 && a.body.accepted === 50)).toBe(true);
    expect((await inboxMessages()) - before).toBe(24 * 50);
    expect(threads.completed - done).toBe(24);
    expect(threads.stats()).toMatchObject({ threads: 2, queued: 0 });
    runtime().statusIngest = threads;
    const metrics = await (await statusMetrics({ db: pool() })).metrics();
    expect(metrics).toMatch(/^sitebox_status_ingest_threads 2$/m);
    expect(Number(/^sitebox_status_ingest_thread_utilization (\S+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
  });
});

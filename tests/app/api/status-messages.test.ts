import pino from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GET as metrics } from '@/app/api/metrics/route';
import { GET as statusManagerState } from '@/app/api/status-manager/route';
import { POST as ingest } from '@/app/api/mp/status-messages/route';
import { GET as getMessage } from '@/app/api/status-messages/[id]/route';
import { GET as exportCsv } from '@/app/api/status-messages/export.csv/route';
import { GET as listMessages } from '@/app/api/status-messages/route';
import { DELETE as deleteQuery, PUT as putQuery } from '@/app/api/status-message-queries/[id]/route';
import { GET as listQueries, POST as saveQuery } from '@/app/api/status-message-queries/route';
import { resetConfig } from '@/lib/config';
import { pool } from '@/lib/db/pool';
import { readInboxDepth } from '@/lib/reporting/inbox-repo';
import { resetInboxCapacityCache } from '@/lib/ingest/2-check-inbox-capacity';
import { processStatusBatch } from '@/lib/status/process-status-batch';
import { loadFilterRules } from '@/lib/status/repo';
import { noSummarizers } from '@/lib/summarizers/summarizer-handoff';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';
import { deviceCredential, siteSystemCredential } from '../../support/credentials';
import { useTestDatabase } from '../../support/database';
import { testMessage, wire } from '../../lib/status/fixtures';

const log = pino({ level: 'silent' });
const effects = { summarizers: noSummarizers, eventLog() {}, programs: { run() {} }, replicationEnabled: false };

/** Lets Status Manager process everything waiting, with the rules in the database. */
async function processAll() {
  const rules = await loadFilterRules(pool());
  while ((await processStatusBatch({ db: pool(), rules, effects, maxBatches: 50, log })).messages) {
    /* until the inbox is empty */
  }
}

const credentials: Record<string, string> = {};
/** Posts a batch as device WKS0001 unless another credential is given. */
const post = (body: unknown, authorization = credentials.WKS0001) =>
  ingest(request('/api/mp/status-messages', { method: 'POST', body, headers: authorization ? { authorization } : {} }));
const storedCount = async () => Number((await pool().query(`SELECT count(*) n FROM status_message`)).rows[0].n);

describe('status message ingest and viewer API', () => {
  let analyst: TestSession;
  let admin: TestSession;

  beforeAll(async () => {
    await useTestDatabase();
    await pool().query(`INSERT INTO site (code, name, updated_at) VALUES ('S01', 'Central', now())`);
    await pool().query(
      `INSERT INTO device (site_id, name, os_name, os_version, os_kind, approval, updated_at)
       SELECT 1, n, 'Windows 11', '10.0', 'WORKSTATION', a::device_approval, now()
         FROM (VALUES ('WKS0001', 'APPROVED'), ('WKS0002', 'PENDING'), ('WKS0003', 'REVOKED')) v(n, a)`,
    );
    await pool().query(
      `INSERT INTO status_filter_rule (name, priority, write_to_database, retention_days, updated_at)
       VALUES ('Write everything', 1000, true, 30, now())`,
    );
    analyst = await signInAs('READ_ONLY_ANALYST');
    admin = await signInAs('FULL_ADMINISTRATOR');
    for (const name of ['WKS0001', 'WKS0002', 'WKS0003']) credentials[name] = await deviceCredential(name);
    credentials.server = await siteSystemCredential('S01', 'SITESERVER01');
  });

  afterEach(() => {
    delete process.env.SITEBOX_STATUS_INBOX_LIMIT;
    delete process.env.SITEBOX_STATUS_MAX_BATCH_BYTES;
    resetConfig();
    resetInboxCapacityCache();
  });

  it('accepts a batch with 202, and a retried batch is never stored twice', async () => {
    const before = await storedCount();
    const messages = [testMessage(), testMessage({ messageId: 10002 })].map(wire);
    const first = await post({ device: 'WKS0001', messages });
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    expect((await post({ device: 'WKS0001', messages })).status).toBe(202);
    await processAll();
    expect((await post({ device: 'WKS0001', messages: [...messages, messages[0]] })).status).toBe(202);
    await processAll();
    expect((await storedCount()) - before).toBe(2);
  });

  it('keeps the valid messages of a mixed batch and answers 400 naming each refused one', async () => {
    const good = testMessage({ insertionStrings: ['<script>alert("x")</script>', 'a&b'] });
    const res = await post({
      device: 'WKS0001',
      messages: [
        wire(good),
        { ...wire(testMessage()), severity: 'CATASTROPHIC' },
        { ...wire(testMessage()), messageId: 'ten' },
        { ...wire(testMessage()), insertionStrings: 'not a list' },
        { ...wire(testMessage()), uid: 'not-a-uuid' },
        'not even an object',
      ],
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe('BAD_REQUEST');
    expect(body.error.details.accepted).toBe(1);
    expect(body.error.details.rejected.map((r: { index: number; field: string }) => [r.index, r.field])).toEqual([
      [1, 'severity'],
      [2, 'messageId'],
      [3, 'insertionStrings'],
      [4, 'uid'],
      [5, '(message)'],
    ]);
    expect(body.error.fields[0]).toEqual({ path: 'messages.1.severity', message: expect.any(String) });
    await processAll();

    // The script tag is stored and served verbatim, as text (JSON), never as markup.
    const list = await listMessages(request(`/api/status-messages?messageId=10907&limit=500`, { headers: analyst.headers }));
    const stored = (await list.json()).items.find((m: { uid: string }) => m.uid === good.uid);
    expect(stored.insertionStrings).toEqual(['<script>alert("x")</script>', 'a&b']);
    expect(stored.description).toBe('The Software Metering Agent received software metering rule <script>alert("x")</script> for a&b.');
    expect(list.headers.get('content-type')).toMatch(/application\/json/);
  });

  it('refuses a batch whose bytes are not UTF-8 naming the body, instead of storing U+FFFD in their place', async () => {
    const before = await storedCount();
    const text = JSON.stringify({ device: 'WKS0001', messages: [wire(testMessage({ insertionStrings: ['caf\u00e9'] }))] });
    const refused = await post(new Uint8Array(Buffer.from(text, 'latin1')));
    expect(refused.status).toBe(400);
    expect((await refused.json()).error).toMatchObject({ message: 'The request body is not valid UTF-8.', fields: [{ path: 'body' }] });
    expect((await post(new Uint8Array(Buffer.from(text, 'utf8')))).status).toBe(202);
    await processAll();
    expect((await storedCount()) - before).toBe(1);
  });

  it('answers malformed JSON, wrong shapes and oversize batches with 400 or 413', async () => {
    const malformed = await post('{"messages": [');
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.message).toMatch(/not valid JSON/);

    const noList = await post({ device: 'WKS0001', messages: 'many' });
    expect(noList.status).toBe(400);
    expect((await noList.json()).error.fields[0].path).toBe('messages');

    const tooMany = await post({ device: 'WKS0001', messages: Array.from({ length: 1001 }, () => wire(testMessage())) });
    expect(tooMany.status).toBe(400);
    expect((await tooMany.json()).error.fields[0]).toMatchObject({ path: 'messages', message: expect.stringMatching(/at most 1000/) });

    process.env.SITEBOX_STATUS_MAX_BATCH_BYTES = '2048';
    resetConfig();
    const big = await post({ device: 'WKS0001', messages: Array.from({ length: 20 }, () => wire(testMessage())) });
    expect(big.status).toBe(413);
  });

  it('takes batches only with a valid credential of an approved device or a site system', async () => {
    const messages = [wire(testMessage())];
    const status = async (authorization: string | undefined, body: unknown = { messages }) => {
      const res = await ingest(request('/api/mp/status-messages', { method: 'POST', body, headers: authorization ? { authorization } : {} }));
      return [res.status, (await res.json()).error?.code ?? 'OK'];
    };
    expect(await status(undefined)).toEqual([401, 'UNAUTHENTICATED']);
    expect(await status('Bearer abc')).toEqual([401, 'UNAUTHENTICATED']);
    const [id] = credentials.WKS0001.slice('Device '.length).split('.');
    expect(await status(`Device ${id}.${'x'.repeat(43)}`)).toEqual([401, 'UNAUTHENTICATED']);
    expect(await status(credentials.server.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))).toEqual([401, 'UNAUTHENTICATED']);
    // Pending and revoked devices hold real credentials but may not report.
    expect(await status(credentials.WKS0002, { messages: [wire(testMessage({ systemName: 'WKS0002' }))] })).toEqual([403, 'FORBIDDEN']);
    expect(await status(credentials.WKS0003, { messages: [wire(testMessage({ systemName: 'WKS0003' }))] })).toEqual([403, 'FORBIDDEN']);
    expect(await status(credentials.WKS0001)).toEqual([202, 'OK']);
    // A site system reports for its site's servers (and, as a child site, replicates others' messages).
    expect(
      await status(credentials.server, {
        messages: [wire(testMessage({ source: 'SERVER', systemName: 'SITESERVER01', component: 'SMS_STATUS_MANAGER' }))],
      }),
    ).toEqual([202, 'OK']);
    await processAll();
  });

  it('lets a device report only in its own name, keeping its genuine messages of the batch', async () => {
    const before = await storedCount();
    const own = testMessage({ systemName: 'wks0001' });
    const res = await post({
      messages: [
        wire(own),
        wire(testMessage({ systemName: 'WKS0002' })),
        wire(testMessage({ source: 'SERVER', systemName: 'WKS0001', component: 'SMS_STATUS_MANAGER' })),
        wire(testMessage({ siteCode: 'S02' })),
      ],
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.details.accepted).toBe(1);
    expect(body.error.details.rejected).toEqual([
      { index: 1, field: 'systemName', reason: "must be the sending device's own name (WKS0001)" },
      { index: 2, field: 'source', reason: 'a client may only send messages with source CLIENT' },
      { index: 3, field: 'siteCode', reason: "must be the sending device's site (S01)" },
    ]);
    // The batch may not claim another device either.
    const claimed = await post({ device: 'WKS0002', messages: [wire(testMessage())] });
    expect(claimed.status).toBe(400);
    expect((await claimed.json()).error.fields).toEqual([{ path: 'device', message: "must be the sending device's own name (WKS0001)" }]);
    await processAll();
    expect((await storedCount()) - before).toBe(1);
    const stored = await pool().query(`SELECT system_name FROM status_message WHERE uid = $1`, [own.uid]);
    expect(stored.rows).toEqual([{ system_name: 'wks0001' }]);
  });

  it("refuses a child site's messages that claim this site's own code, keeping the ones of its own site", async () => {
    await pool().query(`INSERT INTO site (code, name, updated_at) VALUES ('C05', 'Branch', now()) ON CONFLICT DO NOTHING`);
    const child = await siteSystemCredential('C05', 'c05-ss01.example.com');
    const own = testMessage({ source: 'SERVER', siteCode: 'C05', systemName: 'c05-ss01.example.com', component: 'SMS_STATUS_MANAGER' });
    const forged = testMessage({
      messageId: 30001,
      type: 'AUDIT',
      source: 'PROVIDER',
      siteCode: 'S01',
      systemName: 'SITESERVER01',
      component: 'SMS_PROVIDER',
    });
    const res = await post({ messages: [wire(own), wire(forged)] }, child);
    expect(res.status).toBe(400);
    expect((await res.json()).error.details.rejected).toEqual([
      { index: 1, field: 'siteCode', reason: 'a child site may not send messages of this site (S01)' },
    ]);
    await processAll();
    const stored = await pool().query(`SELECT uid FROM status_message WHERE uid = ANY($1::uuid[])`, [[own.uid, forged.uid]]);
    expect(stored.rows).toEqual([{ uid: own.uid }]);
  });

  it('answers 503 with Retry-After while the backlog is over its limit, and takes batches again once drained', async () => {
    process.env.SITEBOX_STATUS_INBOX_LIMIT = '3';
    resetConfig();
    expect((await post({ device: 'WKS0001', messages: Array.from({ length: 4 }, () => wire(testMessage())) })).status).toBe(202);
    const busy = await post({ device: 'WKS0001', messages: [wire(testMessage())] });
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('5');
    expect((await busy.json()).error.code).toBe('UNAVAILABLE');

    const scrape = await (await metrics(request('/api/metrics'))).text();
    expect(scrape).toMatch(/^sitebox_status_inbox_messages [4-9]$/m);
    expect(scrape).toMatch(/^sitebox_status_ingest_requests_total\{outcome="throttled"\} [1-9]/m);

    await processAll();
    resetInboxCapacityCache();
    expect((await post({ device: 'WKS0001', messages: [wire(testMessage())] })).status).toBe(202);
    expect(await readInboxDepth(pool())).toBeGreaterThan(0);
    await processAll();
  });

  it('pages newest first with a cursor, filters, and shows one message with every property', async () => {
    const base = Date.now();
    const messages = Array.from({ length: 7 }, (_, i) =>
      testMessage({
        messageId: 10005,
        systemName: `PAGE${i % 2}`,
        properties: { AdvertisementID: `S012000${i % 3}` },
        sourceTime: new Date(base + i),
      }),
    );
    for (const m of messages) {
      expect((await post({ messages: [wire(m)] }, credentials.server)).status).toBe(202);
      await processAll();
    }
    const page = async (query: string) => (await listMessages(request(`/api/status-messages?${query}`, { headers: analyst.headers }))).json();
    const first = await page('messageId=10005&limit=3');
    expect(first.items.map((m: { uid: string }) => m.uid)).toEqual([messages[6].uid, messages[5].uid, messages[4].uid]);
    const second = await page(`messageId=10005&limit=3&cursor=${first.nextCursor}`);
    const third = await page(`messageId=10005&limit=3&cursor=${second.nextCursor}`);
    expect([...second.items, ...third.items].map((m: { uid: string }) => m.uid)).toEqual(
      messages
        .slice(0, 4)
        .reverse()
        .map((m) => m.uid),
    );
    expect(third.nextCursor).toBeNull();

    expect((await page('messageId=10005&system=PAGE1')).items).toHaveLength(3);
    expect((await page('messageId=10005&propertyName=AdvertisementID&propertyValue=S0120002')).items).toHaveLength(2);
    expect((await page('messageId=10005&severity=ERROR,WARNING')).items).toHaveLength(0);
    expect((await page(`messageId=10005&from=${new Date(Date.now() + 60_000).toISOString()}`)).items).toHaveLength(0);
    // A named range is measured back from each read.
    expect((await page('messageId=10005&range=1h')).items).toHaveLength(7);
    await pool().query(`UPDATE status_message SET received_at = received_at - interval '2 hours' WHERE uid = $1`, [messages[0].uid]);
    expect((await page('messageId=10005&range=1h')).items.map((m: { uid: string }) => m.uid)).not.toContain(messages[0].uid);
    expect((await page('messageId=10005&range=24h')).items).toHaveLength(7);

    const one = await getMessage(request(`/api/status-messages/${first.items[0].id}`, { headers: analyst.headers }), {
      params: Promise.resolve({ id: first.items[0].id }),
    });
    expect(await one.json()).toMatchObject({ uid: messages[6].uid, properties: { AdvertisementID: 'S0120000' }, processId: null });
    const missing = await getMessage(request('/api/status-messages/999999999', { headers: analyst.headers }), {
      params: Promise.resolve({ id: '999999999' }),
    });
    expect(missing.status).toBe(404);
  });

  it('names the field of a bad filter, and needs a session', async () => {
    const bad = await listMessages(request('/api/status-messages?severity=LOUD', { headers: analyst.headers }));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.fields[0].path).toBe('severity.0');
    const badCursor = await listMessages(request('/api/status-messages?cursor=garbage', { headers: analyst.headers }));
    expect((await badCursor.json()).error.fields[0].path).toBe('cursor');
    const badRange = await listMessages(request('/api/status-messages?range=1y', { headers: analyst.headers }));
    expect((await badRange.json()).error.fields[0]).toEqual({ path: 'range', message: 'must be 1h, 24h, 7d or 30d' });
    // A parameter the list does not know would filter on nothing, listing (and exporting) every message.
    for (const [search, path] of [
      ['Severity=ERROR', 'Severity'],
      ['severity[]=ERROR', 'severity[]'],
      ['prompt.color=red', 'prompt.color'],
    ]) {
      for (const get of [listMessages, exportCsv]) {
        const res = await get(request(`/api/status-messages${get === exportCsv ? '/export.csv' : ''}?${search}`, { headers: analyst.headers }));
        expect(res.status, search).toBe(400);
        expect((await res.json()).error.fields, search).toEqual([{ path, message: 'is not a filter of this list' }]);
      }
    }
    const badId = await listMessages(request('/api/status-messages?messageId=0x1F', { headers: analyst.headers }));
    expect((await badId.json()).error.fields[0].path).toBe('messageId');
    // A message ID left empty filters on nothing, as an empty component or system does, not on message 0.
    const all = (await (await listMessages(request('/api/status-messages?limit=500', { headers: analyst.headers }))).json()).items.length;
    expect(all).toBeGreaterThan(0);
    for (const blank of ['', '%20']) {
      const listed = await listMessages(request(`/api/status-messages?limit=500&messageId=${blank}&component=`, { headers: analyst.headers }));
      expect((await listed.json()).items).toHaveLength(all);
    }
    expect((await listMessages(request('/api/status-messages'))).status).toBe(401);
  });

  it('reads a repeated severity as a list, and refuses another filter given twice naming it, instead of using its last value', async () => {
    const [error, warning] = [testMessage({ severity: 'ERROR', component: 'REPEATED' }), testMessage({ severity: 'WARNING', component: 'REPEATED' })];
    for (const m of [error, warning]) {
      expect((await post({ messages: [wire(m)] }, credentials.server)).status).toBe(202);
      await processAll();
    }
    const run = (search: string) => listMessages(request(`/api/status-messages?component=REPEATED&${search}`, { headers: analyst.headers }));
    const uids = async (search: string) => (await (await run(search)).json()).items.map((m: { uid: string }) => m.uid);
    expect(await uids('severity=ERROR&severity=WARNING')).toEqual([warning.uid, error.uid]);
    expect(await uids('severity=ERROR,INFORMATIONAL&severity=WARNING')).toEqual([warning.uid, error.uid]);
    for (const [search, path] of [
      ['type=DETAIL&type=AUDIT', 'type'],
      ['messageId=10907&messageId=1', 'messageId'],
      ['system=WKS0001&system=WKS0002', 'system'],
      ['limit=5&limit=500', 'limit'],
      ['query=builtin:system&prompt.system=WKS0001&prompt.system=WKS0002', 'prompt.system'],
    ]) {
      const res = await run(search);
      expect(res.status, search).toBe(400);
      expect((await res.json()).error.fields, search).toEqual([{ path, message: 'is given more than once' }]);
    }
    const csv = await exportCsv(request('/api/status-messages/export.csv?type=DETAIL&type=AUDIT', { headers: analyst.headers }));
    expect(csv.status).toBe(400);
  });

  it('runs built-in queries with their prompts and saves new ones for administrators only', async () => {
    const queries = (await (await listQueries(request('/api/status-message-queries', { headers: analyst.headers }))).json()).queries;
    expect(queries.find((q: { id: string }) => q.id === 'builtin:deployment').prompts).toEqual([{ field: 'propertyValue', label: 'Deployment ID' }]);

    const run = await listMessages(
      request('/api/status-messages?query=builtin:deployment&prompt.propertyValue=S0120001', { headers: analyst.headers }),
    );
    expect((await run.json()).items.map((m: { properties: Record<string, string> }) => m.properties.AdvertisementID)).toEqual([
      'S0120001',
      'S0120001',
    ]);
    const unanswered = await listMessages(request('/api/status-messages?query=builtin:deployment', { headers: analyst.headers }));
    expect(unanswered.status).toBe(400);
    expect((await unanswered.json()).error.fields[0].path).toBe('prompt.propertyValue');

    const input = { name: 'Metering from a system', criteria: { messageId: '10907', system: { prompt: 'System' } } };
    const refused = await saveQuery(request('/api/status-message-queries', { method: 'POST', headers: analyst.headers, body: input }));
    expect(refused.status).toBe(403);
    const saved = await saveQuery(request('/api/status-message-queries', { method: 'POST', headers: admin.headers, body: input }));
    expect(saved.status).toBe(201);
    const view = await saved.json();
    expect(view).toMatchObject({ builtIn: false, prompts: [{ field: 'system', label: 'System' }] });
    const badCriteria = await saveQuery(
      request('/api/status-message-queries', {
        method: 'POST',
        headers: admin.headers,
        body: { name: 'Bad', criteria: { messageId: 'many', color: 'red' } },
      }),
    );
    expect(badCriteria.status).toBe(400);
    expect((await badCriteria.json()).error.fields[0].path).toBe('criteria.color');
  });

  it('refuses a saved query whose fixed criteria contradict each other, which no run could ever answer', async () => {
    const save = (criteria: Record<string, unknown>) =>
      saveQuery(
        request('/api/status-message-queries', { method: 'POST', headers: admin.headers, body: { name: `Q ${JSON.stringify(criteria)}`, criteria } }),
      );
    const backwards = await save({ from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' });
    expect(backwards.status).toBe(400);
    expect((await backwards.json()).error.fields).toEqual([{ path: 'criteria.to', message: 'must be after from' }]);
    const valueAlone = await save({ propertyValue: 'S0120001' });
    expect(valueAlone.status).toBe(400);
    expect((await valueAlone.json()).error.fields).toEqual([{ path: 'criteria.propertyName', message: 'is required with propertyValue' }]);
    // What a prompt answers is checked when the query runs.
    expect((await save({ propertyName: { prompt: 'Property' }, propertyValue: 'S0120001' })).status).toBe(201);
    expect((await save({ from: '2026-02-01T00:00:00Z', to: { prompt: 'Until' } })).status).toBe(201);
  });

  it('narrows a query by the filters given beside it, and names a filter that contradicts the query', async () => {
    const start = new Date(Date.now() - 60_000).toISOString();
    const [auditInfo, milestoneError, auditError] = [
      testMessage({ type: 'AUDIT', component: 'NARROW' }),
      testMessage({ type: 'MILESTONE', severity: 'ERROR', component: 'NARROW' }),
      testMessage({ type: 'AUDIT', severity: 'ERROR', component: 'NARROW', properties: { UserName: 'alice' } }),
    ];
    for (const m of [auditInfo, milestoneError, auditError]) {
      expect((await post({ messages: [wire(m)] }, credentials.server)).status).toBe(202);
      await processAll();
    }
    const run = (search: string) => listMessages(request(`/api/status-messages?component=NARROW&${search}`, { headers: analyst.headers }));
    const uids = async (search: string) => (await (await run(search)).json()).items.map((m: { uid: string }) => m.uid);
    const refused = async (search: string) => {
      const res = await run(search);
      expect(res.status).toBe(400);
      return (await res.json()).error.fields;
    };
    const auditSince = `query=builtin:audit-since&prompt.from=${start}`;

    expect(await uids(`${auditSince}&type=AUDIT`)).toEqual([auditError.uid, auditInfo.uid]);
    expect(await uids(`${auditSince}&severity=ERROR`)).toEqual([auditError.uid]);
    expect(await refused(`${auditSince}&type=MILESTONE`)).toEqual([{ path: 'type', message: "contradicts the query's type AUDIT" }]);
    const csv = await exportCsv(request(`/api/status-messages/export.csv?${auditSince}&type=MILESTONE`, { headers: analyst.headers }));
    expect(csv.status).toBe(400);
    // A severity list keeps only the query's severities; none of them is a contradiction.
    const errorsSince = `query=builtin:errors-since&prompt.from=${start}`;
    expect(await uids(`${errorsSince}&severity=INFORMATIONAL,ERROR`)).toEqual([auditError.uid, milestoneError.uid]);
    expect((await refused(`${errorsSince}&severity=WARNING`))[0].path).toBe('severity');
    expect((await refused('query=builtin:component-at-site&prompt.component=NARROW&prompt.site=S01&site=P01'))[0].path).toBe('site');
    // A time filter never reaches before the query's own start, and one ending before it names itself.
    await pool().query(`UPDATE status_message SET received_at = $2::timestamptz - interval '1 hour' WHERE uid = $1`, [auditInfo.uid, start]);
    expect(await uids(`${auditSince}&from=2000-01-01T00:00:00Z`)).toEqual([auditError.uid]);
    expect(await refused(`${auditSince}&to=2000-01-01T00:00:00Z`)).toEqual([{ path: 'to', message: `must be after the query's from ${start}` }]);
    const auditUser = 'query=builtin:audit-user&prompt.propertyValue=alice';
    expect(await uids(`${auditUser}&propertyValue=alice`)).toEqual([auditError.uid]);
    expect((await refused(`${auditUser}&propertyValue=bob`))[0].path).toBe('propertyValue');
    expect((await refused(`${auditUser}&propertyName=PackageID&propertyValue=S0100001`))[0].path).toBe('propertyName');
  });

  it('answers a saved query deleted twice at once, or changed while it is deleted, with 404, not 500', async () => {
    const input = { name: 'Deleted twice at once', criteria: { messageId: '10907' } };
    const { id } = await (await saveQuery(request('/api/status-message-queries', { method: 'POST', headers: admin.headers, body: input }))).json();
    const path = `/api/status-message-queries/${id}`;
    const answers = await Promise.all([
      deleteQuery(request(path, { method: 'DELETE', headers: admin.headers }), withParams({ id: String(id) })),
      deleteQuery(request(path, { method: 'DELETE', headers: admin.headers }), withParams({ id: String(id) })),
      deleteQuery(request(path, { method: 'DELETE', headers: admin.headers }), withParams({ id: String(id) })),
      putQuery(request(path, { method: 'PUT', headers: admin.headers, body: { ...input, description: 'x' } }), withParams({ id: String(id) })),
    ]);
    expect(
      answers
        .slice(0, 3)
        .map((a) => a.status)
        .sort(),
    ).toEqual([200, 404, 404]);
    expect([200, 404]).toContain(answers[3].status);
  });

  it('answers a change to a query no id names (beyond the column, 1e3, -1) with 404, and only a built-in one with 403', async () => {
    const input = { name: 'Nowhere', criteria: {} };
    for (const id of ['99999999999', '1e3', '-1', 'builtin:nope']) {
      const path = `/api/status-message-queries/${encodeURIComponent(id)}`;
      expect((await putQuery(request(path, { method: 'PUT', headers: admin.headers, body: input }), withParams({ id }))).status, id).toBe(404);
      expect((await deleteQuery(request(path, { method: 'DELETE', headers: admin.headers }), withParams({ id }))).status, id).toBe(404);
    }
    const builtIn = await deleteQuery(
      request('/api/status-message-queries/builtin:all', { method: 'DELETE', headers: admin.headers }),
      withParams({ id: 'builtin:all' }),
    );
    expect(builtIn.status).toBe(403);
  });

  it('refuses a query name that reads the same as another’s, also when both are sent at once', async () => {
    const post = (name: string) =>
      saveQuery(request('/api/status-message-queries', { method: 'POST', headers: admin.headers, body: { name, criteria: { messageId: '10907' } } }));
    expect((await post('Errors today')).status).toBe(201);
    for (const name of ['errors today', 'ERRORS TODAY', 'Ｅｒｒｏｒｓ today', 'Errors\u00ad today']) {
      const lookAlike = await post(name);
      expect(lookAlike.status).toBe(409);
      expect((await lookAlike.json()).error).toMatchObject({
        message: 'A query with this name already exists ("Errors today").',
        fields: [{ path: 'name', message: 'is already taken' }],
      });
    }
    const other = await (await post('Errors yesterday')).json();
    const put = (name: string) =>
      putQuery(
        request(`/api/status-message-queries/${other.id}`, {
          method: 'PUT',
          headers: admin.headers,
          body: { name, criteria: { messageId: '10907' } },
        }),
        withParams({ id: other.id }),
      );
    expect((await put('ERRORS TODAY')).status).toBe(409);
    expect((await put('ERRORS YESTERDAY')).status).toBe(200);
    const atOnce = await Promise.all(['Query at once', 'QUERY AT ONCE', 'query at once'].map(post));
    expect(atOnce.map((a) => a.status).sort()).toEqual([201, 409, 409]);
  });

  it('refuses a change to a saved query made from a version someone else changed since, and keeps theirs', async () => {
    const other = await signInAs('FULL_ADMINISTRATOR');
    const input = { name: 'Two editors', criteria: { messageId: '10907' } };
    const opened = await (await saveQuery(request('/api/status-message-queries', { method: 'POST', headers: admin.headers, body: input }))).json();
    const put = (session: TestSession, body: unknown) =>
      putQuery(request(`/api/status-message-queries/${opened.id}`, { method: 'PUT', headers: session.headers, body }), withParams({ id: opened.id }));
    expect((await put(other, { ...input, description: 'theirs', baseUpdatedAt: opened.updatedAt })).status).toBe(200);
    const stale = await put(admin, { ...input, description: 'mine', baseUpdatedAt: opened.updatedAt });
    expect(stale.status).toBe(409);
    expect((await stale.json()).error.message).toBe(`${other.userName} changed the query after you opened it; start again from their version.`);
    const current = (
      (await (await listQueries(request('/api/status-message-queries', { headers: analyst.headers }))).json()).queries as {
        id: string;
        description: string;
        updatedAt: string;
      }[]
    ).find((q) => q.id === opened.id)!;
    expect(current.description).toBe('theirs');
    // Made from the current version, the change goes through; one naming no version still does too.
    expect((await put(admin, { ...input, description: 'mine', baseUpdatedAt: current.updatedAt })).status).toBe(200);
    expect((await put(other, { ...input, description: 'last' })).status).toBe(200);
    expect((await put(admin, { ...input, baseUpdatedAt: '2026-13-45' })).status).toBe(400);
  });

  it('exports the filtered messages as CSV, streamed, with formula-like cells neutralised', async () => {
    await post({
      device: 'WKS0001',
      messages: [wire(testMessage({ messageId: 10008, component: '=2+5', insertionStrings: ['=HYPERLINK("http://evil")', 'x,"y"'] }))],
    });
    await processAll();
    const res = await exportCsv(request('/api/status-messages/export.csv?messageId=10008', { headers: analyst.headers }));
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    const bytes = Buffer.from(await res.arrayBuffer());
    // A byte-order mark, so spreadsheets read the file as UTF-8.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trim().split('\r\n');
    expect(lines[0]).toMatch(/^Received,Source time,Severity/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`,WKS0001,'=2+5,10008,`);
    expect(lines[1]).toContain(`"The program ""%3"" of package x,""y"" for deployment =HYPERLINK(""http://evil"") completed`);
    // A filter nothing matches ends after the header, also for a reader that reads to the end at once.
    const none = await exportCsv(request('/api/status-messages/export.csv?messageId=4242', { headers: analyst.headers }));
    expect(
      Buffer.from(await none.arrayBuffer())
        .subarray(3)
        .toString('utf8'),
    ).toBe(`${lines[0]}\r\n`);
  });

  it('shows the backlog and site-wide counters to the console', async () => {
    const res = await statusManagerState(request('/api/status-manager', { headers: analyst.headers }));
    const state = await res.json();
    expect(state.inbox).toEqual({ messages: 0, limit: 200_000, overLimit: false });
    expect(state.totals.accepted).toBeGreaterThan(20);
    expect(state.totals.processed).toBe(state.totals.accepted);
    expect((await statusManagerState(request('/api/status-manager'))).status).toBe(401);
  });
});

import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as ingest } from '@/app/api/mp/status-messages/route';
import { resetConfig } from '@/lib/config';
import { pool } from '@/lib/db/pool';
import { ingestCounters, readStatusCounters } from '@/lib/status/counters';
import { resetInboxCapacityCache } from '@/lib/ingest/2-check-inbox-capacity';
import { processStatusBatch } from '@/lib/status/process-status-batch';
import { createStatusReporter, StatusReporter } from '@/lib/agent/status-reporter';
import { noSummarizers } from '@/lib/summarizers/summarizer-handoff';
import { useTestDatabase } from '../../support/database';
import { seedReportingClient, testMessage, testRule } from '../status/fixtures';
import { RouteServer } from '../status/serve-route';
import { NextRequest } from 'next/server';

const log = pino({ level: 'silent' });
const rules = [testRule({ writeToDatabase: true, retentionDays: 1 })];
const effects = { summarizers: noSummarizers, eventLog() {}, programs: { run() {} }, replicationEnabled: false };
const processAll = async () => {
  while ((await processStatusBatch({ db: pool(), rules, effects, maxBatches: 50, log })).messages) {
    /* drain */
  }
};
const storedUids = async () => new Set((await pool().query(`SELECT uid FROM status_message`)).rows.map((r) => r.uid as string));

async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms))]);
}

describe('status reporter', () => {
  const mp = new RouteServer({ '/api/mp/status-messages': ingest });
  const reporters: StatusReporter[] = [];
  let authorization = '';
  /** What a reporter logs, as it happens: the test waits on these rather than on time. */
  function reporterLog(onLine: (msg: string, fields: Record<string, unknown>) => void) {
    const line = (fields: object, msg?: string) => onLine(msg ?? '', fields as Record<string, unknown>);
    return { debug: line, info: line, warn: line, error: line };
  }
  const newReporter = async (spoolDir: string, onLine?: (msg: string, fields: Record<string, unknown>) => void) => {
    const reporter = createStatusReporter({
      managementPointUrl: mp.url,
      spoolDir,
      log: onLine ? reporterLog(onLine) : undefined,
      headers: () => ({ authorization }),
      initialBackoffMs: 50,
      maxBackoffMs: 200,
      maxBatchMessages: 100,
    });
    reporters.push(reporter);
    return reporter;
  };

  /** A started reporter with nothing to send and the default linger, and the message count of each request it makes. */
  const idleCountingReporter = async () => {
    const requests: number[] = [];
    const reporter = createStatusReporter({
      managementPointUrl: mp.url,
      spoolDir: await mkdtemp(path.join(os.tmpdir(), 'sitebox-spool-')),
      headers: () => ({ authorization }),
      fetch: async (url, init) => {
        requests.push((JSON.parse(String(init?.body)) as { messages: unknown[] }).messages.length);
        return fetch(url, init);
      },
    });
    reporters.push(reporter);
    reporter.start();
    await reporter.flush();
    return { reporter, requests };
  };

  beforeAll(async () => {
    await useTestDatabase();
    authorization = await seedReportingClient();
    await mp.start();
  });
  afterEach(async () => {
    await Promise.all(reporters.splice(0).map((r) => r.stop()));
    delete process.env.SITEBOX_STATUS_INBOX_LIMIT;
    delete process.env.SITEBOX_STATUS_RETRY_AFTER_SECONDS;
    resetConfig();
    resetInboxCapacityCache();
  });
  afterAll(() => mp.stop());

  it('spools while the management point is down, survives a restart of both, and delivers each message once', async () => {
    const spoolDir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-spool-'));
    await mp.stop();
    const messages = Array.from({ length: 250 }, () => testMessage());
    let refused!: () => void;
    const triedAndFailed = new Promise<void>((resolve) => (refused = resolve));
    const first = await newReporter(spoolDir, (msg) => msg.startsWith('management point unreachable') && refused());
    await first.report(messages);
    first.start();
    await triedAndFailed;
    expect(await first.pending()).toBe(250);
    await first.stop();
    // A write the crash interrupted is not owed to anyone and is cleared at start.
    await writeFile(path.join(spoolDir, 'half-written.batch.json.tmp'), '{"messages": [');

    await mp.start();
    const second = await newReporter(spoolDir);
    await within(second.flush(), 10_000);
    expect(await second.pending()).toBe(0);
    expect((await readdir(spoolDir)).filter((f) => f !== 'rejected')).toEqual([]);
    await processAll();
    const stored = await storedUids();
    expect(messages.every((m) => stored.has(m.uid))).toBe(true);
    expect((await readStatusCounters(pool())).duplicates).toBe(0);
  });

  it('sends at once when told the management point is back, instead of waiting out a long backoff', async () => {
    // Through an outage the backoff grows to minutes; the agent's channel reconnecting says the site is back.
    const spoolDir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-spool-'));
    await mp.stop();
    let refused!: () => void;
    const triedAndFailed = new Promise<void>((resolve) => (refused = resolve));
    const reporter = createStatusReporter({
      managementPointUrl: mp.url,
      spoolDir,
      log: reporterLog((msg) => msg.startsWith('management point unreachable') && refused()),
      headers: () => ({ authorization }),
      initialBackoffMs: 120_000,
      maxBackoffMs: 120_000,
    });
    reporters.push(reporter);
    const messages = Array.from({ length: 3 }, () => testMessage());
    await reporter.report(messages);
    reporter.start();
    await triedAndFailed;
    await mp.start();
    reporter.retryNow();
    await within(reporter.flush(), 5_000);
    await processAll();
    const stored = await storedUids();
    expect(messages.every((m) => stored.has(m.uid))).toBe(true);
  });

  it('sends spool files as they were written, text in any script byte for byte, and a file in another layout too', async () => {
    const spoolDir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-spool-'));
    const texts = ['Ünïcödé ✓ 日本語 🎉', 'line\nbreak "quoted" \\ back', 'plain'];
    const reported = texts.map((text) => testMessage({ insertionStrings: [text, 'winword.exe'] }));
    // Written by hand as an older reporter might have: spaces around the array, still one message.
    const laidOut = testMessage({ insertionStrings: ['Ωmega', 'excel.exe'] });
    await writeFile(path.join(spoolDir, `000000000000000-000000-manual-n1.batch.json`), `{ "messages": [ ${JSON.stringify(laidOut)} ] }\n`);
    const reporter = await newReporter(spoolDir);
    for (const message of reported) await reporter.report(message);
    await reporter.flush();
    await processAll();
    const { rows } = await pool().query<{ uid: string; insertion_strings: string[] }>(
      `SELECT uid, insertion_strings FROM status_message WHERE uid = ANY($1::uuid[])`,
      [[...reported, laidOut].map((m) => m.uid)],
    );
    const stored = new Map(rows.map((r) => [r.uid, r.insertion_strings[0]]));
    expect(stored).toEqual(new Map([...reported, laidOut].map((m) => [m.uid, m.insertionStrings[0]])));
    expect((await readdir(spoolDir)).filter((n) => n.endsWith('.batch.json'))).toEqual([]);
  });

  it('sends a file from the memory it was written from: its bytes on disk behind the head, the head rewritten for a retry', async () => {
    const spoolDir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-spool-'));
    const bodies: Buffer[] = [];
    const reporter = createStatusReporter({
      managementPointUrl: mp.url,
      spoolDir,
      device: 'WKS0001',
      headers: () => ({ authorization }),
      initialBackoffMs: 50,
      maxBackoffMs: 200,
      fetch: async (url, init) => {
        bodies.push(Buffer.from(init!.body as Buffer));
        // The first attempt is turned away, so the same file goes again as a retry.
        if (bodies.length === 1) return new Response(null, { status: 503 });
        return fetch(url, init);
      },
    });
    reporters.push(reporter);
    const messages = ['Ünïcödé ✓ 日本語 🎉', 'plain'].map((text) => testMessage({ insertionStrings: [text, 'winword.exe'] }));
    await reporter.report(messages);
    const [name] = (await readdir(spoolDir)).filter((n) => n.endsWith('.batch.json'));
    const onDisk = await readFile(path.join(spoolDir, name));
    await within(reporter.flush(), 10_000);

    const messagesOnDisk = onDisk.subarray('{"messages":['.length);
    const head = (firstSending: boolean) => Buffer.from(`{"device":"WKS0001","firstSending":${firstSending},"messages":[`);
    expect(bodies.map((b) => b.toString())).toEqual([
      Buffer.concat([head(true), messagesOnDisk]).toString(),
      Buffer.concat([head(false), messagesOnDisk]).toString(),
    ]);
    expect(JSON.parse(bodies[1].toString())).toEqual({ device: 'WKS0001', firstSending: false, messages: JSON.parse(onDisk.toString()).messages });
    await processAll();
    const stored = await storedUids();
    expect(messages.every((m) => stored.has(m.uid))).toBe(true);
  });

  it('holds at most 4 MiB of spool files in memory: one within it is sent as written, one beyond it is read from disk', async () => {
    const spoolDir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-spool-'));
    const reporter = createStatusReporter({ managementPointUrl: mp.url, spoolDir, headers: () => ({ authorization }) });
    reporters.push(reporter);
    // Four files of 1,000 messages, about 1.3 MB each: the fourth is past the 4 MiB held in memory.
    const files = Array.from({ length: 4 }, () =>
      Array.from({ length: 1000 }, () => testMessage({ insertionStrings: ['S0100001', 'x'.repeat(1200)] })),
    );
    for (const messages of files) await reporter.report(messages);
    // The same change made on disk to the first file and to the last: only the one read from disk carries it.
    const names = (await readdir(spoolDir)).filter((n) => n.endsWith('.batch.json')).sort();
    expect(names).toHaveLength(4);
    for (const name of [names[0], names[3]]) {
      const file = path.join(spoolDir, name);
      await writeFile(file, (await readFile(file, 'utf8')).replace('"S0100001"', '"changed on disk"'));
    }
    await within(reporter.flush(), 30_000);
    await processAll();
    const { rows } = await pool().query<{ uid: string; first: string }>(
      `SELECT uid, insertion_strings[1] AS first FROM status_message WHERE uid = ANY($1::uuid[]) AND insertion_strings[1] <> 'S0100001'`,
      [files.flat().map((m) => m.uid)],
    );
    expect(rows).toEqual([{ uid: files[3][0].uid, first: 'changed on disk' }]);
    const stored = await storedUids();
    expect(files.flat().every((m) => stored.has(m.uid))).toBe(true);
  });

  it('sends reports made together in one request, and an idle sender wakes for a later one', async () => {
    const { reporter, requests } = await idleCountingReporter();
    // What an action reports as it acts, then its result a moment later: one request.
    await reporter.report(testMessage());
    await new Promise((resolve) => setTimeout(resolve, 10));
    await reporter.report([testMessage(), testMessage()]);
    await within(reporter.flush(), 5_000);
    expect(requests).toEqual([3]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await reporter.report(testMessage());
    await within(reporter.flush(), 5_000);
    expect(requests).toEqual([3, 1]);
  });

  it('refuses a report holding a message the site would refuse, spooling none of it, and takes the next', async () => {
    const spoolDir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-spool-'));
    const reporter = await newReporter(spoolDir);
    const good = testMessage();
    await expect(reporter.report([good, { ...testMessage(), severity: 'CATASTROPHIC' as never }])).rejects.toThrow(/severity/);
    expect((await readdir(spoolDir)).filter((name) => name.endsWith('.batch.json'))).toEqual([]);
    await reporter.report(good);
    expect((await readdir(spoolDir)).filter((name) => name.endsWith('.batch.json'))).toHaveLength(1);
  });

  it('sends as many messages in one request as the endpoint takes (1,000), and more in the next', async () => {
    const { reporter, requests } = await idleCountingReporter();
    // 500 software metering acknowledgements and the action's own message: one request, not two.
    await reporter.report(Array.from({ length: 500 }, () => testMessage()));
    await reporter.report(testMessage());
    await within(reporter.flush(), 5_000);
    expect(requests).toEqual([501]);
    await reporter.report(Array.from({ length: 1001 }, () => testMessage()));
    await within(reporter.flush(), 5_000);
    expect(requests).toEqual([501, 1000, 1]);
  });

  it('waits past the linger for a report still being written, so the two still leave together', async () => {
    const { reporter, requests } = await idleCountingReporter();
    // The linger's clock is a fake one, moved past its end while the second report is still
    // being written, as on a client whose disk is slow.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let second: Promise<void>;
    try {
      await reporter.report(testMessage());
      second = reporter.report([testMessage(), testMessage()]);
      vi.advanceTimersByTime(60);
    } finally {
      vi.useRealTimers();
    }
    await second;
    await within(reporter.flush(), 5_000);
    expect(requests).toEqual([3]);
  });

  it('honours 503 and Retry-After while the backlog is over its limit, then gets everything in', async () => {
    process.env.SITEBOX_STATUS_INBOX_LIMIT = '150';
    process.env.SITEBOX_STATUS_RETRY_AFTER_SECONDS = '1';
    resetConfig();
    const spoolDir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-spool-'));
    // Each 503: Status Manager catches up, and the reporter comes back after Retry-After (plus jitter).
    const waits: number[] = [];
    let drained = Promise.resolve();
    let pendingAtFirstRefusal: Promise<number> | null = null;
    const reporter = await newReporter(spoolDir, (msg, fields) => {
      if (!msg.startsWith('management point busy')) return;
      waits.push(fields.retryInMs as number);
      pendingAtFirstRefusal ??= reporter.pending();
      drained = drained.then(processAll);
    });
    const messages = Array.from({ length: 400 }, () => testMessage());
    await reporter.report(messages);
    // The first two batches of 100 fill the inbox past 150; the rest is refused with 503.
    await within(reporter.flush(), 15_000);
    await drained;
    // Assigned inside the reporter's callback, so TypeScript narrows the variable to its initial null here.
    const pendingAtRefusal = pendingAtFirstRefusal as Promise<number> | null;
    expect(await pendingAtRefusal).toBeGreaterThan(0);
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.every((ms) => ms >= 1000 && ms <= 1500)).toBe(true);
    await processAll();
    const stored = await storedUids();
    expect(messages.filter((m) => stored.has(m.uid))).toHaveLength(400);
  });

  it('stops at once when stopped while it reads its spool, and a report made then is sent on the next start', async () => {
    const spoolDir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-spool-'));
    const reporter = await newReporter(spoolDir);
    // start() begins reading the spool; stopping before that read ends once left the sender
    // asleep for good, and stop() (an agent's stop with it) never returned.
    reporter.start();
    await within(reporter.stop(), 2_000);
    for (let i = 0; i < 20; i++) {
      reporter.start();
      const message = testMessage();
      const reported = reporter.report(message);
      await within(reporter.stop(), 2_000);
      await reported;
    }
    expect(await reporter.pending()).toBe(20);
    await within(reporter.flush(), 10_000);
    expect(await reporter.pending()).toBe(0);
  });

  describe('with two management points', () => {
    /** The uids each management point was sent, in the order it was sent them. */
    let sentToFirst: string[] = [];
    let sentToSecond: string[] = [];
    /** Reads the batch's uids, then hands the request on (its body read once, so rebuilt). */
    const recorded = (into: () => string[], handler: (req: NextRequest) => Promise<Response>) => async (req: NextRequest) => {
      const body = await req.text();
      into().push(...(JSON.parse(body) as { messages: { uid: string }[] }).messages.map((m) => m.uid));
      return handler(new NextRequest(req.url, { method: 'POST', headers: req.headers, body }));
    };
    const second = new RouteServer({ '/api/mp/status-messages': recorded(() => sentToSecond, ingest) });
    const firstBehaviours = {
      // Stored, but the answer is lost (a proxy's 502): the batch is owed again, to the next one.
      'stores the batch but answers 502': recorded(
        () => sentToFirst,
        async (req) => (await ingest(req), new Response('bad gateway', { status: 502 })),
      ),
      'answers 503 with Retry-After': recorded(
        () => sentToFirst,
        async () => new Response('{}', { status: 503, headers: { 'retry-after': '1' } }),
      ),
    };
    beforeAll(() => second.start());
    afterAll(() => second.stop());
    afterEach(() => {
      sentToFirst = [];
      sentToSecond = [];
    });

    const duplicateUids = async () =>
      (await pool().query(`SELECT uid FROM status_message GROUP BY uid HAVING count(*) > 1`)).rows.map((r) => r.uid as string);

    const failOver = async (first: RouteServer) => {
      const spoolDir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-spool-'));
      const reporter = createStatusReporter({
        managementPointUrls: [first.url, second.url],
        attemptsPerManagementPoint: 2,
        spoolDir,
        headers: () => ({ authorization }),
        initialBackoffMs: 50,
        maxBackoffMs: 200,
        maxBatchMessages: 100,
      });
      reporters.push(reporter);
      const messages = Array.from({ length: 250 }, () => testMessage());
      await reporter.report(messages);
      await within(reporter.flush(), 15_000);
      expect(await reporter.pending()).toBe(0);
      expect(reporter.managementPoint()).toBe(second.url);
      return messages.map((m) => m.uid);
    };

    it('sends to the next when the first is unreachable, in order, each message once', async () => {
      const down = new RouteServer({});
      await down.start();
      await down.stop();
      const uids = await failOver(down);
      // Three batches of 100, 100 and 50, in the order they were reported.
      expect(sentToSecond).toEqual(uids);
      await processAll();
      const stored = await storedUids();
      expect(uids.filter((uid) => stored.has(uid))).toHaveLength(250);
      expect(await duplicateUids()).toEqual([]);
    });

    it.each(Object.keys(firstBehaviours) as (keyof typeof firstBehaviours)[])(
      'moves on when the first %s, stays with the second, and stores each message once',
      async (behaviour) => {
        const first = new RouteServer({ '/api/mp/status-messages': firstBehaviours[behaviour] });
        await first.start();
        try {
          const duplicatesBefore = (await readStatusCounters(pool())).duplicates;
          const uids = await failOver(first);
          // Two attempts with the oldest batch at the first, then everything at the second, in order.
          expect(sentToFirst).toEqual([...uids.slice(0, 100), ...uids.slice(0, 100)]);
          expect(sentToSecond).toEqual(uids);
          await processAll();
          const stored = await storedUids();
          expect(uids.filter((uid) => stored.has(uid))).toHaveLength(250);
          expect(await duplicateUids()).toEqual([]);
          // The first batch reached the site three times when the first management point stored it; kept once.
          const duplicates = (await readStatusCounters(pool())).duplicates - duplicatesBefore;
          expect(duplicates).toBe(behaviour === 'stores the batch but answers 502' ? 200 : 0);
        } finally {
          await first.stop();
        }
      },
    );
  });

  it('sends a report that may have been made before (mayRepeat) as not new, so the site stores its message once', async () => {
    const spoolDir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-spool-'));
    const message = testMessage();
    const before = createStatusReporter({ managementPointUrl: mp.url, spoolDir, headers: () => ({ authorization }) });
    reporters.push(before);
    await before.report(message);
    await within(before.flush(), 10_000);
    await processAll();
    // An agent killed before it noted the report makes it again on its next start, under the same uid.
    const after = createStatusReporter({ managementPointUrl: mp.url, spoolDir, headers: () => ({ authorization }) });
    reporters.push(after);
    await after.report(message, { mayRepeat: true });
    await within(after.flush(), 10_000);
    await processAll();
    const { rows } = await pool().query<{ n: number }>(`SELECT count(*)::int AS n FROM status_message WHERE uid = $1::uuid`, [message.uid]);
    expect(rows[0].n).toBe(1);
  });

  it('says a request is a first sending only when none of its files was sent before, by this run or an earlier one', async () => {
    const spoolDir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-spool-'));
    const sent: { firstSending: unknown; uids: string[] }[] = [];
    let loseNextAnswer = false;
    const recordingFetch =
      (lost?: () => void): typeof fetch =>
      async (url, init) => {
        const body = JSON.parse(String(init?.body)) as { firstSending?: unknown; messages: { uid: string }[] };
        sent.push({ firstSending: body.firstSending, uids: body.messages.map((m) => m.uid) });
        const response = await fetch(url, init);
        // Taken by the management point, but the answer never reaches the client.
        if (loseNextAnswer) {
          loseNextAnswer = false;
          lost?.();
          throw new TypeError('fetch failed');
        }
        return response;
      };
    let answerLost!: () => void;
    const lostOnce = new Promise<void>((resolve) => (answerLost = resolve));
    const reporter = createStatusReporter({
      managementPointUrl: mp.url,
      spoolDir,
      headers: () => ({ authorization }),
      initialBackoffMs: 50,
      maxBackoffMs: 200,
      fetch: recordingFetch(answerLost),
    });
    reporters.push(reporter);
    const first = testMessage();
    await reporter.report(first);
    await within(reporter.flush(), 10_000);
    const second = testMessage();
    loseNextAnswer = true;
    await reporter.report(second);
    reporter.start();
    await lostOnce;
    await within(reporter.flush(), 10_000);
    // Left in the spool by a reporter that stopped before sending it: sent by the next as not new.
    const stopped = createStatusReporter({ managementPointUrl: mp.url, spoolDir, headers: () => ({ authorization }) });
    const third = testMessage();
    await stopped.report(third);
    const next = createStatusReporter({ managementPointUrl: mp.url, spoolDir, headers: () => ({ authorization }), fetch: recordingFetch() });
    reporters.push(next);
    await within(next.flush(), 10_000);

    expect(sent).toEqual([
      { firstSending: true, uids: [first.uid] },
      { firstSending: true, uids: [second.uid] },
      { firstSending: false, uids: [second.uid] },
      { firstSending: false, uids: [third.uid] },
    ]);
    // The retry of the batch whose answer was lost is looked for among stored messages: once.
    await processAll();
    const { rows } = await pool().query(`SELECT uid, count(*)::int AS n FROM status_message WHERE uid = ANY($1::uuid[]) GROUP BY uid`, [
      [first.uid, second.uid, third.uid],
    ]);
    expect(rows.map((r) => r.n)).toEqual([1, 1, 1]);
  });

  it('sets aside only a spool file whose bytes are no longer JSON, and sends the good files that went with it', async () => {
    const spoolDir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-spool-'));
    // Its head and tail intact, its middle torn: sent as it is, the whole request is refused.
    const torn = '000000000000000-000000-torn0000-n2.batch.json';
    await writeFile(path.join(spoolDir, torn), `{"messages":[${JSON.stringify(testMessage()).slice(0, 40)}\u0000garbage]}`);
    const before = testMessage();
    await writeFile(path.join(spoolDir, '000000000000001-000000-good0000-n1.batch.json'), `{"messages":[${JSON.stringify(before)}]}`);
    const reporter = await newReporter(spoolDir);
    const after = Array.from({ length: 3 }, () => testMessage());
    await reporter.report(after);
    await within(reporter.flush(), 10_000);
    expect(await readdir(path.join(spoolDir, 'rejected'))).toEqual([torn]);
    await processAll();
    const stored = await storedUids();
    expect([before, ...after].filter((m) => stored.has(m.uid))).toHaveLength(4);
  });

  it('splits a batch the management point finds too large (413) and sends the halves', async () => {
    process.env.SITEBOX_STATUS_MAX_BATCH_BYTES = '8000';
    resetConfig();
    const spoolDir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-spool-'));
    const reporter = await newReporter(spoolDir);
    const messages = Array.from({ length: 60 }, () => testMessage());
    await reporter.report(messages);
    const tooLargeBefore = ingestCounters().requests.tooLarge;
    await within(reporter.flush(), 10_000);
    expect(ingestCounters().requests.tooLarge).toBeGreaterThan(tooLargeBefore);
    delete process.env.SITEBOX_STATUS_MAX_BATCH_BYTES;
    resetConfig();
    await processAll();
    const stored = await storedUids();
    expect(messages.filter((m) => stored.has(m.uid))).toHaveLength(60);
  });
});

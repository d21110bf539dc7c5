import pino from 'pino';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { inTransaction } from '@/lib/db/transaction';
import { readStatusCounters } from '@/lib/status/counters';
import { appendToInbox, readInboxDepth, type InboxMessage } from '@/lib/reporting/inbox-repo';
import { processStatusBatch, type StatusManagerEffects } from '@/lib/status/process-status-batch';
import { MAX_SENDER_LOCKS } from '@/lib/status/sender-locks-repo';
import type { StatusMessage } from '@/lib/reporting/status-message.schema';
import type { SummarizedMessage } from '@/lib/summarizers/summarizer-handoff';
import type { ProgramAction } from '@/lib/status/status-filter-rule.schema';
import type { FilterRule } from '@/lib/status/status-filter-rule.schema';
import { useTestDatabase } from '../../support/database';
import { testMessage, testRule } from './fixtures';

const log = pino({ level: 'silent' });

function recordingEffects(replicationEnabled = true) {
  const seen = {
    summarized: [] as SummarizedMessage[],
    eventLog: [] as InboxMessage[],
    programs: [] as { ruleName: string; program: ProgramAction; message: InboxMessage }[],
  };
  const effects: StatusManagerEffects = {
    summarizers: async ({ client, messages }) => {
      // Runs inside the batch's transaction.
      await client.query('SELECT 1');
      seen.summarized.push(...messages);
    },
    eventLog: (m) => seen.eventLog.push(m),
    programs: { run: (item) => seen.programs.push(item as (typeof seen.programs)[number]) },
    replicationEnabled,
  };
  return { effects, seen };
}

async function drain(rules: FilterRule[], effects: StatusManagerEffects, maxBatches = 50) {
  const results = [];
  for (;;) {
    const r = await processStatusBatch({ db: pool(), rules, effects, maxBatches, log });
    if (!r.messages) return results;
    results.push(r);
  }
}

const count = async (sql: string, params: unknown[] = []) => Number((await pool().query(sql, params)).rows[0].n);

describe('processStatusBatch', () => {
  beforeAll(async () => {
    await useTestDatabase();
  });
  beforeEach(async () => {
    await pool().query('TRUNCATE status_message, status_inbox, status_processed_uid, replication_outbox, status_counter');
  });

  it('writes what a rule keeps, stamping its retention, and leaves the inbox empty', async () => {
    const rules = [testRule({ writeToDatabase: true, retentionDays: 3 })];
    const m = testMessage({
      insertionStrings: ['<script>alert(1)</script>', 'a "quoted" \\ value', '{braces},commas'],
      properties: { PackageID: 'S0100003' },
    });
    await appendToInbox({ db: pool(), messages: [m], origin: 'mp' });
    const { effects } = recordingEffects();
    const [result] = await drain(rules, effects);
    expect(result).toMatchObject({ batches: 1, messages: 1, fresh: 1, stored: 1, duplicates: 0 });
    const { rows } = await pool().query(`SELECT *, expires_at - received_at AS kept FROM status_message`);
    expect(rows).toHaveLength(1);
    expect(rows[0].uid).toBe(m.uid);
    expect(rows[0].insertion_strings).toEqual(m.insertionStrings);
    expect(rows[0].properties).toEqual({ PackageID: 'S0100003' });
    expect(rows[0].kept).toMatchObject({ days: 3 });
    expect(rows[0].source_time.toISOString()).toBe('2026-11-23T08:00:00.000Z');
    expect(await readInboxDepth(pool())).toBe(0);
  });

  it('never stores a message twice nor runs its actions twice: a retried batch, a re-delivery later', async () => {
    const program: ProgramAction = { kind: 'webhook', url: 'https://hooks.example.com/x', timeoutSeconds: 5 };
    const rules = [testRule({ writeToDatabase: true, retentionDays: 1, reportToEventLog: true, replicateToParent: 'HIGH', runProgram: program })];
    const messages = [testMessage(), testMessage(), testMessage()];
    // The batch and its retry arrive together...
    await appendToInbox({ db: pool(), messages, origin: 'mp' });
    await appendToInbox({ db: pool(), messages, origin: 'mp' });
    const { effects, seen } = recordingEffects();
    await drain(rules, effects);
    // ...and once more after they were processed.
    await appendToInbox({ db: pool(), messages: [messages[0]], origin: 'mp' });
    await drain(rules, effects);

    expect(await count('SELECT count(*) n FROM status_message')).toBe(3);
    expect(await count('SELECT count(*) n FROM replication_outbox')).toBe(3);
    expect(seen.programs).toHaveLength(3);
    expect(seen.eventLog).toHaveLength(3);
    expect(seen.summarized).toHaveLength(3);
    const totals = await readStatusCounters(pool());
    expect(totals).toMatchObject({ processed: 7, stored: 3, duplicates: 4 });
  });

  it('remembers processed messages that were not stored, so their re-delivery runs nothing', async () => {
    const rules = [testRule({ reportToEventLog: true })];
    const m = testMessage();
    const { effects, seen } = recordingEffects();
    await appendToInbox({ db: pool(), messages: [m], origin: 'mp' });
    await drain(rules, effects);
    await appendToInbox({ db: pool(), messages: [m], origin: 'mp' });
    await drain(rules, effects);
    expect(seen.eventLog).toHaveLength(1);
    expect(await count('SELECT count(*) n FROM status_message')).toBe(0);
    expect(await count('SELECT count(*) n FROM status_processed_uid WHERE uid = $1', [m.uid])).toBe(1);
    // Even if the rules change to store it meanwhile.
    await appendToInbox({ db: pool(), messages: [m], origin: 'mp' });
    await drain([testRule({ writeToDatabase: true, retentionDays: 1 })], effects);
    expect(await count('SELECT count(*) n FROM status_message')).toBe(0);
  });

  it('runs nothing again for a stored message whose retry arrives after the rules changed to discard it', async () => {
    const m = testMessage();
    const { effects, seen } = recordingEffects();
    await appendToInbox({ db: pool(), messages: [m], origin: 'mp' });
    await drain([testRule({ writeToDatabase: true, retentionDays: 30, reportToEventLog: true })], effects);
    await appendToInbox({ db: pool(), messages: [m], origin: 'mp' });
    const [retried] = await drain([testRule({ reportToEventLog: true })], effects);
    expect(retried).toMatchObject({ messages: 1, fresh: 0, duplicates: 1 });
    expect(seen.eventLog).toHaveLength(1);
    expect(await count('SELECT count(*) n FROM status_processed_uid WHERE uid = $1', [m.uid])).toBe(0);
  });

  it('stores a first sending and its retry once, whichever the site processes first, and runs their actions once', async () => {
    const rules = [testRule({ writeToDatabase: true, retentionDays: 1, reportToEventLog: true })];
    const { effects, seen } = recordingEffects();
    const pause = () => new Promise((resolve) => setTimeout(resolve, 10));
    // The retry processed first: the first sending was held up at a management point meanwhile.
    const heldUp = testMessage();
    await appendToInbox({ db: pool(), messages: [heldUp], origin: 'mp', sender: 'device:7', firstSending: false });
    await drain(rules, effects);
    expect(await count('SELECT count(*) n FROM status_processed_uid WHERE uid = $1', [heldUp.uid])).toBe(1);
    await pause();
    await appendToInbox({ db: pool(), messages: [heldUp], origin: 'mp', sender: 'device:7', firstSending: true });
    const [late] = await drain(rules, effects);
    expect(late).toMatchObject({ messages: 1, fresh: 0, stored: 0, duplicates: 1 });
    // The first sending processed first, its retry later, and a first sending claimed with its retry.
    const answerLost = testMessage();
    await appendToInbox({ db: pool(), messages: [answerLost], origin: 'mp', sender: 'device:7', firstSending: true });
    await drain(rules, effects);
    await pause();
    await appendToInbox({ db: pool(), messages: [answerLost], origin: 'mp', sender: 'device:7', firstSending: false });
    const together = testMessage();
    await appendToInbox({ db: pool(), messages: [together], origin: 'mp', sender: 'device:7', firstSending: true });
    await appendToInbox({ db: pool(), messages: [together], origin: 'mp', sender: 'device:7', firstSending: false });
    await drain(rules, effects);

    const uids = [heldUp.uid, answerLost.uid, together.uid];
    expect(await count('SELECT count(*) n FROM status_message WHERE uid = ANY($1::uuid[])', [uids])).toBe(3);
    expect(seen.eventLog.map((m) => m.uid).sort()).toEqual([...uids].sort());
    expect(await readStatusCounters(pool())).toMatchObject({ processed: 6, stored: 3, duplicates: 3 });
  });

  it('does not look a first sending up among stored messages, and puts in the ledger only stored retries of senders that mark first sendings', async () => {
    const rules = [testRule({ writeToDatabase: true, retentionDays: 1 })];
    const { effects } = recordingEffects();
    const [vouched, retried, own, replicated] = [testMessage(), testMessage(), testMessage(), testMessage()];
    // A copy already stored, as only a sender that said "first sending" wrongly could bring about:
    // the retry is found stored, the vouched one is not looked for (its sender's messages only, twice).
    for (const m of [vouched, retried]) {
      await appendToInbox({ db: pool(), messages: [m], origin: 'mp', sender: 'device:8', firstSending: true });
      await drain(rules, effects);
    }
    await pool().query('TRUNCATE status_processed_uid');
    await appendToInbox({ db: pool(), messages: [vouched], origin: 'mp', sender: 'device:8', firstSending: true });
    await appendToInbox({ db: pool(), messages: [retried], origin: 'mp', sender: 'device:8', firstSending: false });
    await appendToInbox({ db: pool(), messages: [own], origin: 'server' });
    // A sender that never marks first sendings (a child site's replication): none of its can follow.
    await appendToInbox({ db: pool(), messages: [replicated], origin: 'mp', sender: 'site-system:3' });
    await drain(rules, effects);
    const stored = async (m: { uid: string }) => count('SELECT count(*) n FROM status_message WHERE uid = $1', [m.uid]);
    expect([await stored(vouched), await stored(retried), await stored(own), await stored(replicated)]).toEqual([2, 1, 1, 1]);
    expect(await count('SELECT count(*) n FROM status_processed_uid')).toBe(0);
  });

  it('queues replication with the priority the rules ask for, only when the site has a parent', async () => {
    const rules = [testRule({ severity: 'ERROR', replicateToParent: 'HIGH' }), testRule({ replicateToParent: 'LOW' })];
    const error = testMessage({ severity: 'ERROR' });
    const info = testMessage();
    await appendToInbox({ db: pool(), messages: [error, info], origin: 'mp' });
    await drain(rules, recordingEffects(true).effects);
    const { rows } = await pool().query(`SELECT uid, priority, payload FROM replication_outbox ORDER BY priority DESC`);
    expect(rows.map((r) => [r.uid, r.priority])).toEqual([
      [error.uid, 'HIGH'],
      [info.uid, 'LOW'],
    ]);
    expect(rows[0].payload).toMatchObject({ uid: error.uid, severity: 'ERROR', sourceTime: '2026-11-23T08:00:00.000Z' });

    await appendToInbox({ db: pool(), messages: [testMessage({ severity: 'ERROR' })], origin: 'mp' });
    await drain(rules, recordingEffects(false).effects);
    expect(await count('SELECT count(*) n FROM replication_outbox')).toBe(2);
  });

  it('hands the summarizers exactly the messages no matching rule kept from them', async () => {
    const rules = [
      testRule({ messageId: 10907, writeToDatabase: true, retentionDays: 1, forwardToSummarizers: false, stopProcessing: true }),
      testRule({ writeToDatabase: true, retentionDays: 30 }),
    ];
    const metering = testMessage();
    const started = testMessage({ messageId: 500, source: 'SERVER', component: 'SMS_STATUS_MANAGER' });
    const noisy = testMessage({ messageId: 10002 });
    const { effects, seen } = recordingEffects();
    await appendToInbox({ db: pool(), messages: [metering, started, noisy], origin: 'mp' });
    await drain(rules, effects);
    expect(seen.summarized.map((p) => p.message.uid).sort()).toEqual([started.uid, noisy.uid].sort());
    expect(await count('SELECT count(*) n FROM status_message')).toBe(3);
  });

  it('takes messages handed in directly with the inbox', async () => {
    const rules = [testRule({ writeToDatabase: true, retentionDays: 1 })];
    const queued = testMessage({ source: 'SERVER', messageId: 500 });
    const r = await processStatusBatch({ db: pool(), rules, effects: recordingEffects().effects, maxBatches: 5, queued: [queued], log });
    expect(r).toMatchObject({ batches: 0, messages: 1, stored: 1 });
  });

  it('lets concurrent Status Manager transactions take distinct batches, processing each message once', async () => {
    const rules = [testRule({ writeToDatabase: true, retentionDays: 1, reportToEventLog: true })];
    const all = Array.from({ length: 40 }, () => Array.from({ length: 25 }, () => testMessage()));
    for (const batch of all) await appendToInbox({ db: pool(), messages: batch, origin: 'mp' });
    const { effects, seen } = recordingEffects();
    const runs = await Promise.all([drain(rules, effects, 3), drain(rules, effects, 3), drain(rules, effects, 3)]);
    const perRun = runs.map((results) => results.reduce((n, r) => n + r.messages, 0));
    expect(perRun.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(perRun.filter((n) => n > 0).length).toBeGreaterThan(1);
    expect(await count('SELECT count(*) n FROM status_message')).toBe(1000);
    expect(new Set(seen.eventLog.map((m) => m.uid)).size).toBe(1000);
    expect(seen.eventLog).toHaveLength(1000);
  });

  /**
   * Two transactions run at once, claiming up to `maxBatches` inbox rows each; each waits inside
   * its transaction (in the summarizers, after its messages are written) until the other has got
   * as far, for at most a second. Returns whether both got there together, what each did, and how
   * many advisory locks each held there (one that found nothing new does not get there).
   */
  async function processTwoAtOnce(rules: FilterRule[], maxBatches: [number, number] = [1, 1]) {
    const { effects, seen } = recordingEffects();
    let arrived = 0;
    let together!: () => void;
    const bothArrived = new Promise<void>((resolve) => (together = resolve));
    const locks = new Map<number, number>();
    const waiting = (maxBatches: number): StatusManagerEffects => ({
      ...effects,
      summarizers: async (handoff) => {
        await effects.summarizers(handoff);
        const { rows } = await handoff.client.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()`);
        locks.set(maxBatches, rows[0].n);
        if (++arrived === 2) together();
        await Promise.race([bothArrived, new Promise((resolve) => setTimeout(resolve, 1000))]);
      },
    });
    const at = Date.now();
    const results = await Promise.all(
      maxBatches.map((max) => processStatusBatch({ db: pool(), rules, effects: waiting(max), maxBatches: max, log })),
    );
    return { results, seen, together: Date.now() - at < 1000, locks };
  }

  it('never processes a batch and its retry from one sender at once, so their messages are stored and acted on once', async () => {
    const rules = [testRule({ writeToDatabase: true, retentionDays: 1 })];
    const messages = [testMessage(), testMessage()];
    // A client's batch, and the same messages sent again to another management point (a later arrival, so a later expiry).
    await appendToInbox({ db: pool(), messages, origin: 'mp', sender: 'device:7' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    await appendToInbox({ db: pool(), messages, origin: 'mp', sender: 'device:7' });
    const { results, seen, together, locks } = await processTwoAtOnce(rules);
    expect(together).toBe(false);
    expect(results.map((r) => r.stored).sort()).toEqual([0, 2]);
    expect(await count('SELECT count(*) n FROM status_message')).toBe(2);
    expect(seen.summarized).toHaveLength(2);
    expect(await readStatusCounters(pool())).toMatchObject({ processed: 4, stored: 2, duplicates: 2 });
    // The lock over all senders, shared, and the sender's own (the retry's transaction found nothing new).
    expect([...locks.values()]).toEqual([2]);
  });

  it('processes batches of different senders at once', async () => {
    const rules = [testRule({ writeToDatabase: true, retentionDays: 1 })];
    await appendToInbox({ db: pool(), messages: [testMessage()], origin: 'mp', sender: 'device:7' });
    await appendToInbox({ db: pool(), messages: [testMessage()], origin: 'mp', sender: 'site-system:7' });
    const { results, together } = await processTwoAtOnce(rules);
    expect(together).toBe(true);
    expect(results.map((r) => r.stored)).toEqual([1, 1]);
  });

  it('takes one lock over all senders, alone, when it claimed batches of more senders than it locks one by one', async () => {
    const rules = [testRule({ writeToDatabase: true, retentionDays: 1 })];
    const first = testMessage();
    await appendToInbox({ db: pool(), messages: [first], origin: 'mp', sender: 'device:1' });
    for (let i = 2; i <= MAX_SENDER_LOCKS + 1; i++) {
      await appendToInbox({ db: pool(), messages: [testMessage()], origin: 'mp', sender: `device:${i}` });
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
    await appendToInbox({ db: pool(), messages: [first], origin: 'mp', sender: 'device:1' });
    // One transaction takes all but one of the rows (the senders of all of them whichever it
    // misses), the other the one left; the retry of device:1's batch is in one or the other.
    const { results, together, locks } = await processTwoAtOnce(rules, [MAX_SENDER_LOCKS + 1, 1]);
    expect(together).toBe(false);
    expect(locks.get(MAX_SENDER_LOCKS + 1)).toBe(1);
    // The other reaches the summarizers only when it took device:1's first batch; then with two locks.
    expect([undefined, 2]).toContain(locks.get(1));
    expect(results.reduce((n, r) => n + r.stored, 0)).toBe(MAX_SENDER_LOCKS + 1);
    expect(await count('SELECT count(*) n FROM status_message WHERE uid = $1', [first.uid])).toBe(1);
  });

  it('puts the batch back when processing fails', async () => {
    await appendToInbox({ db: pool(), messages: [testMessage()], origin: 'mp' });
    const { effects } = recordingEffects();
    const failing: StatusManagerEffects = {
      ...effects,
      summarizers: async () => {
        throw new Error('summarizer down');
      },
    };
    await expect(
      processStatusBatch({ db: pool(), rules: [testRule({ writeToDatabase: true, retentionDays: 1 })], effects: failing, maxBatches: 5, log }),
    ).rejects.toThrow('summarizer down');
    expect(await readInboxDepth(pool())).toBe(1);
    expect(await count('SELECT count(*) n FROM status_message')).toBe(0);
  });
});

describe('insertStatusMessages', () => {
  beforeAll(async () => {
    await useTestDatabase();
  });

  it('copies new rows, and falls back to skipping a uid another Status Manager stored meanwhile', async () => {
    const { insertStatusMessages } = await import('@/lib/status/message-repo');
    const row = (m: ReturnType<typeof testMessage>) => ({
      message: { ...m, sourceTime: new Date(m.sourceTime).toISOString() },
      receivedAt: new Date(),
      expiresAt: new Date(Date.now() + 86_400_000),
    });
    const tricky = testMessage({
      systemName: 'tab\there',
      component: 'new\nline',
      insertionStrings: ['back\\slash', 'quote"d', ''],
      properties: { 'k\t': 'v\\n' },
    });
    const client = await pool().connect();
    try {
      await client.query('BEGIN');
      const first = [row(tricky), row(testMessage())];
      expect((await insertStatusMessages(client, first)).size).toBe(2);
      const again = [row(testMessage()), first[1]];
      const inserted = await insertStatusMessages(client, again);
      expect([...inserted]).toEqual([again[0].message.uid]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const { rows } = await pool().query(`SELECT system_name, component, insertion_strings, properties FROM status_message WHERE uid = $1`, [
      tricky.uid,
    ]);
    expect(rows[0]).toEqual({
      system_name: 'tab\there',
      component: 'new\nline',
      insertion_strings: ['back\\slash', 'quote"d', ''],
      properties: { 'k\t': 'v\\n' },
    });
  });

  it('stores each row with its own fields when consecutive rows differ in one field at a time, or arrived apart', async () => {
    const { insertStatusMessages } = await import('@/lib/status/message-repo');
    const arrived = [new Date('2026-12-06T10:00:00.000Z'), new Date('2026-12-06T10:00:01.000Z')];
    // Each variant follows a row of the defaults, so the two differ in that one field alone.
    const variants: Partial<StatusMessage>[] = [
      { messageId: 10908 },
      { severity: 'WARNING' },
      { type: 'MILESTONE' },
      { source: 'SERVER' },
      { siteCode: 'S02' },
      { systemName: 'WKS\t0002' },
      { component: 'back\\slash' },
      { sourceTime: new Date('2026-11-23T08:00:01.000Z') },
      { processId: 42 },
      { threadId: 7 },
    ].flatMap((variant) => [{}, variant]);
    const rows = [...variants, {}, {}].map((overrides, i) => {
      const m = testMessage(overrides);
      // The last two rows share every field with the one before them but arrived later (another batch).
      const receivedAt = i < variants.length + 1 ? arrived[0] : arrived[1];
      return { message: { ...m, sourceTime: m.sourceTime.toISOString() }, receivedAt, expiresAt: new Date(Date.now() + 86_400_000) };
    });
    await inTransaction(pool(), (client) => insertStatusMessages(client, rows));
    const { rows: stored } = await pool().query(
      `SELECT uid, message_id, severity, type, source, site_code, system_name, component, source_time, received_at, process_id, thread_id
         FROM status_message WHERE uid = ANY($1::uuid[])`,
      [rows.map((r) => r.message.uid)],
    );
    const byUid = new Map(stored.map((r) => [r.uid, r]));
    for (const { message: m, receivedAt } of rows) {
      expect(byUid.get(m.uid)).toEqual({
        uid: m.uid,
        message_id: m.messageId,
        severity: m.severity,
        type: m.type,
        source: m.source,
        site_code: m.siteCode,
        system_name: m.systemName,
        component: m.component,
        source_time: new Date(m.sourceTime),
        received_at: receivedAt,
        process_id: m.processId ?? null,
        thread_id: m.threadId ?? null,
      });
    }
  });
});

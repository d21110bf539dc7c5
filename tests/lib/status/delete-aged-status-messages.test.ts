import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { deleteAgedStatusMessages } from '@/lib/status/delete-aged-status-messages';
import { appendToInbox, readInboxDepth } from '@/lib/reporting/inbox-repo';
import { estimateStoredMessages } from '@/lib/status/message-repo';
import { dayStart, listDayPartitions, partitionName } from '@/lib/status/partition-repo';
import { processStatusBatch } from '@/lib/status/process-status-batch';
import { noSummarizers } from '@/lib/summarizers/summarizer-handoff';
import { useTestDatabase } from '../../support/database';
import { testMessage, testRule } from './fixtures';

const DAY = 86_400_000;
const count = async (sql: string, params: unknown[] = []) => Number((await pool().query(sql, params)).rows[0].n);
const inDefault = () => count('SELECT count(*) n FROM status_message_default');

/** Stores one message due at `expiresAt` straight into status_message (routed to its partition). */
async function storeDueAt(expiresAt: Date): Promise<string> {
  const uid = randomUUID();
  await pool().query(
    `INSERT INTO status_message (uid, message_id, severity, type, source, site_code, system_name, component, source_time, insertion_strings, expires_at)
     VALUES ($1, 10907, 'INFORMATIONAL', 'DETAIL', 'CLIENT', 'S01', 'WKS0001', 'c', now(), '{}', $2)`,
    [uid, expiresAt],
  );
  return uid;
}
const stored = async (uid: string) => count('SELECT count(*) n FROM status_message WHERE uid = $1', [uid]);

describe('deleteAgedStatusMessages', () => {
  beforeAll(async () => {
    await useTestDatabase();
  });

  it('drops only the day partitions that are due, keeps every message whose time has not come, and old ledger entries go', async () => {
    const effects = { summarizers: noSummarizers, eventLog() {}, programs: { run() {} }, replicationEnabled: false };
    const log = pino({ level: 'silent' });
    const rules = [
      testRule({ priority: 1, messageId: 10907, writeToDatabase: true, retentionDays: 1, stopProcessing: true }),
      testRule({ priority: 2, messageId: 500, stopProcessing: true }),
      testRule({ priority: 3, writeToDatabase: true, retentionDays: 30 }),
    ];
    const shortLived = Array.from({ length: 25 }, () => testMessage());
    const longLived = Array.from({ length: 5 }, () => testMessage({ messageId: 10002 }));
    const notStored = Array.from({ length: 3 }, () => testMessage({ messageId: 500 }));
    await appendToInbox({ db: pool(), messages: [...shortLived, ...longLived, ...notStored], origin: 'mp' });
    await processStatusBatch({ db: pool(), rules, effects, maxBatches: 10, log });
    expect(await count('SELECT count(*) n FROM status_message')).toBe(30);
    expect(await count('SELECT count(*) n FROM status_processed_uid')).toBe(3);

    const now = Date.now();
    // No day partition yet: every message waited in the default partition. The first run makes
    // today's and the next days' partitions and moves the one-day messages into theirs; the
    // 30-day ones are beyond the range made ahead and stay, kept, in the default partition.
    const first = await deleteAgedStatusMessages({ db: pool(), ledgerDays: 7, now: new Date(now), partitionDaysAhead: 3 });
    expect(first).toMatchObject({ ran: true, messages: 0, ledger: 0 });
    expect(first.partitionsCreated).toEqual([0, 1, 2, 3].map((d) => partitionName(dayStart(new Date(now + d * DAY)))));
    expect(await inDefault()).toBe(5);
    expect(await count('SELECT count(*) n FROM status_message')).toBe(30);

    // A message due a minute after the purge runs.
    const purgeAt = new Date(dayStart(new Date(now + 2 * DAY)).getTime() + 1_000);
    const justNotDue = await storeDueAt(new Date(purgeAt.getTime() + 60_000));
    // The one-day messages' day has passed whole: their partition goes; nothing else does.
    const dayAfter = await deleteAgedStatusMessages({ db: pool(), ledgerDays: 7, now: purgeAt, partitionDaysAhead: 3 });
    expect(dayAfter).toMatchObject({ ran: true, messages: 25, ledger: 0 });
    expect(await count(`SELECT count(*) n FROM status_message WHERE message_id = 10907 AND uid <> $1`, [justNotDue])).toBe(0);
    expect(await stored(justNotDue)).toBe(1);
    expect(await count(`SELECT count(*) n FROM status_message WHERE message_id = 10002`)).toBe(5);
    expect((await listDayPartitions(pool()))[0].day.getTime()).toBe(dayStart(purgeAt).getTime());

    const later = await deleteAgedStatusMessages({ db: pool(), ledgerDays: 7, now: new Date(now + 8 * DAY) });
    expect(later).toMatchObject({ ran: true, messages: 1, ledger: 3 });
    // Thirty days on, the range made ahead reaches the 30-day messages: they move into their
    // partition, and go once their whole day has passed.
    const due = await deleteAgedStatusMessages({ db: pool(), ledgerDays: 7, now: new Date(now + 30 * DAY) });
    expect(due.messages).toBe(0);
    expect(await inDefault()).toBe(0);
    expect(await count('SELECT count(*) n FROM status_message')).toBe(5);
    const end = await deleteAgedStatusMessages({ db: pool(), ledgerDays: 7, now: new Date(now + 32 * DAY) });
    expect(end.messages).toBe(5);
    expect(await count('SELECT count(*) n FROM status_message')).toBe(0);
    // It reports what it did, as a status message, each time it dropped messages.
    expect(await readInboxDepth(pool())).toBe(3);
  });

  it('makes a missing partition again and moves into it the messages that waited in the default partition', async () => {
    const now = new Date();
    await deleteAgedStatusMessages({ db: pool(), ledgerDays: 7, now, partitionDaysAhead: 2 });
    const tomorrow = partitionName(dayStart(new Date(now.getTime() + DAY)));
    await pool().query(`DROP TABLE ${tomorrow}`);
    const uid = await storeDueAt(new Date(now.getTime() + DAY));
    expect(await inDefault()).toBe(1);

    const run = await deleteAgedStatusMessages({ db: pool(), ledgerDays: 7, now, partitionDaysAhead: 2 });
    expect(run.partitionsCreated).toEqual([tomorrow]);
    expect(await inDefault()).toBe(0);
    expect(await count(`SELECT count(*) n FROM ${tomorrow} WHERE uid = $1`, [uid])).toBe(1);
    // The metrics' estimate of stored messages sums the partitions (the parent itself holds no rows).
    await pool().query('ANALYZE status_message');
    expect(await estimateStoredMessages(pool())).toBe(await count('SELECT count(*) n FROM status_message'));
  });

  it('detaches a due partition before dropping it, waiting out a writer, and drops a table an earlier purge left detached', async () => {
    const now = new Date();
    await deleteAgedStatusMessages({ db: pool(), ledgerDays: 7, now, partitionDaysAhead: 3 });
    const inTwoDays = new Date(dayStart(new Date(now.getTime() + 2 * DAY)).getTime() + 3_600_000);
    const due = await storeDueAt(inTwoDays);
    // An earlier purge detached tomorrow's partition and stopped before dropping it.
    const tomorrow = partitionName(dayStart(new Date(now.getTime() + DAY)));
    await pool().query(`ALTER TABLE status_message DETACH PARTITION ${tomorrow}`);
    // A writer holds the parent for a while (as an ingest batch does): each try to detach gives up
    // after a moment, so the writer goes on, and a later one succeeds.
    const writer = await pool().connect();
    await writer.query('BEGIN');
    await writer.query(`LOCK TABLE status_message IN ROW EXCLUSIVE MODE`);
    const releaseWriter = setTimeout(() => void writer.query('COMMIT').finally(() => writer.release()), 700);
    const purgeAt = new Date(dayStart(new Date(now.getTime() + 3 * DAY)).getTime() + 1_000);
    const run = await deleteAgedStatusMessages({ db: pool(), ledgerDays: 7, now: purgeAt, partitionDaysAhead: 3 });
    clearTimeout(releaseWriter);
    expect(run.ran).toBe(true);
    expect(await stored(due)).toBe(0);
    const leftovers = await count(`SELECT count(*) n FROM pg_class WHERE relname = ANY($1::text[])`, [
      [tomorrow, partitionName(dayStart(inTwoDays))],
    ]);
    expect(leftovers).toBe(0);
  });

  it('keeps a message whose retention is beyond the partitions made ahead until its day has passed', async () => {
    const now = new Date();
    const uid = await storeDueAt(new Date(now.getTime() + 400 * DAY));
    for (const days of [0, 100, 399]) {
      await deleteAgedStatusMessages({ db: pool(), ledgerDays: 7, now: new Date(now.getTime() + days * DAY), partitionDaysAhead: 2 });
      expect(await stored(uid), `after ${days} days`).toBe(1);
    }
    expect(
      await deleteAgedStatusMessages({ db: pool(), ledgerDays: 7, now: new Date(now.getTime() + 402 * DAY), partitionDaysAhead: 2 }),
    ).toMatchObject({
      messages: 1,
    });
    expect(await stored(uid)).toBe(0);
  });

  it('stores a retried message once though it arrives later, in another expiry day', async () => {
    const effects = { summarizers: noSummarizers, eventLog() {}, programs: { run() {} }, replicationEnabled: false };
    const rules = [testRule({ priority: 1, writeToDatabase: true, retentionDays: 1 })];
    const message = testMessage();
    for (const hoursLater of [0, 20]) {
      await appendToInbox({ db: pool(), messages: [message], origin: 'mp' });
      await pool().query(`UPDATE status_inbox SET received_at = received_at + make_interval(hours => $1)`, [hoursLater]);
      await processStatusBatch({ db: pool(), rules, effects, maxBatches: 10, log: pino({ level: 'silent' }) });
    }
    expect(await count('SELECT count(DISTINCT expires_at) n FROM status_message WHERE uid = $1', [message.uid])).toBe(1);
    expect(await stored(message.uid)).toBe(1);
  });

  it('runs once at a time across Status Managers', async () => {
    const holder = await pool().connect();
    try {
      await holder.query(`SELECT pg_advisory_lock(7301952044410)`);
      expect(await deleteAgedStatusMessages({ db: pool(), ledgerDays: 7 })).toEqual({ ran: false, messages: 0, ledger: 0, partitionsCreated: [] });
      await holder.query(`SELECT pg_advisory_unlock(7301952044410)`);
    } finally {
      holder.release();
    }
  });
});

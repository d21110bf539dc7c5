import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { deleteAgedStatusMessages } from '@/lib/status/delete-aged-status-messages';
import { appendToInbox, readInboxDepth } from '@/lib/reporting/inbox-repo';
import { processStatusBatch } from '@/lib/status/process-status-batch';
import { noSummarizers } from '@/lib/summarizers/summarizer-handoff';
import { useTestDatabase } from '../../support/database';
import { testMessage, testRule } from './fixtures';

const count = async (sql: string) => Number((await pool().query(sql)).rows[0].n);

describe('deleteAgedStatusMessages', () => {
  beforeAll(async () => {
    await useTestDatabase();
  });

  it('deletes messages past the retention stamped on each, in batches, and old ledger entries', async () => {
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
    // A day and a bit later: the 10907s are past their one day; the others have 29 days to go.
    const tomorrow = await deleteAgedStatusMessages({ db: pool(), ledgerDays: 7, now: new Date(now + 25 * 3_600_000), batchSize: 7 });
    expect(tomorrow).toEqual({ ran: true, messages: 25, ledger: 0 });
    expect(await count('SELECT count(*) n FROM status_message')).toBe(5);
    expect(await count(`SELECT count(*) n FROM status_message WHERE message_id = 10907`)).toBe(0);

    const later = await deleteAgedStatusMessages({ db: pool(), ledgerDays: 7, now: new Date(now + 8 * 86_400_000) });
    expect(later).toEqual({ ran: true, messages: 0, ledger: 3 });
    const end = await deleteAgedStatusMessages({ db: pool(), ledgerDays: 7, now: new Date(now + 31 * 86_400_000) });
    expect(end.messages).toBe(5);
    expect(await count('SELECT count(*) n FROM status_message')).toBe(0);
    // It reports what it did, as a status message.
    expect(await readInboxDepth(pool())).toBe(2);
  });

  it('runs once at a time across Status Managers', async () => {
    const holder = await pool().connect();
    try {
      await holder.query(`SELECT pg_advisory_lock(7301952044410)`);
      expect(await deleteAgedStatusMessages({ db: pool(), ledgerDays: 7 })).toEqual({ ran: false, messages: 0, ledger: 0 });
      await holder.query(`SELECT pg_advisory_unlock(7301952044410)`);
    } finally {
      holder.release();
    }
  });
});

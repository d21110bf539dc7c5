import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { deleteAgedStatusMessages } from '@/lib/status/delete-aged-status-messages';
import { appendToInbox } from '@/lib/reporting/inbox-repo';
import { processStatusBatch } from '@/lib/status/process-status-batch';
import { noSummarizers } from '@/lib/summarizers/summarizer-handoff';
import { useTestDatabase } from '../../support/database';
import { testMessage, testRule } from './fixtures';

const count = async (sql: string) => Number((await pool().query(sql)).rows[0].n);

describe('Delete Aged Status Messages with a ledger row the database will not delete', () => {
  beforeAll(async () => {
    await useTestDatabase();
  });

  it('deletes every other aged ledger entry, sets the row aside and skips it on later runs', async () => {
    const effects = { summarizers: noSummarizers, eventLog() {}, programs: { run() {} }, replicationEnabled: false };
    // Nothing stored: every processed uid goes to the ledger, which the purge ages out by rows.
    const rules = [testRule({ priority: 1 })];
    await appendToInbox({ db: pool(), messages: Array.from({ length: 12 }, () => testMessage()), origin: 'mp' });
    await processStatusBatch({ db: pool(), rules, effects, maxBatches: 10, log: pino({ level: 'silent' }) });
    expect(await count('SELECT count(*) n FROM status_processed_uid')).toBe(12);
    // Another table still refers to one entry: deleting it is refused (23503).
    const { rows } = await pool().query<{ uid: string }>(`SELECT uid::text FROM status_processed_uid ORDER BY uid LIMIT 1 OFFSET 5`);
    const pinned = rows[0].uid;
    await pool().query(`CREATE TABLE pinned_uid (uid uuid REFERENCES status_processed_uid (uid))`);
    await pool().query(`INSERT INTO pinned_uid VALUES ($1)`, [pinned]);

    const later = new Date(Date.now() + 8 * 86_400_000);
    expect(await deleteAgedStatusMessages({ db: pool(), ledgerDays: 7, now: later, batchSize: 4 })).toMatchObject({
      ran: true,
      messages: 0,
      ledger: 11,
    });
    expect((await pool().query(`SELECT uid::text FROM status_processed_uid`)).rows).toEqual([{ uid: pinned }]);
    const quarantined = await pool().query(`SELECT item_key, error_code, attempts FROM quarantined_item WHERE source = 'status-manager.purge'`);
    expect(quarantined.rows).toEqual([{ item_key: `status_processed_uid:${pinned}`, error_code: '23503', attempts: 1 }]);

    // Later runs go past it without trying it again.
    expect(await deleteAgedStatusMessages({ db: pool(), ledgerDays: 7, now: later, batchSize: 4 })).toMatchObject({
      ran: true,
      messages: 0,
      ledger: 0,
    });
    expect((await pool().query(`SELECT attempts FROM quarantined_item WHERE source = 'status-manager.purge'`)).rows).toEqual([{ attempts: 1 }]);
  });
});

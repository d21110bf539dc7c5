import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '@/lib/config';
import { pool } from '@/lib/db/pool';
import { decideQuarantinedItem } from '@/lib/quarantine-review/decide-quarantined-item';
import { listQuarantinedItems } from '@/lib/quarantine/list-quarantined-items';
import { statusMessageIds } from '@/lib/reporting/catalog';
import { createFilterRule } from '@/lib/status/create-filter-rule';
import { startStatusManager } from '@/lib/status/status-manager';
import type { StatusMessage } from '@/lib/reporting/status-message.schema';
import { useTestDatabase } from '../support/database';
import { testMessage, testRuleInput, wire } from '../lib/status/fixtures';
import { eventually } from '../lib/notification/fleet';
import { siteControlSettings } from '../support/status-manager-settings';

const actor = { principal: { userId: 1, userName: 'admin', role: 'FULL_ADMINISTRATOR' as const }, address: '192.0.2.7' };

const stored = async (uid: string) => Number((await pool().query(`SELECT count(*) n FROM status_message WHERE uid = $1`, [uid])).rows[0].n);

/** A batch straight into the inbox, as the ingest endpoint would write it, past any validation at the door. */
async function intoInbox(messages: unknown[]) {
  await pool().query(`INSERT INTO status_inbox (messages, message_count, origin) VALUES ($1::json, $2, 'mp')`, [
    JSON.stringify(messages),
    messages.length,
  ]);
}

async function storedMessages(messageId: number) {
  const { rows } = await pool().query<{ severity: string; component: string; insertion_strings: string[]; properties: Record<string, string> }>(
    `SELECT severity, component, insertion_strings, properties FROM status_message WHERE message_id = $1 ORDER BY id`,
    [messageId],
  );
  return rows;
}

describe('Status Manager with a poison message', () => {
  const controller = new AbortController();
  let manager: Awaited<ReturnType<typeof startStatusManager>>;
  // Set by a test: the summarizers fail the next batch with a real transient PostgreSQL error.
  let failNextBatch = false;

  beforeAll(async () => {
    await useTestDatabase();
    await createFilterRule({
      actor,
      input: testRuleInput({ name: 'Write all', writeToDatabase: true, retentionDays: 30 }),
    });
    manager = await startStatusManager({
      db: pool(),
      connectionString: config().databaseUrl,
      log: pino({ level: 'silent' }),
      signal: controller.signal,
      loops: 1,
      batchRows: 10,
      watchSettings: siteControlSettings(config().databaseUrl),
      ledgerDays: 7,
      pollMs: 50,
      summarizers: async ({ client }) => {
        if (!failNextBatch) return;
        failNextBatch = false;
        // A statement cancelled by its timeout (57014): transient, the batch is retried whole.
        await client.query(`SET LOCAL statement_timeout = 1`);
        await client.query(`SELECT pg_sleep(1)`);
      },
    });
  });

  afterAll(async () => {
    controller.abort();
    await manager.stop();
  });

  it('sets aside a message the database refuses, stores the rest of its batch and every later one, and reports it', async () => {
    const before = testMessage({ systemName: 'WKS-BEFORE' });
    const poison = { ...wire(testMessage({ systemName: 'WKS-POISON' })), properties: { '\udfff': 'v' } };
    const after = testMessage({ systemName: 'WKS-AFTER' });
    await intoInbox([wire(before), poison, wire(after)]);
    const later = testMessage({ systemName: 'WKS-LATER' });
    await intoInbox([wire(later)]);

    for (const m of [before, after, later])
      expect(
        await eventually(
          () => stored(m.uid),
          (n) => n === 1,
        ),
      ).toBe(1);
    expect(await stored(poison.uid)).toBe(0);

    const page = await listQuarantinedItems({ state: 'QUARANTINED', limit: 50, offset: 0 });
    const item = page.rows.find((r) => r.itemKey === poison.uid)!;
    expect(item).toMatchObject({ source: 'status-manager.inbox', attempts: 1, state: 'QUARANTINED' });
    expect(item.errorCode?.slice(0, 2)).toBe('22');
    expect(item.error).toMatch(/surrogate/i);
    expect(JSON.parse(item.payload)).toEqual(poison);

    // The Error status message names it, and is itself stored (Component Status and the viewer show it).
    const [reported] = await eventually(
      () => storedMessages(statusMessageIds.itemQuarantined),
      (rows) => rows.some((r) => r.properties.ItemKey === poison.uid),
    );
    expect(reported).toMatchObject({ severity: 'ERROR', component: 'SMS_STATUS_MANAGER' });
    expect(reported.insertion_strings).toEqual(['SMS_STATUS_MANAGER', 'status-manager.inbox', poison.uid, item.error]);
    expect(reported.properties.QuarantineId).toBe(item.id);
  });

  it('retries a fixed item into the inbox and discards another, both audited', async () => {
    const broken = { ...wire(testMessage({ systemName: 'WKS-FIXED' })), properties: { 'bad\udc00': 'v' } };
    const dropped = { ...wire(testMessage({ systemName: 'WKS-DROPPED' })), properties: { 'x\ud800': 'v' } };
    await intoInbox([broken, dropped]);
    const items = await eventually(
      () => listQuarantinedItems({ state: 'QUARANTINED', limit: 50, offset: 0 }),
      (page) => [broken.uid, dropped.uid].every((uid) => page.rows.some((r) => r.itemKey === uid)),
    );
    const fixedId = items.rows.find((r) => r.itemKey === broken.uid)!.id;
    const droppedId = items.rows.find((r) => r.itemKey === dropped.uid)!.id;

    // Someone fixes the item's text; retry puts it back in the inbox and Status Manager stores it.
    await pool().query(`UPDATE quarantined_item SET payload = $2 WHERE id = $1`, [
      fixedId,
      JSON.stringify({ ...broken, properties: { fixed: 'v' } }),
    ]);
    expect(await decideQuarantinedItem({ id: fixedId, action: 'retry', actor })).toEqual({ id: fixedId, state: 'RETRIED' });
    expect(
      await eventually(
        () => stored(broken.uid),
        (n) => n === 1,
      ),
    ).toBe(1);

    expect(await decideQuarantinedItem({ id: droppedId, action: 'discard', actor })).toEqual({ id: droppedId, state: 'DISCARDED' });
    await expect(decideQuarantinedItem({ id: droppedId, action: 'retry', actor })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await stored(dropped.uid)).toBe(0);

    const { rows } = await pool().query(`SELECT id::text, state::text, resolved_by FROM quarantined_item WHERE id = ANY($1::bigint[]) ORDER BY id`, [
      [fixedId, droppedId],
    ]);
    expect(rows).toEqual([
      { id: fixedId, state: 'RETRIED', resolved_by: 'admin' },
      { id: droppedId, state: 'DISCARDED', resolved_by: 'admin' },
    ]);
    const audits = await eventually(
      () => storedMessages(statusMessageIds.auditPerformed),
      (list) => list.filter((a) => a.properties.ObjectType === 'QuarantinedItem').length === 2,
    );
    expect(audits.filter((a) => a.properties.ObjectType === 'QuarantinedItem').map((a) => [a.insertion_strings[1], a.properties.ObjectName])).toEqual(
      [
        ['RetryQuarantinedItem', `status-manager.inbox ${broken.uid}`],
        ['DiscardQuarantinedItem', `status-manager.inbox ${dropped.uid}`],
      ],
    );
  });

  it('counts another attempt when the same poison message comes again, with one row for it', async () => {
    const poison = { ...wire(testMessage({ systemName: 'WKS-AGAIN' })), properties: { '\udfff': 'v' } };
    await intoInbox([poison]);
    const first = await eventually(
      () => listQuarantinedItems({ state: 'QUARANTINED', limit: 50, offset: 0 }),
      (page) => page.rows.some((r) => r.itemKey === poison.uid),
    );
    const id = first.rows.find((r) => r.itemKey === poison.uid)!.id;
    // A reporter that never got its answer sends the batch again.
    await intoInbox([poison]);
    const again = await eventually(
      () =>
        pool()
          .query(`SELECT id::text, state::text, attempts FROM quarantined_item WHERE item_key = $1`, [poison.uid])
          .then((r) => r.rows),
      (rows) => rows[0]?.attempts === 2,
    );
    expect(again).toEqual([{ id, state: 'QUARANTINED', attempts: 2 }]);
  });

  it('retries a batch whole after a transient failure and sets nothing aside', async () => {
    const { rows: before } = await pool().query(`SELECT count(*)::int AS n FROM quarantined_item`);
    failNextBatch = true;
    const messages: StatusMessage[] = [testMessage({ systemName: 'WKS-T1' }), testMessage({ systemName: 'WKS-T2' })];
    await intoInbox(messages.map(wire));
    for (const m of messages)
      expect(
        await eventually(
          () => stored(m.uid),
          (n) => n === 1,
        ),
      ).toBe(1);
    expect(failNextBatch).toBe(false);
    const { rows: after } = await pool().query(`SELECT count(*)::int AS n FROM quarantined_item`);
    expect(after[0].n).toBe(before[0].n);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateCollections } from '@/lib/collections/evaluate-collections';
import { pool } from '@/lib/db/pool';
import { decideQuarantinedItem } from '@/lib/quarantine-review/decide-quarantined-item';
import { statusMessageIds } from '@/lib/reporting/catalog';
import { useTestDatabase } from '../../support/database';

const actor = { principal: { userId: 1, userName: 'admin', role: 'FULL_ADMINISTRATOR' as const }, address: '192.0.2.9' };

async function collection(id: string) {
  const { rows } = await pool().query(`INSERT INTO collection (collection_id, name, updated_at) VALUES ($1::text, $1::text, now()) RETURNING id`, [
    id,
  ]);
  await pool().query(`INSERT INTO collection_rule (collection_id, kind, query) VALUES ($1, 'QUERY', $2)`, [
    rows[0].id,
    JSON.stringify({ conditions: [{ field: 'siteCode', value: 'T01' }] }),
  ]);
  return rows[0].id as number;
}

const memberCount = async (id: number) =>
  (await pool().query(`SELECT member_count FROM collection WHERE id = $1`, [id])).rows[0].member_count as number;

describe('collection evaluation with a collection the database refuses', () => {
  beforeAll(async () => {
    await useTestDatabase();
    const { rows } = await pool().query(`INSERT INTO site (code, name, updated_at) VALUES ('T01', 'Test', now()) RETURNING id`);
    await pool().query(
      `INSERT INTO device (site_id, name, os_name, os_version, os_kind, updated_at) VALUES ($1, 'WS-1', 'Windows 11', '10.0', 'WORKSTATION', now())`,
      [rows[0].id],
    );
  });

  it('sets the collection aside, evaluates the others, skips it until retried, then evaluates it', async () => {
    const first = await collection('T0000001');
    const poison = await collection('T0000002');
    const last = await collection('T0000003');
    // A constraint the poison collection's new count breaks: the database refuses that one row (23514).
    await pool().query(`ALTER TABLE collection ADD CONSTRAINT refuses_t2 CHECK (collection_id <> 'T0000002' OR member_count = 0)`);

    const result = await evaluateCollections({ db: pool() });
    expect(result.evaluated.map((e) => e.id)).toEqual([first, last]);
    expect(result.quarantined).toEqual([poison]);
    expect([await memberCount(first), await memberCount(poison), await memberCount(last)]).toEqual([1, 0, 1]);

    const { rows } = await pool().query(
      `SELECT id::text, item_key, error_code, attempts FROM quarantined_item WHERE source = 'collections.evaluation'`,
    );
    expect(rows).toEqual([{ id: expect.any(String), item_key: String(poison), error_code: '23514', attempts: 1 }]);
    const { rows: inbox } = await pool().query<{ messages: string }>(`SELECT messages::text AS messages FROM status_inbox`);
    const reported = inbox
      .flatMap((r) => JSON.parse(r.messages))
      .filter((m: { messageId: number }) => m.messageId === statusMessageIds.itemQuarantined);
    expect(reported).toEqual([expect.objectContaining({ severity: 'ERROR', component: 'SMS_COLLECTION_EVALUATOR' })]);

    // The next pass skips it: no new attempt, no new message.
    expect((await evaluateCollections({ db: pool() })).quarantined).toEqual([poison]);
    expect((await pool().query(`SELECT attempts FROM quarantined_item WHERE id = $1`, [rows[0].id])).rows[0].attempts).toBe(1);

    await pool().query(`ALTER TABLE collection DROP CONSTRAINT refuses_t2`);
    await decideQuarantinedItem({ id: rows[0].id, action: 'retry', actor });
    const again = await evaluateCollections({ db: pool() });
    expect(again.quarantined).toEqual([]);
    expect(await memberCount(poison)).toBe(1);
  });
});

import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { inTransaction } from '@/lib/db/transaction';
import { insertStatusMessages, STORED_UIDS_SQL, type StoredMessageRow } from '@/lib/status/message-repo';
import { ensureStatusPartitions, partitionName, dayStart } from '@/lib/status/partition-repo';
import { useTestDatabase } from '../../support/database';
import { planNodes, type PlanNode } from '../../support/query-plan';
import { testMessage } from './fixtures';

const DAY = 86_400_000;

/** Every node of a plan that reads a table or an index. */
const scans = (nodes: PlanNode[]) => nodes.filter((n) => /Scan$/.test(n['Node Type']) && n['Node Type'] !== 'Function Scan');

// A flood fills the day's partition far faster than autovacuum analyses it: the lookup of a
// batch's uids must go through the (uid, expires_at) index however stale the statistics are.
describe('the lookup of uids already stored', () => {
  const now = new Date();
  const expiresAt = new Date(now.getTime() + DAY);
  const loaded = partitionName(dayStart(expiresAt));

  beforeAll(async () => {
    await useTestDatabase();
    await ensureStatusPartitions({ db: pool(), now, daysAhead: 3 });
    // Statistics from when the partition was empty, then a day's worth of rows they do not know of.
    await pool().query(`ALTER TABLE ${loaded} SET (autovacuum_enabled = false)`);
    await pool().query(`ANALYZE ${loaded}`);
    await pool().query(
      `INSERT INTO status_message (uid, message_id, severity, type, source, site_code, system_name, component, source_time, received_at, expires_at)
       SELECT gen_random_uuid(), 10907, 'INFORMATIONAL', 'MILESTONE', 'CLIENT', 'S01', 'WKS' || g, 'Software Metering Agent', $1, $1, $2
         FROM generate_series(1, 20000) AS g`,
      [now, expiresAt],
    );
  });

  it('reads the (uid, expires_at) index of the window’s partitions, not every row of the window', async () => {
    const uids = Array.from({ length: 500 }, () => randomUUID());
    const window = [new Date(expiresAt.getTime() - DAY), new Date(expiresAt.getTime() + DAY)];
    // What reads the loaded partition (empty neighbours in the window may be read any way).
    const read = scans(await planNodes(STORED_UIDS_SQL, [uids, ...window])).filter((n) =>
      (n['Relation Name'] ?? n['Index Name'] ?? '').startsWith(loaded),
    );
    expect(read.length).toBeGreaterThan(0);
    for (const node of read) {
      if (node['Node Type'] === 'Bitmap Heap Scan') continue; // reads only what its index scan found
      expect(node['Index Name'], `${node['Node Type']} on ${node['Relation Name'] ?? node['Index Name']}`).toBe(`${loaded}_uid_expires_at_idx`);
    }
  });

  it('leaves out of a batch the messages stored before and stores the rest', async () => {
    const row = (): StoredMessageRow => ({ message: { ...testMessage(), sourceTime: now.toISOString() }, receivedAt: now, expiresAt });
    const first = [row(), row()];
    const again = [...first, row()];
    await inTransaction(pool(), async (client) => {
      expect(await insertStatusMessages(client, first)).toEqual(new Set(first.map((r) => r.message.uid)));
    });
    await inTransaction(pool(), async (client) => {
      expect(await insertStatusMessages(client, again)).toEqual(new Set([again[2].message.uid]));
    });
    const { rows } = await pool().query<{ n: number }>(`SELECT count(*)::int AS n FROM status_message WHERE uid = ANY($1::uuid[])`, [
      again.map((r) => r.message.uid),
    ]);
    expect(rows[0].n).toBe(3);
  });
});

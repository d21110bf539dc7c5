import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { inTransaction } from '@/lib/db/transaction';
import { expiryWindows, insertStatusMessages, STORED_UIDS_SQL, type StoredMessageRow } from '@/lib/status/message-repo';
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

  it('recognises a retried message of each retention in a batch that mixes a day’s retention with a month’s', async () => {
    const row = (days: number, arrived = now): StoredMessageRow => ({
      message: { ...testMessage(), sourceTime: now.toISOString() },
      receivedAt: arrived,
      expiresAt: new Date(arrived.getTime() + days * DAY),
    });
    const first = [row(1), row(30)];
    await inTransaction(pool(), async (client) => {
      await insertStatusMessages(client, first);
    });
    // The retry arrives an hour later: stamped an hour later expiry, still the same messages.
    const later = new Date(now.getTime() + 3_600_000);
    const retried = first.map((r) => ({ ...r, receivedAt: later, expiresAt: new Date(r.expiresAt.getTime() + 3_600_000) }));
    const fresh = row(7, later);
    await inTransaction(pool(), async (client) => {
      expect(await insertStatusMessages(client, [...retried, fresh])).toEqual(new Set([fresh.message.uid]));
    });
  });
});

describe('the expiry windows a batch’s uids are looked up in', () => {
  const at = Date.parse('2026-12-05T10:00:00Z');
  const row = (expiresAt: number): StoredMessageRow => ({
    message: { ...testMessage(), sourceTime: new Date(at).toISOString() },
    receivedAt: new Date(at),
    expiresAt: new Date(expiresAt),
  });

  it('is one window a day either side when every row expires within a day', () => {
    const rows = [row(at + DAY), row(at + DAY + 3_600_000), row(at + 2 * DAY)];
    expect(expiryWindows(rows)).toEqual([{ from: new Date(at), to: new Date(at + 3 * DAY), uids: rows.map((r) => r.message.uid) }]);
  });

  it('gives each retention of a mixed batch a window of its own, never one spanning the month between them', () => {
    const day = [row(at + DAY), row(at + DAY + 60_000)];
    const month = [row(at + 30 * DAY), row(at + 30 * DAY - 60_000)];
    const windows = expiryWindows([month[0], day[0], month[1], day[1]]);
    expect(windows.map((w) => [w.from, w.to])).toEqual([
      [new Date(at), new Date(at + 2 * DAY + 60_000)],
      [new Date(at + 29 * DAY - 60_000), new Date(at + 31 * DAY)],
    ]);
    expect(windows.map((w) => new Set(w.uids))).toEqual([new Set(day.map((r) => r.message.uid)), new Set(month.map((r) => r.message.uid))]);
    for (const w of windows) expect(w.to.getTime() - w.from.getTime()).toBeLessThanOrEqual(3 * DAY);
  });

  it('is none for no rows', () => {
    expect(expiryWindows([])).toEqual([]);
  });
});

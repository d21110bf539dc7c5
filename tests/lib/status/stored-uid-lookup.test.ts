import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { inTransaction } from '@/lib/db/transaction';
import { expiryWindows, insertStatusMessages, recordProcessedUids, STORED_UIDS_SQL, type StoredMessageRow } from '@/lib/status/message-repo';
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

// A message the rules now discard may have been stored before, under rules since changed; it is
// looked for only where the retentions stored with lately would have put it.
describe('the lookup of discarded messages stored before', () => {
  const now = new Date();
  const row = (days: number): StoredMessageRow => ({
    message: { ...testMessage(), sourceTime: now.toISOString() },
    receivedAt: now,
    expiresAt: new Date(now.getTime() + days * DAY),
  });
  /** Scans (of any kind) each status_message partition has had, by partition. */
  const scansByPartition = async () => {
    await pool().query('SELECT pg_stat_force_next_flush()');
    const { rows } = await pool().query<{ name: string; scans: string }>(
      `SELECT relname AS name, (coalesce(seq_scan, 0) + coalesce(idx_scan, 0))::text AS scans FROM pg_stat_user_tables WHERE relname LIKE 'status_message_p%'`,
    );
    return new Map(rows.map((r) => [r.name, Number(r.scans)]));
  };

  beforeAll(async () => {
    await useTestDatabase();
    await ensureStatusPartitions({ db: pool(), now, daysAhead: 40 });
  });

  it('records the retentions stored with, once within the hour', async () => {
    await inTransaction(pool(), (client) => insertStatusMessages(client, [row(1), row(30)]));
    const recorded = async () =>
      (await pool().query<{ days: number; at: Date }>(`SELECT retention_days AS days, last_used_at AS at FROM status_retention_used ORDER BY 1`))
        .rows;
    const first = await recorded();
    expect(first.map((r) => r.days)).toEqual([1, 30]);
    await inTransaction(pool(), (client) => insertStatusMessages(client, [row(1), row(30), row(7)]));
    const second = await recorded();
    expect(second.map((r) => r.days)).toEqual([1, 7, 30]);
    // The fresh ones were read, not written again.
    expect(second.filter((r) => r.days !== 7)).toEqual(first);
  });

  it('recognises a copy stored with any retention used lately, and records only the new uids', async () => {
    const stored = [row(1), row(7), row(30)];
    await inTransaction(pool(), (client) => insertStatusMessages(client, stored));
    // The retries arrive an hour later, now discarded by the rules.
    const later = new Date(now.getTime() + 3_600_000);
    const fresh = randomUUID();
    const items = [...stored.map((r) => ({ uid: r.message.uid, receivedAt: later })), { uid: fresh, receivedAt: later }];
    expect(await inTransaction(pool(), (client) => recordProcessedUids(client, items))).toEqual(new Set([fresh]));
    expect(await inTransaction(pool(), (client) => recordProcessedUids(client, items))).toEqual(new Set());
  });

  it('reads only the partitions around the expiries those retentions give, not every partition', async () => {
    const before = await scansByPartition();
    await inTransaction(pool(), (client) => recordProcessedUids(client, [{ uid: randomUUID(), receivedAt: now }]));
    const after = await scansByPartition();
    const read = [...after].filter(([name, scans]) => scans > (before.get(name) ?? 0)).map(([name]) => name);
    // Retentions 1, 7 and 30 days: a day either side of each expiry, some ten partitions of forty-one.
    const near = new Set([1, 7, 30].flatMap((days) => [-1, 0, 1, 2].map((d) => partitionName(dayStart(new Date(now.getTime() + (days + d) * DAY))))));
    expect(read.length).toBeGreaterThan(0);
    for (const name of read) expect(near, name).toContain(name);
  });
});

describe('the expiry windows a batch’s uids are looked up in', () => {
  const at = Date.parse('2026-12-05T10:00:00Z');
  const row = (expiresAt: number) => ({ uid: randomUUID(), expiresAt: new Date(expiresAt) });

  it('is one window a day either side when every row expires within a day', () => {
    const rows = [row(at + DAY), row(at + DAY + 3_600_000), row(at + 2 * DAY)];
    expect(expiryWindows(rows)).toEqual([{ from: new Date(at), to: new Date(at + 3 * DAY), uids: rows.map((r) => r.uid) }]);
  });

  it('gives each retention of a mixed batch a window of its own, never one spanning the month between them', () => {
    const day = [row(at + DAY), row(at + DAY + 60_000)];
    const month = [row(at + 30 * DAY), row(at + 30 * DAY - 60_000)];
    const windows = expiryWindows([month[0], day[0], month[1], day[1]]);
    expect(windows.map((w) => [w.from, w.to])).toEqual([
      [new Date(at), new Date(at + 2 * DAY + 60_000)],
      [new Date(at + 29 * DAY - 60_000), new Date(at + 31 * DAY)],
    ]);
    expect(windows.map((w) => new Set(w.uids))).toEqual([new Set(day.map((r) => r.uid)), new Set(month.map((r) => r.uid))]);
    for (const w of windows) expect(w.to.getTime() - w.from.getTime()).toBeLessThanOrEqual(3 * DAY);
  });

  it('is none for no rows', () => {
    expect(expiryWindows([])).toEqual([]);
  });
});

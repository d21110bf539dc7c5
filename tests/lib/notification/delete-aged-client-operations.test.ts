// Retention of client operations on a real database: operations whose validity ended (or that
// were cancelled) longer ago than the site's retention go with their per-device results and
// pushes; newer ones and those still valid stay.
import { beforeAll, describe, expect, it } from 'vitest';
import { provisionSimulatedFleet } from '@/bench/support/provision-simulated-fleet';
import { pool } from '@/lib/db/pool';
import { deleteAgedClientOperations } from '@/lib/notification/delete-aged-client-operations';
import { useTestDatabase } from '../../support/database';

const DAY = 86_400_000;
const now = new Date('2026-12-03T12:00:00Z');
const clock = { now: () => now };

/** An operation valid until `validUntil` (cancelled at `cancelledAt`), with a result per device and a push. */
async function operation(deviceIds: number[], validUntil: Date, cancelledAt: Date | null = null): Promise<number> {
  const { rows } = await pool().query<{ id: number }>(
    `INSERT INTO client_operation (action, target_name, started_by, started_at, valid_until, cancelled_at, total, online_at_start)
     VALUES ('RUN_SCRIPT', 'test', 'admin', $1::timestamptz - interval '1 hour', $1, $2, $3, $3) RETURNING id`,
    [validUntil, cancelledAt, deviceIds.length],
  );
  const id = rows[0].id;
  await pool().query(
    `INSERT INTO client_operation_target (operation_id, device_id, state, result)
     SELECT $1, d, 'SUCCEEDED', '{"script":{"exitCode":0}}'::jsonb FROM unnest($2::int[]) d`,
    [id, deviceIds],
  );
  await pool().query(`INSERT INTO notification_push (operation_id, kind) VALUES ($1, 'START')`, [id]);
  return id;
}
const remaining = async (table: string, ids: number[]) =>
  Number(
    (await pool().query(`SELECT count(*) n FROM ${table} WHERE ${table === 'client_operation' ? 'id' : 'operation_id'} = ANY($1::int[])`, [ids]))
      .rows[0].n,
  );

describe('deleteAgedClientOperations', () => {
  let devices: number[];
  beforeAll(async () => {
    await useTestDatabase();
    devices = (await provisionSimulatedFleet({ db: pool(), siteCode: 'S01', prefix: 'RET-', count: 3 })).deviceIds;
  });

  it('deletes operations ended longer ago than the retention with their results, and keeps the rest', async () => {
    const old = await operation(devices, new Date(now.getTime() - 100 * DAY));
    const cancelledLongAgo = await operation(devices, new Date(now.getTime() + DAY), new Date(now.getTime() - 91 * DAY));
    const recent = await operation(devices, new Date(now.getTime() - 80 * DAY));
    const running = await operation(devices, new Date(now.getTime() + DAY));
    const deleted = await deleteAgedClientOperations({ db: pool(), retentionDays: 90, clock });
    expect(deleted.sort()).toEqual([old, cancelledLongAgo].sort());
    expect(await remaining('client_operation', [old, cancelledLongAgo])).toBe(0);
    expect(await remaining('client_operation_target', [old, cancelledLongAgo])).toBe(0);
    expect(await remaining('notification_push', [old, cancelledLongAgo])).toBe(0);
    expect(await remaining('client_operation', [recent, running])).toBe(2);
    expect(await remaining('client_operation_target', [recent, running])).toBe(6);
    // Run again: nothing more is due.
    expect(await deleteAgedClientOperations({ db: pool(), retentionDays: 90, clock })).toEqual([]);
  });

  it('deletes a long backlog batch after batch', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 45; i++) ids.push(await operation(devices.slice(0, 1), new Date(now.getTime() - 200 * DAY)));
    expect((await deleteAgedClientOperations({ db: pool(), retentionDays: 90, clock })).length).toBe(45);
    expect(await remaining('client_operation', ids)).toBe(0);
  });
});

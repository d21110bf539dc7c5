// Retention of client operations on a real database: their per-device results and live query rows
// live in partitions of 100 operations; a block whose every operation ended (validity over, or
// cancelled) longer ago than the site's retention goes whole, by dropping its partitions, with its
// operations and pushes; a block holding an operation not yet due, or ids not yet given out, stays.
import { beforeAll, describe, expect, it } from 'vitest';
import { provisionSimulatedFleet } from '@/bench/support/provision-simulated-fleet';
import { pool } from '@/lib/db/pool';
import { inTransaction } from '@/lib/db/transaction';
import { deleteAgedClientOperations } from '@/lib/notification/delete-aged-client-operations';
import { listOperationBlocks, makeNextOperationBlock, OPERATIONS_PER_PARTITION } from '@/lib/notification/operation-partitions-repo';
import * as repo from '@/lib/notification/repo';
import { useTestDatabase } from '../../support/database';

const DAY = 86_400_000;
const now = new Date('2026-12-03T12:00:00Z');
const clock = { now: () => now };

/** An operation valid until `validUntil` (cancelled at `cancelledAt`), with a result and a live query row per device, and a push. */
async function operation(deviceIds: number[], validUntil: Date, cancelledAt: Date | null = null): Promise<number> {
  const created = await inTransaction(pool(), (client) =>
    repo.insertOperation(client, {
      action: 'LIVE_QUERY',
      target: { deviceIds },
      targetName: 'test',
      startedBy: 'admin',
      startedAt: new Date(validUntil.getTime() - 3_600_000),
      validUntil,
      liveQuery: { text: 'os' },
    }),
  );
  await makeNextOperationBlock(pool(), created.id);
  await inTransaction(pool(), (client) => repo.materializeTargets(client, created.id));
  await repo.recordResults(
    pool(),
    deviceIds.map((deviceId) => ({
      operationId: created.id,
      deviceId,
      outcome: 'SUCCEEDED' as const,
      detail: { message: 'ok', durationMs: 1, liveQuery: { rows: [{ hostname: 'h' }], rowCount: 1, truncated: false } },
      completedAt: now,
      receivedAt: now,
    })),
  );
  if (cancelledAt) await pool().query(`UPDATE client_operation SET cancelled_at = $2 WHERE id = $1`, [created.id, cancelledAt]);
  await pool().query(`INSERT INTO notification_push (operation_id, kind) VALUES ($1, 'START')`, [created.id]);
  return created.id;
}
const count = async (table: string, ids: number[]) =>
  Number(
    (await pool().query(`SELECT count(*) n FROM ${table} WHERE ${table === 'client_operation' ? 'id' : 'operation_id'} = ANY($1::int[])`, [ids]))
      .rows[0].n,
  );
/** Operations until the next id starts a block of its own. */
async function fillBlock(deviceIds: number[], validUntil: Date): Promise<number[]> {
  const ids: number[] = [];
  for (;;) {
    const id = await operation(deviceIds, validUntil);
    ids.push(id);
    if ((id + 1) % OPERATIONS_PER_PARTITION === 0) return ids;
  }
}

describe('deleteAgedClientOperations', () => {
  let devices: number[];
  beforeAll(async () => {
    await useTestDatabase();
    devices = (await provisionSimulatedFleet({ db: pool(), siteCode: 'S01', prefix: 'RET-', count: 3 })).deviceIds;
  });

  it('drops a block whose every operation is due, with its results, rows and pushes, and keeps blocks that are not', async () => {
    const old = new Date(now.getTime() - 100 * DAY);
    // Block 0: all due, one of them by a cancel long ago although valid for another day.
    const dueBlock = [
      await operation(devices, new Date(now.getTime() + DAY), new Date(now.getTime() - 91 * DAY)),
      ...(await fillBlock(devices, old)),
    ];
    // Block 1: due but for one operation that ended 80 days ago.
    const recent = await operation(devices, new Date(now.getTime() - 80 * DAY));
    const keptBlock = [recent, ...(await fillBlock(devices.slice(0, 1), old))];
    // Block 2: its ids are not all given out yet.
    const running = await operation(devices, old);
    expect(await count('client_operation_target', dueBlock)).toBe(dueBlock.length * 3);
    expect(await count('live_query_row', dueBlock)).toBeGreaterThan(0);

    const deleted = await deleteAgedClientOperations({ db: pool(), retentionDays: 90, clock });
    expect(deleted.sort((a, b) => a - b)).toEqual(dueBlock.sort((a, b) => a - b));
    for (const table of ['client_operation', 'client_operation_target', 'live_query_row', 'notification_push'])
      expect(await count(table, dueBlock)).toBe(0);
    expect(await listOperationBlocks(pool())).toEqual([1, 2, 3]);
    expect(await count('client_operation', [...keptBlock, running])).toBe(keptBlock.length + 1);
    expect(await count('client_operation_target', [recent])).toBe(3);
    expect(await count('live_query_row', [running])).toBe(3);
    // Run again: nothing more is due.
    expect(await deleteAgedClientOperations({ db: pool(), retentionDays: 90, clock })).toEqual([]);
    // Once the last operation of block 1 is due too, the block goes.
    const later = { now: () => new Date(now.getTime() + 11 * DAY) };
    expect((await deleteAgedClientOperations({ db: pool(), retentionDays: 90, clock: later })).sort((a, b) => a - b)).toEqual(
      keptBlock.sort((a, b) => a - b),
    );
  }, 120_000);

  it('answers arriving for an operation whose block was dropped are recorded as nothing, without an error', async () => {
    const changed = await repo.recordResults(pool(), [
      { operationId: 1, deviceId: devices[0], outcome: 'SUCCEEDED', detail: { message: 'late', durationMs: 1 }, completedAt: now, receivedAt: now },
    ]);
    expect(changed).toEqual([]);
  });
});

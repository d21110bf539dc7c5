// The live counts a management point tells the console while answers pour in: the first change at
// once, changes within an interval together at its end, and the last one always.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels } from '@/lib/db/channels';
import { pool } from '@/lib/db/pool';
import { inTransaction } from '@/lib/db/transaction';
import { logger } from '@/lib/logger';
import { ProgressNotifier } from '@/lib/notification/progress-notifier';
import * as repo from '@/lib/notification/repo';
import { useTestDatabase } from '../../support/database';
import { eventually, fleet } from './fleet';

type Told = { progress: { id: number; states: Record<string, number> }[] };

describe('ProgressNotifier', () => {
  let listener: pg.Client;
  const told: Told[] = [];

  beforeAll(async () => {
    const { url } = await useTestDatabase();
    listener = new pg.Client({ connectionString: url });
    await listener.connect();
    listener.on('notification', (n) => told.push(JSON.parse(n.payload ?? '{}') as Told));
    await listener.query(`LISTEN ${channels.clientOperationProgress}`);
  });
  afterAll(async () => {
    await listener.end();
  });

  it('tells the first change at once, the changes of an interval together at its end, and nothing more', async () => {
    const { deviceIds } = await fleet('PROGRESS-', 3);
    const operation = await inTransaction(pool(), async (client) => {
      const created = await repo.insertOperation(client, {
        action: 'DOWNLOAD_COMPUTER_POLICY',
        target: { deviceIds },
        targetName: 'test',
        startedBy: 'admin',
        startedAt: new Date(),
        validUntil: new Date(Date.now() + 3_600_000),
      });
      await repo.materializeTargets(client, created.id);
      return created;
    });
    const notifier = new ProgressNotifier({ db: pool(), log: logger, intervalMs: 1_000 });

    notifier.changed([operation.id]);
    await eventually(
      async () => told.length,
      (n) => n === 1,
    );
    expect(told[0].progress).toEqual([{ id: operation.id, states: expect.objectContaining({ WAITING: 3, SUCCEEDED: 0 }) }]);

    // Three answers, each told as its batch commits: one notification, with all three counted.
    for (const deviceId of deviceIds) {
      await pool().query(`UPDATE client_operation_target SET state = 'SUCCEEDED' WHERE operation_id = $1 AND device_id = $2`, [
        operation.id,
        deviceId,
      ]);
      notifier.changed([operation.id]);
    }
    await eventually(
      async () => told.length,
      (n) => n >= 2,
    );
    expect(told[1].progress).toEqual([{ id: operation.id, states: expect.objectContaining({ WAITING: 0, SUCCEEDED: 3 }) }]);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(told).toHaveLength(2);

    // A stop tells what is pending without waiting for the interval.
    notifier.changed([operation.id]);
    notifier.changed([operation.id]);
    await notifier.flush();
    await eventually(
      async () => told.length,
      (n) => n === 3,
    );
  });
});

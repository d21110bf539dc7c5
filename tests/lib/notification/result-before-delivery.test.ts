// A client's result can reach the site before its acknowledgement of the push is written (the
// notification server holds deliveries a moment to batch them): the target is then Delivered no
// later than it Completed, not at the result's arrival after it.
import { beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { listOperationTargetsQuerySchema } from '@/lib/notification/client-operation.schema';
import { listOperationTargets } from '@/lib/notification/list-client-operations';
import { materializeOperationTargets } from '@/lib/notification/materialize-operation-targets';
import * as repo from '@/lib/notification/repo';
import { startClientOperation } from '@/lib/notification/start-client-operation';
import { useTestDatabase } from '../../support/database';
import { admin, fleet } from './fleet';

let deviceId: number;
beforeAll(async () => {
  await useTestDatabase();
  deviceId = (await fleet('EARLY-', 1)).credentials[0].deviceId;
});

describe('a result stored before its delivery', () => {
  it('shows the target delivered no later than it completed', async () => {
    const operation = await startClientOperation({
      actor: admin,
      input: { action: 'HARDWARE_INVENTORY_CYCLE', target: { deviceIds: [deviceId] } },
      settings: { operationValidityMinutes: 60 },
    });
    await materializeOperationTargets({ db: pool(), operationIds: [operation.id] });
    const receivedAt = new Date(Date.now() + 1_000);
    const completedAt = new Date(receivedAt.getTime() - 50);
    await repo.recordResults(pool(), [
      {
        operationId: operation.id,
        deviceId,
        outcome: 'SUCCEEDED',
        detail: { message: 'Hardware inventory sent.', durationMs: 40 },
        completedAt,
        receivedAt,
      },
    ]);
    // The held acknowledgement, written after the result, changes nothing.
    await repo.recordDeliveries(pool(), [{ operationId: operation.id, deviceId, at: new Date(receivedAt.getTime() + 200) }]);

    const [target] = (await listOperationTargets(operation.id, listOperationTargetsQuerySchema.parse({}))).rows;
    expect(target.completedAt).toBe(completedAt.toISOString());
    expect(Date.parse(target.deliveredAt!)).toBeLessThanOrEqual(Date.parse(target.completedAt!));
  });
});

// A delivery is held for a moment before it is written: when the result follows within it, the
// target row is updated once (to its result), not twice; a delivery with no result is still written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '@/lib/clock';
import { pool } from '@/lib/db/pool';
import { expireClientOperations, SILENT_TARGET_MESSAGE } from '@/lib/notification/expire-client-operations';
import { getClientOperationOrThrow, listOperationTargets } from '@/lib/notification/list-client-operations';
import { agentEvents, MAX_ACTION_DURATION_MS } from '@/lib/protocol/agent-protocol.schema';
import { startClientOperation } from '@/lib/notification/start-client-operation';
import { useTestDatabase } from '../../support/database';
import { admin, eventually, fleet, targetStates } from './fleet';
import { TestManagementPoint } from './management-point';
import { heldAgentSocket, quickScanPushedToOne, rawSockets } from './raw-agent-socket';

let mp: TestManagementPoint;

beforeAll(async () => {
  const { url } = await useTestDatabase();
  mp = new TestManagementPoint({ connectionString: url });
  await mp.start();
  // Every update of a target row, as it happens (a row trigger on the partitioned table reaches each partition).
  await pool().query(`
    CREATE TABLE target_update_log (operation_id int, device_id int, state text);
    CREATE FUNCTION log_target_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO target_update_log VALUES (NEW.operation_id, NEW.device_id, NEW.state::text); RETURN NEW; END $$;
    CREATE TRIGGER log_target_update AFTER UPDATE ON client_operation_target FOR EACH ROW EXECUTE FUNCTION log_target_update();`);
});

afterAll(async () => {
  rawSockets.forEach((s) => s.disconnect());
  await mp?.stop();
});

async function updatesOf(operationId: number, deviceId: number): Promise<string[]> {
  const { rows } = await pool().query<{ state: string }>(`SELECT state FROM target_update_log WHERE operation_id = $1 AND device_id = $2`, [
    operationId,
    deviceId,
  ]);
  return rows.map((r) => r.state);
}

describe('deliveries', () => {
  it('are not written when the result follows within the hold, and are written when it does not', async () => {
    const { credentials } = await fleet('HOLD-', 2);
    const [quick, slow] = await Promise.all(credentials.map((c) => heldAgentSocket(mp, `Device ${c.deviceId}.${c.secret}`)));
    const pushed = Promise.all([quick, slow].map((s) => new Promise<{ operationId: number }>((resolve) => s.once(agentEvents.push, resolve))));
    const operation = await startClientOperation({
      actor: admin,
      settings: { operationValidityMinutes: 60 },
      input: { action: 'QUICK_SCAN', target: { deviceIds: credentials.map((c) => c.deviceId) } },
    });
    await pushed;

    for (const socket of [quick, slow]) socket.emit(agentEvents.delivered, { operationId: operation.id });
    // Several of the management point's flushes (every 50 ms here) pass before the quick one answers.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const answer = await quick.emitWithAck(agentEvents.result, {
      operationId: operation.id,
      outcome: 'SUCCEEDED',
      detail: { message: 'scanned', durationMs: 5 },
      completedAt: new Date().toISOString(),
    });
    expect(answer).toEqual({ stored: true });

    await eventually(
      () => targetStates(operation.id),
      (s) => s.SUCCEEDED === 1 && s.DELIVERED === 1,
    );
    expect(await updatesOf(operation.id, credentials[0].deviceId)).toEqual(['SUCCEEDED']);
    expect(await updatesOf(operation.id, credentials[1].deviceId)).toEqual(['DELIVERED']);
    const { rows } = await pool().query<{ device_id: number; delivered: boolean }>(
      `SELECT device_id, delivered_at IS NOT NULL AS delivered FROM client_operation_target WHERE operation_id = $1 ORDER BY device_id`,
      [operation.id],
    );
    expect(rows.map((r) => r.delivered)).toEqual([true, true]);
  });

  it('of a result whose write failed are still written: the agent sends the result again later', async () => {
    const { socket, operation } = await quickScanPushedToOne(mp, 'HOLDF-');
    // The management point's next write of answers for this operation fails once.
    await pool().query(`
      CREATE TABLE fail_answers_of (operation_id int);
      CREATE FUNCTION fail_answers() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM fail_answers_of f WHERE f.operation_id = NEW.operation_id) THEN RAISE EXCEPTION 'answers refused'; END IF;
          RETURN NEW;
        END $$;
      CREATE TRIGGER fail_answers BEFORE UPDATE ON client_operation_target FOR EACH ROW EXECUTE FUNCTION fail_answers();`);
    await pool().query(`INSERT INTO fail_answers_of VALUES ($1)`, [operation.id]);

    socket.emit(agentEvents.delivered, { operationId: operation.id });
    const answer = await socket.emitWithAck(agentEvents.result, {
      operationId: operation.id,
      outcome: 'SUCCEEDED',
      detail: { message: 'scanned', durationMs: 5 },
      completedAt: new Date().toISOString(),
    });
    expect(answer).toEqual({ stored: false });
    await pool().query(`DELETE FROM fail_answers_of`);

    await eventually(
      () => targetStates(operation.id),
      (s) => s.DELIVERED === 1,
    );
  });
});

describe('a target whose client took the action on and never answered', () => {
  it('is recorded Failed once the longest an action may run has passed, and a real answer that still comes replaces that', async () => {
    const { device, socket, operation } = await quickScanPushedToOne(mp, 'GONE-');
    socket.emit(agentEvents.delivered, { operationId: operation.id });
    await eventually(
      () => targetStates(operation.id),
      (s) => s.DELIVERED === 1,
    );
    socket.disconnect();
    const deliveredAt = (
      await pool().query<{ at: Date }>(`SELECT delivered_at AS at FROM client_operation_target WHERE operation_id = $1`, [operation.id])
    ).rows[0].at;
    const at = (ms: number) => manualClock(new Date(deliveredAt.getTime() + ms));

    // A Full Scan may run seven days and report on the eighth: until then it is in progress.
    expect((await expireClientOperations({ clock: at(MAX_ACTION_DURATION_MS - 60_000) })).writtenOff).not.toContain(operation.id);
    expect(await targetStates(operation.id)).toEqual({ DELIVERED: 1 });

    // (Past the operation's hour of validity too: a push goes out only within it.)
    const after = at(MAX_ACTION_DURATION_MS + 61 * 60_000);
    // (Earlier tests of this file left silent targets of their own.)
    expect((await expireClientOperations({ clock: after })).writtenOff).toContain(operation.id);
    expect((await expireClientOperations({ clock: after })).writtenOff).toEqual([]);
    const listed = await listOperationTargets(operation.id, { page: 1, pageSize: 5 });
    expect(listed.rows[0]).toMatchObject({ state: 'FAILED', result: { message: SILENT_TARGET_MESSAGE } });
    const counts = (await getClientOperationOrThrow(operation.id, after)).counts;
    expect(counts).toMatchObject({ inProgress: 0, failed: 1, status: 'COMPLETED' });

    // The client comes back after all, with the result of what it did.
    const back = await heldAgentSocket(mp, `Device ${device.deviceId}.${device.secret}`);
    const answer = await back.emitWithAck(agentEvents.result, {
      operationId: operation.id,
      outcome: 'SUCCEEDED',
      detail: { message: 'scanned at last', durationMs: 5 },
      completedAt: new Date().toISOString(),
    });
    expect(answer).toEqual({ stored: true });
    await eventually(
      () => listOperationTargets(operation.id, { page: 1, pageSize: 5 }),
      (p) => p.rows[0]?.state === 'SUCCEEDED',
    );
    expect((await listOperationTargets(operation.id, { page: 1, pageSize: 5 })).rows[0].result).toEqual({
      message: 'scanned at last',
      durationMs: 5,
    });
  });
});

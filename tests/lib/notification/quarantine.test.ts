import { syntheticScanner } from '@/lib/agent/scan/synthetic-scanner';
import { io as connectAgent, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientAgent } from '@/lib/agent/agent';
import { pool } from '@/lib/db/pool';
import { agentEvents } from '@/lib/protocol/agent-protocol.schema';
import { recordAnswers } from '@/lib/notification/record-answers';
import { startClientOperation } from '@/lib/notification/start-client-operation';
import { decideQuarantinedItem } from '@/lib/quarantine-review/decide-quarantined-item';
import { statusMessageIds } from '@/lib/reporting/catalog';
import { useTestDatabase } from '../../support/database';
import { admin, eventually, fleet, onlineCount, targetStates } from './fleet';
import { TestManagementPoint } from './management-point';

let connectionString = '';
let mp: TestManagementPoint;

beforeAll(async () => {
  ({ url: connectionString } = await useTestDatabase());
  mp = new TestManagementPoint({ connectionString });
  await mp.start();
});

afterAll(async () => {
  await mp.stop();
});

const quarantined = async (source: string) =>
  (
    await pool().query(`SELECT id::text, item_key, error, error_code, attempts, state::text FROM quarantined_item WHERE source = $1 ORDER BY id`, [
      source,
    ])
  ).rows;

/** The Error status messages waiting in the inbox (no Status Manager runs here) that name a quarantined item. */
async function quarantineMessages() {
  const { rows } = await pool().query<{ messages: string }>(`SELECT messages::text AS messages FROM status_inbox ORDER BY id`);
  return rows
    .flatMap((r) => JSON.parse(r.messages) as { messageId: number; severity: string; component: string; insertionStrings: string[] }[])
    .filter((m) => m.messageId === statusMessageIds.itemQuarantined);
}

const result = (operationId: number, message = 'done') => ({
  operationId,
  outcome: 'SUCCEEDED' as const,
  detail: { message, durationMs: 5 },
  completedAt: new Date().toISOString(),
});

describe('notification answers with a poison item', () => {
  it('sets aside a delivery the database refuses and records every other delivery and result of the flush', async () => {
    const { deviceIds } = await fleet('QA-', 2);
    const [a, b] = deviceIds;
    const operation = await startClientOperation({
      actor: admin,
      settings: { operationValidityMinutes: 60 },
      input: { action: 'QUICK_SCAN', target: { deviceIds } },
    });
    const at = new Date();
    const recorded = await recordAnswers({
      db: pool(),
      deliveries: [
        { operationId: 3_000_000_000, deviceId: a, at },
        { operationId: operation.id, deviceId: b, at },
      ],
      results: [
        { deviceId: a, result: result(operation.id), receivedAt: at },
        { deviceId: b, result: result(operation.id), receivedAt: at },
      ],
    });
    expect(recorded.deliveriesQuarantined).toEqual([{ operationId: 3_000_000_000, deviceId: a, at }]);
    expect(recorded.resultsQuarantined).toEqual([]);
    expect([...recorded.changed]).toEqual([operation.id]);
    expect(await targetStates(operation.id)).toEqual({ SUCCEEDED: 2 });

    const [item] = await quarantined('notification.deliveries');
    expect(item).toMatchObject({ item_key: `3000000000:${a}`, error_code: '22003', attempts: 1, state: 'QUARANTINED' });
    expect(item.error).toMatch(/out of range for type integer/);
    expect(await quarantineMessages()).toContainEqual(
      expect.objectContaining({
        severity: 'ERROR',
        component: 'SMS_NOTIFICATION_SERVER',
        insertionStrings: ['SMS_NOTIFICATION_SERVER', 'notification.deliveries', `3000000000:${a}`, item.error],
      }),
    );

    // Retried as it is, it still fails: it stays quarantined and nothing is audited.
    await expect(decideQuarantinedItem({ id: item.id, action: 'retry', actor: admin })).rejects.toMatchObject({
      code: 'CONFLICT',
      userMessage: expect.stringMatching(/^The item still cannot be processed: /),
    });
    expect((await quarantined('notification.deliveries'))[0].state).toBe('QUARANTINED');
    await decideQuarantinedItem({ id: item.id, action: 'discard', actor: admin });
    expect((await quarantined('notification.deliveries'))[0].state).toBe('DISCARDED');
  });

  it('retries a quarantined result that can now be recorded', async () => {
    const { deviceIds } = await fleet('QR-', 1);
    const operation = await startClientOperation({
      actor: admin,
      settings: { operationValidityMinutes: 60 },
      input: { action: 'QUICK_SCAN', target: { deviceIds } },
    });
    // A result for an operation id that did not fit: set aside; once the id is corrected, retry records it.
    await recordAnswers({ db: pool(), deliveries: [], results: [{ deviceId: deviceIds[0], result: result(3_000_000_001), receivedAt: new Date() }] });
    const [item] = await quarantined('notification.results');
    expect(item).toMatchObject({ item_key: `3000000001:${deviceIds[0]}`, error_code: '22003' });
    await pool().query(`UPDATE quarantined_item SET payload = replace(payload, '3000000001', $2) WHERE id = $1`, [item.id, String(operation.id)]);
    expect(await decideQuarantinedItem({ id: item.id, action: 'retry', actor: admin })).toEqual({ id: item.id, state: 'RETRIED' });
    expect(await targetStates(operation.id)).toEqual({ SUCCEEDED: 1 });
  });

  it('keeps recording other agents’ results after an agent sends an operation id out of range', async () => {
    const { credentials, deviceIds } = await fleet('QS-', 3);
    const [rogue, ...honest] = credentials;
    const agents = honest.map(
      (c) =>
        new ClientAgent({
          managementPointUrls: [mp.url],
          credential: c,
          pollPolicy: false,
          scanner: syntheticScanner({ quickScanMs: 50, fullScanMs: 100 }),
          initialBackoffMs: 100,
          maxBackoffMs: 500,
        }),
    );
    const socket: Socket = connectAgent(`${mp.url}/agents`, {
      auth: { credential: `Device ${rogue.deviceId}.${rogue.secret}` },
      transports: ['websocket'],
    });
    try {
      await Promise.all(agents.map((agent) => agent.start()));
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      await eventually(
        () => onlineCount(deviceIds),
        (n) => n === 3,
      );
      socket.emit(agentEvents.delivered, { operationId: 3_000_000_000 });
      const operation = await startClientOperation({
        actor: admin,
        settings: { operationValidityMinutes: 60 },
        input: { action: 'QUICK_SCAN', target: { deviceIds: deviceIds.slice(1) } },
      });
      expect(
        await eventually(
          () => targetStates(operation.id),
          (s) => s.SUCCEEDED === 2,
        ),
      ).toEqual({ SUCCEEDED: 2 });
    } finally {
      socket.disconnect();
      await Promise.all(agents.map((agent) => agent.stop()));
    }
  });
});

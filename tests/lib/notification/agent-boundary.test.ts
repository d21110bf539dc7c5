// The `/agents` namespace refuses what the database cannot hold at the door: a credential whose id
// no column holds is an authentication error, and an event with an id beyond its column is answered
// with the field it names — while the agent's next, good event is still recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentEvents, type PayloadRefusal } from '@/lib/protocol/agent-protocol.schema';
import { useTestDatabase } from '../../support/database';
import { eventually, targetStates } from './fleet';
import { TestManagementPoint } from './management-point';
import { quickScanPushedToOne, rawAgentSocket, rawSockets } from './raw-agent-socket';

let mp: TestManagementPoint;

beforeAll(async () => {
  const { url } = await useTestDatabase();
  mp = new TestManagementPoint({ connectionString: url });
  await mp.start();
});

afterAll(async () => {
  rawSockets.forEach((s) => s.disconnect());
  await mp?.stop();
});

describe('the agent channel boundary', () => {
  it('refuses a credential whose id no device column holds as unauthenticated', async () => {
    for (const credential of [`Device 9999999999.${'A'.repeat(43)}`, `Device 2147483648.${'A'.repeat(43)}`]) {
      const error = await new Promise<Error>((resolve) => rawAgentSocket(mp, credential).once('connect_error', resolve));
      expect(error.message).toBe('UNAUTHENTICATED');
    }
  });

  it('answers an event naming an id beyond its column, and records the next good one', async () => {
    const { socket, operation, push } = await quickScanPushedToOne(mp, 'BND');
    expect(push.operationId).toBe(operation.id);

    const refused = new Promise<PayloadRefusal>((resolve) => socket.once(agentEvents.refused, resolve));
    socket.emit(agentEvents.delivered, { operationId: 3_000_000_000 });
    expect(await refused).toEqual({ event: agentEvents.delivered, field: 'operationId', message: expect.stringMatching(/2147483647/) });

    const answer = await socket.emitWithAck(agentEvents.result, {
      operationId: operation.id,
      outcome: 'SUCCEEDED',
      detail: { message: 'scanned\u0000', durationMs: 5 },
      completedAt: '2026-02-30T10:00:00.000Z',
    });
    expect(answer).toEqual({ stored: false, refused: { event: agentEvents.result, field: 'detail.message', message: expect.any(String) } });

    socket.emit(agentEvents.delivered, { operationId: operation.id });
    await eventually(
      () => targetStates(operation.id),
      (s) => s.DELIVERED === 1,
    );
    const stored = await socket.emitWithAck(agentEvents.result, {
      operationId: operation.id,
      outcome: 'SUCCEEDED',
      detail: { message: 'scanned', durationMs: 5, itemsScanned: 10 },
      completedAt: new Date().toISOString(),
    });
    expect(stored).toEqual({ stored: true });
    expect(await targetStates(operation.id)).toEqual({ SUCCEEDED: 1 });
  });
});

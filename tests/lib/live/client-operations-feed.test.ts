// Client operation notices reach the console over socket.io: started, cancelled and expired
// operations as they are announced; answers as per-state counts the console makes itself, and
// only while somebody has the Client Operations room open.
import { createServer } from 'node:http';
import pino from 'pino';
import { Server } from 'socket.io';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { channels } from '@/lib/db/channels';
import { pool } from '@/lib/db/pool';
import { inTransaction } from '@/lib/db/transaction';
import { attachClientOperationsFeed } from '@/lib/live/client-operations-feed';
import { attachConsoleNamespace } from '@/lib/live/console-namespace';
import { joinEvent, liveEvents, liveRooms } from '@/lib/live/rooms';
import * as repo from '@/lib/notification/repo';
import { connectConsoleSocket } from '../../support/console-socket';
import { useTestDatabase } from '../../support/database';
import { fleet } from '../notification/fleet';

const log = pino({ level: 'silent' });
type Notice = { progress?: { id: number; states: Record<string, number>; asOf: number }[]; changed?: number[] };

describe('client operations live feed', () => {
  const io = new Server(createServer());
  let feed: ReturnType<typeof attachClientOperationsFeed>;
  let socket: Socket;
  const received: Notice[] = [];
  const counted: number[][] = [];

  const until = async (check: () => boolean, ms = 5000) => {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error(`timed out; received ${JSON.stringify(received)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  beforeAll(async () => {
    const { url } = await useTestDatabase();
    const db = pool();
    // Every count the feed makes goes through this pool's query.
    const query = db.query.bind(db) as (...args: unknown[]) => Promise<unknown>;
    vi.spyOn(db, 'query').mockImplementation(((text: unknown, values: unknown) => {
      if (typeof text === 'string' && text.includes('GROUP BY operation_id, state')) counted.push((values as number[][])[0]);
      return query(text, values);
    }) as never);
    feed = attachClientOperationsFeed({ nsp: attachConsoleNamespace({ io, log }), db, connectionString: url, log, progressIntervalMs: 50 });
    socket = await connectConsoleSocket(io);
    socket.on(liveEvents.clientOperationsProgress, (notice: Notice) => received.push(notice));
    await feed.listening;
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    socket?.close();
    await feed?.close();
    void io.close();
  });

  it('counts answered operations for an open page, counts nothing for nobody, and relays the rest', async () => {
    const { deviceIds } = await fleet('FEED-', 3);
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

    // Nobody has the room open: an answer is not counted (given a second to be heard).
    await repo.notifyProgress(pool(), { answered: [operation.id] });
    await new Promise((r) => setTimeout(r, 1000));
    expect(counted).toEqual([]);
    expect(await socket.timeout(5000).emitWithAck(joinEvent, { room: liveRooms.clientOperations })).toEqual({ ok: true });
    // Notices that are not what the channel carries are set aside: none reaches the page, and the
    // feed goes on with the next.
    for (const hostile of ['null', 'not json', '{"answered":"x"}', '{"answered":[1.5]}', '{"changed":[1],"admin":true}']) {
      await pool().query(`SELECT pg_notify($1, $2)`, [channels.clientOperationProgress, hostile]);
    }
    // Started, cancelled and expired operations are relayed as they come.
    await repo.notifyProgress(pool(), { changed: [operation.id] });
    await until(() => received.length > 0);
    expect(received).toEqual([{ changed: [operation.id] }]);
    expect(counted).toEqual([]);
    received.length = 0;

    // The page is open: answers from several announcements are counted together, once.
    await pool().query(`UPDATE client_operation_target SET state = 'SUCCEEDED' WHERE operation_id = $1 AND device_id = $2`, [
      operation.id,
      deviceIds[0],
    ]);
    await repo.notifyProgress(pool(), { answered: [operation.id] });
    await until(() => received.length > 0);
    expect(received[0].progress).toEqual([
      { id: operation.id, states: expect.objectContaining({ WAITING: 2, SUCCEEDED: 1 }), asOf: expect.any(Number) },
    ]);
    const firstCounted = received[0].progress![0].asOf;
    for (const deviceId of deviceIds.slice(1)) {
      await pool().query(`UPDATE client_operation_target SET state = 'FAILED' WHERE operation_id = $1 AND device_id = $2`, [operation.id, deviceId]);
      await repo.notifyProgress(pool(), { answered: [operation.id] });
    }
    await until(() => received.some((n) => n.progress?.[0].states.FAILED === 2));
    expect(received.at(-1)!.progress).toEqual([
      { id: operation.id, states: expect.objectContaining({ WAITING: 0, SUCCEEDED: 1, FAILED: 2 }), asOf: expect.any(Number) },
    ]);
    // Stamped when counted, so a page can tell the later of two countings.
    expect(received.at(-1)!.progress![0].asOf).toBeGreaterThan(firstCounted);
    expect(counted.length).toBeLessThanOrEqual(3);
    expect(counted.every((ids) => ids.length === 1 && ids[0] === operation.id)).toBe(true);
  });
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { attachConsoleNamespace, CONSOLE_NAMESPACE } from '@/lib/live/console-namespace';
import { joinEvent, leaveEvent, liveEvents, liveRooms } from '@/lib/live/rooms';
import { attachStatusMessageTail } from '@/lib/live/status-message-tail';
import { appendToInbox } from '@/lib/reporting/inbox-repo';
import { processStatusBatch, type StatusManagerEffects } from '@/lib/status/process-status-batch';
import type { StatusTailBatch } from '@/lib/status-viewer/status-tail.schema';
import { signInAs } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';
import { testMessage, testRule } from '../status/fixtures';

const log = pino({ level: 'silent' });
const keep = [testRule({ writeToDatabase: true, retentionDays: 1 })];
const effects: StatusManagerEffects = {
  summarizers: async () => {},
  eventLog: () => {},
  programs: { run: () => {} },
  replicationEnabled: false,
};

async function store(count: number, perBatch = count) {
  for (let i = 0; i < count; i += perBatch) {
    const messages = Array.from({ length: Math.min(perBatch, count - i) }, (_, j) => testMessage({ insertionStrings: [`n${i + j}`, 'x.exe'] }));
    await appendToInbox({ db: pool(), messages, origin: 'mp' });
  }
  for (;;) {
    const r = await processStatusBatch({ db: pool(), rules: keep, effects, maxBatches: 1, log });
    if (!r.messages) return;
  }
}

describe('status message live tail', () => {
  const io = new Server(createServer());
  let base: string;
  let tail: ReturnType<typeof attachStatusMessageTail>;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    const { url } = await useTestDatabase();
    const nsp = attachConsoleNamespace({ io, log });
    tail = attachStatusMessageTail({ nsp, db: pool(), connectionString: url, log, intervalMs: 300, maxPerBatch: 50 });
    await new Promise<void>((resolve) => io.httpServer.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(io.httpServer.address() as AddressInfo).port}`;
    await tail.listening;
  });
  beforeEach(async () => {
    await pool().query('TRUNCATE status_message, status_inbox, status_processed_uid, status_counter');
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await tail.close();
    void io.close();
  });

  async function follower() {
    const user = await signInAs('READ_ONLY_ANALYST');
    const socket = connect(`${base}${CONSOLE_NAMESPACE}`, {
      transports: ['websocket'],
      reconnection: false,
      extraHeaders: { cookie: user.headers.cookie },
    });
    sockets.push(socket);
    const batches: StatusTailBatch[] = [];
    socket.on(liveEvents.statusMessagesStored, (b: StatusTailBatch) => batches.push(b));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const ack = await socket.timeout(5000).emitWithAck(joinEvent, { room: liveRooms.statusMessages });
    expect(ack).toEqual({ ok: true });
    return { socket, batches };
  }

  const until = async (check: () => boolean, ms = 5000) => {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  it('sends what Status Manager stored to the consoles that follow, rendered, and nothing to the others', async () => {
    const a = await follower();
    const b = await follower();
    expect(await b.socket.timeout(5000).emitWithAck(leaveEvent, { room: liveRooms.statusMessages })).toEqual({ ok: true });
    await store(3);
    await until(() => a.batches.flatMap((x) => x.messages).length === 3);
    const messages = a.batches.flatMap((x) => x.messages);
    expect(new Set(messages.map((m) => m.insertionStrings[0]))).toEqual(new Set(['n0', 'n1', 'n2']));
    expect(messages[0].description).toContain('x.exe');
    // A batch sent to both went out on b's socket before this round trip's answer.
    await b.socket.timeout(5000).emitWithAck(leaveEvent, { room: liveRooms.statusMessages });
    expect(b.batches).toEqual([]);
  });

  it('under a flood sends at most one capped batch per interval and counts what it left out', async () => {
    const a = await follower();
    const started = Date.now();
    await store(400, 20);
    await until(() => a.batches.reduce((n, x) => n + x.messages.length + x.more, 0) >= 400, 10_000);
    const elapsed = Date.now() - started;
    expect(a.batches.every((x) => x.messages.length <= 50)).toBe(true);
    // 20 committed batches, but no more than one message to the browser per 300 ms interval.
    expect(a.batches.length).toBeLessThanOrEqual(Math.ceil(elapsed / 300) + 1);
    expect(a.batches.some((x) => x.more > 0)).toBe(true);
    // Newest first within a batch.
    const ids = a.batches[a.batches.length - 1].messages.map((m) => BigInt(m.id));
    expect([...ids].sort((x, y) => (x < y ? 1 : x > y ? -1 : 0))).toEqual(ids);
  });

  it('misses nothing when Status Manager transactions commit out of order', async () => {
    const a = await follower();
    const first = [testMessage(), testMessage()];
    const second = [testMessage()];
    await appendToInbox({ db: pool(), messages: first, origin: 'mp' });
    await appendToInbox({ db: pool(), messages: second, origin: 'mp' });
    // Two concurrent transactions: the one holding the lower ids commits last.
    let reached!: () => void;
    let release!: () => void;
    const inside = new Promise<void>((r) => (reached = r));
    const gate = new Promise<void>((r) => (release = r));
    const held: StatusManagerEffects = {
      ...effects,
      summarizers: async () => {
        reached();
        await gate;
      },
    };
    const one = processStatusBatch({ db: pool(), rules: keep, effects: held, maxBatches: 1, log });
    await inside;
    await processStatusBatch({ db: pool(), rules: keep, effects, maxBatches: 1, log });
    await until(() => a.batches.flatMap((x) => x.messages).length === 1);
    release();
    await one;
    const ids = (await pool().query<{ id: string; uid: string }>(`SELECT id::text, uid::text FROM status_message ORDER BY id`)).rows;
    expect(
      ids
        .slice(0, 2)
        .map((r) => r.uid)
        .sort(),
    ).toEqual(first.map((m) => m.uid).sort());
    await until(() => new Set(a.batches.flatMap((x) => x.messages.map((m) => m.uid))).size === 3);
  });
});

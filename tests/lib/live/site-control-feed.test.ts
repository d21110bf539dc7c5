import { createServer } from 'node:http';
import { Server } from 'socket.io';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '@/lib/config';
import { pool } from '@/lib/db/pool';
import { logger } from '@/lib/logger';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { readSiteControl } from '@/lib/sitecontrol/read-site-settings';
import type { DeltaEvent } from '@/lib/sitecontrol/site-control-change.schema';
import { submitSiteControlChange } from '@/lib/sitecontrol/submit-site-control-change';
import { channels } from '@/lib/db/channels';
import { attachConsoleNamespace } from '@/lib/live/console-namespace';
import { joinEvent, liveEvents, liveRooms } from '@/lib/live/rooms';
import { attachSiteControlFeed } from '@/lib/live/site-control-feed';
import { carryChanges } from '../sitecontrol/carry-changes';
import { connectConsoleSocket } from '../../support/console-socket';
import { useTestDatabase } from '../../support/database';

describe('site control feed on the console channel', () => {
  const io = new Server(createServer());
  let feed: { close(): Promise<void> };
  let socket: Socket;

  beforeAll(async () => {
    await useTestDatabase();
    await seedDemoSite({ devices: 0 });
    feed = attachSiteControlFeed({ nsp: attachConsoleNamespace({ io, log: logger }), connectionString: config().databaseUrl, log: logger });
    socket = await connectConsoleSocket(io);
    expect(await socket.timeout(5000).emitWithAck(joinEvent, { room: liveRooms.siteControl })).toEqual({ ok: true });
  });
  afterAll(async () => {
    socket.close();
    await feed.close();
    void io.close();
  });

  it('sends each state a change enters, ending with its serial', async () => {
    const events: DeltaEvent[] = [];
    socket.on(liveEvents.siteControlDelta, (e: DeltaEvent) => events.push(e));
    // The feed listens once a notification of its own makes it through.
    const probe = { id: 0, siteControlId: 0, state: 'PENDING', appliedSerial: null };
    await expect
      .poll(
        async () => {
          await pool().query(`SELECT pg_notify($1, $2)`, [channels.siteControlDelta, JSON.stringify(probe)]);
          return events.some((e) => e.id === 0);
        },
        { timeout: 10_000, interval: 100 },
      )
      .toBe(true);
    const { serial } = await readSiteControl();
    const { delta } = await submitSiteControlChange({
      actor: { principal: { userId: 1, userName: 'admin', role: 'FULL_ADMINISTRATOR' }, address: '192.0.2.1' },
      baseSerial: serial,
      changes: { 'clientAgent.clientNotification': false },
    });
    await carryChanges();
    await expect.poll(() => events.at(-1)?.state, { timeout: 5000 }).toBe('APPLIED');
    expect(events.filter((e) => e.id === delta.id).map((e) => e.state)).toEqual(['PENDING', 'QUEUED', 'MERGED', 'APPLIED']);
    expect(events.at(-1)).toEqual({ id: delta.id, siteControlId: expect.any(Number), state: 'APPLIED', appliedSerial: serial + 1 });
  });
});

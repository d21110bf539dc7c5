// Keep-alives on the client notification channel: a real agent (lib/agent) connected to a real
// notification server sends them at the site's interval (Client Notification's keep-alive
// setting), the server records the client as seen, and a changed setting reaches the connected
// agent without a reconnect. The interval timers run on a test clock; everything else is real.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Server } from 'socket.io';
import { Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ClientAgent } from '@/lib/agent/agent';
import { manualClock } from '@/lib/clock';
import { pool } from '@/lib/db/pool';
import { agentEvents } from '@/lib/protocol/agent-protocol.schema';
import { NotificationServer } from '@/lib/notification/notification-server';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { readClientNotificationSettings } from '@/lib/sitecontrol/read-client-notification-settings';
import { readPolicySiteSettings } from '@/lib/sitecontrol/read-policy-site-settings';
import { readSiteControl } from '@/lib/sitecontrol/read-site-settings';
import { submitSiteControlChange } from '@/lib/sitecontrol/submit-site-control-change';
import { useTestDatabase } from '../../support/database';
import { carryChanges } from '../sitecontrol/carry-changes';
import { admin, fleet } from './fleet';

const MINUTE = 60_000;

async function setKeepAliveMinutes(minutes: number) {
  const { serial } = await readSiteControl();
  await submitSiteControlChange({ actor: admin, baseSerial: serial, changes: { 'components.notificationServer.keepAliveMinutes': minutes } });
  await carryChanges();
}

describe('client notification keep-alive', () => {
  let connectionString: string;
  const clock = manualClock(new Date('2026-12-01T09:00:00Z'));
  const io = new Server(createServer(), { serveClient: false });
  let server: NotificationServer;
  let agent: ClientAgent;

  beforeAll(async () => {
    ({ url: connectionString } = await useTestDatabase());
    await seedDemoSite({ devices: 0 });
    await setKeepAliveMinutes(1);
  });
  afterAll(async () => {
    await agent?.stop();
    await server?.stop();
    void io.close();
    vi.useRealTimers();
  });

  it('sends one at each interval of the site setting, is recorded as seen, and follows a changed setting without reconnecting', async () => {
    // Only the interval timers are faked: the agent's keep-alive, and the server's flush and beat
    // (made long, so the test flushes by hand).
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const sent = vi.spyOn(ClientSocket.prototype, 'emit');
    const keepAlives = () => sent.mock.calls.filter(([event]) => event === agentEvents.keepAlive).length;

    server = new NotificationServer({
      log: pino({ level: 'silent' }),
      connectionString,
      clock,
      heartbeatSeconds: 3600,
      flushMs: 3_600_000,
      settings: () => readClientNotificationSettings({ fresh: true }),
      policySiteSettings: (siteIds) => readPolicySiteSettings(siteIds),
    });
    server.attach(io);
    await server.start();
    await new Promise<void>((resolve) => io.httpServer.listen(0, '127.0.0.1', resolve));
    const { credentials, deviceIds } = await fleet('KA-', 1);
    agent = new ClientAgent({
      managementPointUrls: [`http://127.0.0.1:${(io.httpServer.address() as AddressInfo).port}`],
      credential: credentials[0],
      pollPolicy: false,
    });
    let settingsReceived = 0;
    let disconnects = 0;
    agent.on('connected', () => settingsReceived++);
    agent.on('disconnected', () => disconnects++);
    const connected = new Promise((resolve) => agent.once('connected', resolve));
    await agent.start();
    await connected;
    const lastSeen = async () => (await pool().query(`SELECT last_seen_at FROM device WHERE id = $1`, [deviceIds[0]])).rows[0].last_seen_at as Date;
    // The connection itself is recorded first, at the start time.
    await expect.poll(async () => (await server.flush(), (await lastSeen())?.getTime())).toBe(clock.now().getTime());

    // Every minute, and not before.
    await vi.advanceTimersByTimeAsync(MINUTE - 1);
    expect(keepAlives()).toBe(0);
    clock.advance(MINUTE);
    await vi.advanceTimersByTimeAsync(1);
    expect(keepAlives()).toBe(1);
    // The server records the client as seen at the keep-alive's arrival.
    await expect.poll(async () => (await server.flush(), (await lastSeen()).getTime())).toBe(clock.now().getTime());
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(keepAlives()).toBe(2);

    // The site changes it to two minutes: the connected agent is told, on the same connection.
    const told = new Promise((resolve) => agent.once('connected', resolve));
    await setKeepAliveMinutes(2);
    await told;
    expect(settingsReceived).toBe(2);
    expect(disconnects).toBe(0);
    await vi.advanceTimersByTimeAsync(2 * MINUTE - 1);
    expect(keepAlives()).toBe(2);
    clock.advance(2 * MINUTE);
    await vi.advanceTimersByTimeAsync(1);
    expect(keepAlives()).toBe(3);
    await expect.poll(async () => (await server.flush(), (await lastSeen()).getTime())).toBe(clock.now().getTime());
  }, 60_000);
});

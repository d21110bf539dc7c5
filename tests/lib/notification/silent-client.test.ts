// A client that goes silent goes offline: a real agent connected through a TCP relay that then
// stops forwarding (the network gone, nothing closed) is dropped by the transport's ping timeout,
// and the notification server records it offline. The test server pings every 300 ms; the
// production timings (agentChannelOptions) keep the same path inside the five minutes of the rule.
// (On a loaded machine an early ping may time out too and the agent reconnect: only what happens
// once the relay is silent is asserted.)
import { createServer } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import pino from 'pino';
import { Server } from 'socket.io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientAgent } from '@/lib/agent/agent';
import { pool } from '@/lib/db/pool';
import { AGENT_NAMESPACE, agentChannelOptions, NotificationServer } from '@/lib/notification/notification-server';
import { reapNotificationServers } from '@/lib/notification/presence-repo';
import { readPolicySiteSettings } from '@/lib/sitecontrol/read-policy-site-settings';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { useTestDatabase } from '../../support/database';
import { fleet } from './fleet';

/** A TCP relay that can go silent: it keeps every connection open but stops forwarding and accepting. */
function relay(target: number) {
  const pairs: [net.Socket, net.Socket][] = [];
  let silent = false;
  const server = net.createServer((client) => {
    if (silent) return void client.destroy();
    const upstream = net.connect(target, '127.0.0.1');
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', () => {});
    upstream.on('error', () => {});
    pairs.push([client, upstream]);
  });
  return {
    server,
    goSilent() {
      silent = true;
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    close() {
      for (const pair of pairs) for (const socket of pair) socket.destroy();
      server.close();
    },
  };
}

describe('a silent client', () => {
  let connectionString: string;
  const io = new Server(createServer(), { serveClient: false, pingInterval: 300, pingTimeout: 1000 });
  let server: NotificationServer;
  let agent: ClientAgent;
  let proxy: ReturnType<typeof relay>;

  beforeAll(async () => {
    ({ url: connectionString } = await useTestDatabase());
    await seedDemoSite({ devices: 0 });
  });
  afterAll(async () => {
    await agent?.stop();
    await server?.stop();
    proxy?.close();
    void io.close();
  });

  it('is taken offline by the transport’s ping timeout, with no close from either side', async () => {
    server = new NotificationServer({
      log: pino({ level: 'silent' }),
      connectionString,
      heartbeatSeconds: 1,
      flushMs: 50,
      settings: async () => ({ port: 10123, keepAliveSeconds: 900, operationValidityMinutes: 60 }),
      policySiteSettings: (siteIds) => readPolicySiteSettings(siteIds),
    });
    server.attach(io);
    await server.start();
    const reasons: string[] = [];
    io.of(AGENT_NAMESPACE).on('connection', (socket) => socket.on('disconnect', (reason) => reasons.push(reason)));
    await new Promise<void>((resolve) => io.httpServer.listen(0, '127.0.0.1', resolve));
    proxy = relay((io.httpServer.address() as AddressInfo).port);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));

    const { credentials, deviceIds } = await fleet('SILENT-', 1);
    agent = new ClientAgent({
      managementPointUrls: [`http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`],
      credential: credentials[0],
      transports: ['websocket'],
      pollPolicy: false,
    });
    const online = async () => (await pool().query<{ online: boolean }>(`SELECT online FROM device WHERE id = $1`, [deviceIds[0]])).rows[0].online;
    await agent.start();
    // Connected now, and recorded so.
    const held = async () => server.connectedDeviceIds().length === 1 && (await server.flush(), await online());
    await expect.poll(held, { timeout: 10_000 }).toBe(true);

    reasons.length = 0;
    proxy.goSilent();
    await expect.poll(async () => server.connectedDeviceIds().length, { timeout: 10_000 }).toBe(0);
    await expect.poll(online, { timeout: 10_000 }).toBe(false);
    expect(reasons).toEqual(['ping timeout']);
  }, 30_000);

  it('is noticed well inside five minutes with the production timings', () => {
    expect(agentChannelOptions.pingInterval + agentChannelOptions.pingTimeout).toBeLessThan(5 * 60_000);
  });
});

describe('a notification server reaped while alive', () => {
  let connectionString: string;
  const io = new Server(createServer(), { serveClient: false });
  let server: NotificationServer;
  let agent: ClientAgent;

  beforeAll(async () => {
    ({ url: connectionString } = await useTestDatabase());
    await seedDemoSite({ devices: 0 });
  });
  afterAll(async () => {
    await agent?.stop();
    await server?.stop();
    void io.close();
  });

  it('records its still-connected clients online again at its next beat', async () => {
    server = new NotificationServer({
      log: pino({ level: 'silent' }),
      connectionString,
      heartbeatSeconds: 1,
      flushMs: 50,
      settings: async () => ({ port: 10123, keepAliveSeconds: 900, operationValidityMinutes: 60 }),
      policySiteSettings: (siteIds) => readPolicySiteSettings(siteIds),
    });
    server.attach(io);
    await server.start();
    await new Promise<void>((resolve) => io.httpServer.listen(0, '127.0.0.1', resolve));
    const { credentials, deviceIds } = await fleet('REAPED-', 1);
    agent = new ClientAgent({
      managementPointUrls: [`http://127.0.0.1:${(io.httpServer.address() as AddressInfo).port}`],
      credential: credentials[0],
      pollPolicy: false,
    });
    const online = async () => (await pool().query<{ online: boolean }>(`SELECT online FROM device WHERE id = $1`, [deviceIds[0]])).rows[0].online;
    await agent.start();
    await expect.poll(online, { timeout: 10_000 }).toBe(true);

    // What another server does when this one's beats stopped reaching the database for a while.
    const reaped = await reapNotificationServers(pool(), { staleSeconds: 0, only: server.instanceId, now: new Date() });
    expect(reaped).toEqual({ servers: [server.instanceId], offline: 1 });
    // The client never disconnected: the next beat finds the row gone and records it again.
    await expect.poll(online, { timeout: 10_000 }).toBe(true);
    expect(server.connectedDeviceIds()).toEqual(deviceIds);
  }, 30_000);
});

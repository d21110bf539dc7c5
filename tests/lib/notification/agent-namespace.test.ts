import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { registerDevice } from '@/lib/devices/register-device';
import { setDeviceApproval } from '@/lib/devices/set-device-approval';
import { logger } from '@/lib/logger';
import { AGENT_NAMESPACE, attachAgentNamespace } from '@/lib/notification/agent-namespace';
import { useTestDatabase } from '../../support/database';

const actor = { principal: { userId: 1, userName: 'admin', role: 'FULL_ADMINISTRATOR' as const }, address: '192.0.2.1' };

describe('agent notification channel authentication', () => {
  let http: HttpServer;
  let io: Server;
  let agents: ReturnType<typeof attachAgentNamespace>;
  let base: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    const { url } = await useTestDatabase();
    await pool().query(`INSERT INTO site (code, name, updated_at) VALUES ('S01', 'Central', now())`);
    http = createServer();
    io = new Server(http);
    agents = attachAgentNamespace({ io, log: logger, connectionString: url });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    await agents.close();
    io.close();
  });

  function open(credential: string): Socket {
    const socket = connect(`${base}${AGENT_NAMESPACE}`, { auth: { credential }, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    return socket;
  }

  const connected = (s: Socket) =>
    new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('connect_error', reject);
    });
  const refused = (s: Socket) =>
    new Promise<string>((resolve, reject) => {
      s.once('connect', () => reject(new Error('connected')));
      s.once('connect_error', (e) => resolve(e.message));
    });

  it('refuses bad credentials and unknown devices', async () => {
    expect(await refused(open('nonsense'))).toBe('UNAUTHENTICATED');
    expect(await refused(open(`Device 999999.${'a'.repeat(43)}`))).toBe('UNAUTHENTICATED');
  });

  it('refuses a device waiting for approval', async () => {
    const { rows } = await pool().query(`SELECT id FROM site`);
    await pool().query(`INSERT INTO site_control (site_id, serial, document, updated_at) VALUES ($1, 1, '{"clientApproval":{"mode":"manual"}}', now())`, [rows[0].id]);
    const reg = await registerDevice({ siteCode: 'S01', input: { name: 'WAIT-0001', osName: 'Windows 11', osVersion: '10', osKind: 'WORKSTATION', clientVersion: '5' }, address: '10.0.0.1' });
    expect(await refused(open(`Device ${reg.deviceId}.${reg.secret}`))).toBe('FORBIDDEN');
    await pool().query(`DELETE FROM site_control`);
  });

  it('drops the open connection of a device the moment it is revoked', async () => {
    const reg = await registerDevice({ siteCode: 'S01', input: { name: 'NYC-WS-0042', osName: 'Windows 11', osVersion: '10', osKind: 'WORKSTATION', clientVersion: '5' }, address: '10.0.0.2' });
    const socket = open(`Device ${reg.deviceId}.${reg.secret}`);
    await connected(socket);
    expect(agents.connectedDeviceIds()).toContain(reg.deviceId);
    const dropped = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
    await setDeviceApproval({ actor, deviceId: reg.deviceId, approval: 'REVOKED' });
    expect(await dropped).toBe('io server disconnect');
    expect(agents.connectedDeviceIds()).not.toContain(reg.deviceId);
    // And it cannot come back.
    expect(await refused(open(`Device ${reg.deviceId}.${reg.secret}`))).toBe('FORBIDDEN');
  });
});

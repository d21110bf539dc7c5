import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endSession, resolveSession } from '@/lib/auth/sessions';
import { prisma } from '@/lib/db/prisma';
import { logger } from '@/lib/logger';
import { attachConsoleNamespace, CONSOLE_NAMESPACE } from '@/lib/live/console-namespace';
import { attachConsoleSessionCheck } from '@/lib/live/console-session-check';
import { updateUser } from '@/lib/users/update-user';
import { joinEvent, liveRooms } from '@/lib/live/rooms';
import { signInAs } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';

describe('console live-update channel', () => {
  const io = new Server(createServer());
  let base: string;
  const sockets: Socket[] = [];
  let sessionCheck: { close(): Promise<void> };

  beforeAll(async () => {
    await useTestDatabase();
    sessionCheck = attachConsoleSessionCheck({ nsp: attachConsoleNamespace({ io, log: logger }), log: logger, intervalMs: 100 });
    const http = io.httpServer;
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await sessionCheck.close();
    for (const s of sockets) s.close();
    void io.close();
  });

  const attempt = (cookie?: string, origin?: string) =>
    new Promise<string>((resolve) => {
      const socket = connect(`${base}${CONSOLE_NAMESPACE}`, {
        transports: ['websocket'],
        reconnection: false,
        extraHeaders: { ...(cookie ? { cookie } : {}), ...(origin ? { origin } : {}) },
      });
      sockets.push(socket);
      socket.once('connect', () => resolve('connected'));
      socket.once('connect_error', (e) => resolve(e.message));
    });

  it('lets a signed-in user in and keeps everyone else out', async () => {
    expect(await attempt()).toBe('UNAUTHENTICATED');
    expect(await attempt('sitebox_session=forged-token')).toBe('UNAUTHENTICATED');
    const user = await signInAs('READ_ONLY_ANALYST');
    expect(await attempt(user.headers.cookie)).toBe('connected');
    const token = /sitebox_session=([^;]+)/.exec(user.headers.cookie)![1];
    await endSession((await resolveSession({ token }))!.sessionId);
    expect(await attempt(user.headers.cookie)).toBe('UNAUTHENTICATED');
  });

  it('keeps out a user who still owes a password change, as every console page and route does', async () => {
    const user = await signInAs('FULL_ADMINISTRATOR');
    await prisma().consoleUser.update({ where: { id: user.userId }, data: { mustChangePassword: true } });
    expect(await attempt(user.headers.cookie)).toBe('FORBIDDEN');
    await prisma().consoleUser.update({ where: { id: user.userId }, data: { mustChangePassword: false } });
    expect(await attempt(user.headers.cookie)).toBe('connected');
  });

  it("refuses a signed-in user's browser on a page of another site", async () => {
    const user = await signInAs('READ_ONLY_ANALYST');
    expect(await attempt(user.headers.cookie, 'https://elsewhere.example')).toBe('FORBIDDEN');
    expect(await attempt(user.headers.cookie, 'not a url')).toBe('FORBIDDEN');
    expect(await attempt(user.headers.cookie, base)).toBe('connected');
  });

  it('lets a page join the rooms it shows and no room that does not exist', async () => {
    const user = await signInAs('READ_ONLY_ANALYST');
    const socket = connect(`${base}${CONSOLE_NAMESPACE}`, {
      transports: ['websocket'],
      reconnection: false,
      extraHeaders: { cookie: user.headers.cookie },
    });
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    expect(await socket.timeout(5000).emitWithAck(joinEvent, { room: liveRooms.deployments })).toEqual({ ok: true });
    expect(await socket.timeout(5000).emitWithAck(joinEvent, { room: 'everything' })).toEqual({ ok: false });
    expect(await socket.timeout(5000).emitWithAck(joinEvent, 'deployments')).toEqual({ ok: false });
  });

  it('drops an open socket once its session ends: signed out, the user disabled or given another role', async () => {
    const connected = async (role: 'READ_ONLY_ANALYST' | 'FULL_ADMINISTRATOR' = 'READ_ONLY_ANALYST') => {
      const user = await signInAs(role);
      const socket = connect(`${base}${CONSOLE_NAMESPACE}`, {
        transports: ['websocket'],
        reconnection: false,
        extraHeaders: { cookie: user.headers.cookie },
      });
      sockets.push(socket);
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      const dropped = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
      const token = /sitebox_session=([^;]+)/.exec(user.headers.cookie)![1];
      return { user, socket, dropped, sessionId: (await resolveSession({ token }))!.sessionId };
    };
    const admin = await connected('FULL_ADMINISTRATOR');
    const actor = {
      principal: { userId: admin.user.userId, userName: admin.user.userName, role: 'FULL_ADMINISTRATOR' as const },
      address: '192.0.2.1',
    };
    const signedOut = await connected();
    const disabled = await connected();
    const demoted = await connected('FULL_ADMINISTRATOR');
    const idle = await connected();
    const stays = await connected();

    await endSession(signedOut.sessionId);
    await updateUser({ actor, userId: disabled.user.userId, input: { disabled: true } });
    await updateUser({ actor, userId: demoted.user.userId, input: { role: 'READ_ONLY_ANALYST' } });
    await prisma().consoleSession.update({ where: { id: idle.sessionId }, data: { lastSeenAt: new Date(Date.now() - 3 * 3_600_000) } });
    const within = (dropped: Promise<string>) =>
      Promise.race([dropped, new Promise((resolve) => setTimeout(() => resolve('still connected'), 3000))]);
    expect(await within(signedOut.dropped)).toBe('io server disconnect');
    expect(await within(disabled.dropped)).toBe('io server disconnect');
    expect(await within(demoted.dropped)).toBe('io server disconnect');
    expect(await within(idle.dropped)).toBe('io server disconnect');
    expect(stays.socket.connected).toBe(true);
    expect(admin.socket.connected).toBe(true);
  });
});

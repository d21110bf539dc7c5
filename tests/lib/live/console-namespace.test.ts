import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endSession, resolveSession } from '@/lib/auth/sessions';
import { logger } from '@/lib/logger';
import { attachConsoleNamespace, CONSOLE_NAMESPACE } from '@/lib/live/console-namespace';
import { joinEvent, liveRooms } from '@/lib/live/rooms';
import { signInAs } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';

describe('console live-update channel', () => {
  const io = new Server(createServer());
  let base: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    await useTestDatabase();
    attachConsoleNamespace({ io, log: logger });
    const http = io.httpServer;
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  afterAll(() => {
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
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endSession, resolveSession } from '@/lib/auth/sessions';
import { logger } from '@/lib/logger';
import { attachConsoleNamespace, CONSOLE_NAMESPACE } from '@/lib/realtime/console-namespace';
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

  const attempt = (cookie?: string) =>
    new Promise<string>((resolve) => {
      const socket = connect(`${base}${CONSOLE_NAMESPACE}`, {
        transports: ['websocket'],
        reconnection: false,
        extraHeaders: cookie ? { cookie } : {},
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
});

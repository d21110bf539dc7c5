import { parse as parseCookies } from 'cookie';
import type { Namespace, Server } from 'socket.io';
import { resolveSession, SESSION_COOKIE, type SessionContext } from '../auth/sessions';
import type { Logger } from 'pino';

export const CONSOLE_NAMESPACE = '/console';

declare module 'socket.io' {
  interface SocketData {
    session?: SessionContext;
    deviceId?: number;
  }
}

/**
 * The console's live-update channel. Only signed-in users join; each live feature adds
 * its own rooms and checks the role of `socket.data.session` before it joins one.
 */
export function attachConsoleNamespace(options: { io: Server; log: Logger }): Namespace {
  const nsp = options.io.of(CONSOLE_NAMESPACE);
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- every path, failure included, ends in next()
  nsp.use(async (socket, next) => {
    try {
      const cookies = parseCookies(socket.handshake.headers.cookie ?? '');
      const session = await resolveSession({ token: cookies[SESSION_COOKIE] });
      if (!session) return next(new Error('UNAUTHENTICATED'));
      socket.data.session = session;
      next();
    } catch (error) {
      options.log.error({ err: error }, 'console socket authentication failed');
      next(new Error('INTERNAL'));
    }
  });
  return nsp;
}

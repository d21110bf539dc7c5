import { parse as parseCookies } from 'cookie';
import type { Namespace, Server } from 'socket.io';
import { resolveSession, SESSION_COOKIE, type SessionContext } from '../auth/sessions';
import { isSameOrigin } from '../http/same-origin';
import type { Logger } from 'pino';

export const CONSOLE_NAMESPACE = '/console';

declare module 'socket.io' {
  interface SocketData {
    session?: SessionContext;
    deviceId?: number;
  }
}

/**
 * The console's live-update channel. Only signed-in users join, from the console's own pages
 * (the Origin check HTTP routes make); each live feature adds
 * its own rooms and checks the role of `socket.data.session` before it joins one.
 */
export function attachConsoleNamespace(options: { io: Server; log: Logger }): Namespace {
  const nsp = options.io.of(CONSOLE_NAMESPACE);
  nsp.use(async (socket, next) => {
    // A page of another site may open a WebSocket here and the browser sends our cookie with it.
    const { origin, host } = socket.handshake.headers;
    const forwardedHost = socket.handshake.headers['x-forwarded-host'];
    if (!isSameOrigin({ origin, host: (typeof forwardedHost === 'string' ? forwardedHost : undefined) ?? host })) return next(new Error('FORBIDDEN'));
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

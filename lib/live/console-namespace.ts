import { parse as parseCookies } from 'cookie';
import type { Logger } from 'pino';
import type { Namespace, Server } from 'socket.io';
import { z } from 'zod';
import { permissions, type Permission } from '../auth/roles';
import { resolveSession, SESSION_COOKIE, type SessionContext } from '../auth/sessions';
import { isSameOrigin } from '../http/same-origin';
import { CONSOLE_NAMESPACE, joinEvent, leaveEvent, liveRooms, type LiveRoom } from './rooms';

export { CONSOLE_NAMESPACE };

declare module 'socket.io' {
  interface SocketData {
    session?: SessionContext;
    deviceId?: number;
  }
}

/** Who may join each room: every room today holds what every signed-in role may read. */
const roomPermissions: Record<LiveRoom, Permission> = {
  deployments: 'readConsole',
  'client-operations': 'readConsole',
  devices: 'readConsole',
  collections: 'readConsole',
  'site-control': 'readConsole',
  'status-summaries': 'readConsole',
  'status-messages': 'readConsole',
};

const roomSchema = z.object({ room: z.enum(Object.values(liveRooms) as [LiveRoom, ...LiveRoom[]]) });

/**
 * The console's live-update channel. Only signed-in users connect, from the console's own pages
 * (the Origin check HTTP routes make); a page then joins the rooms it shows (`live:join`,
 * acknowledged with `{ ok }`), each allowed by its permission, and hears only their events.
 */
export function attachConsoleNamespace(options: { io: Server; log: Logger }): Namespace {
  const nsp = options.io.of(CONSOLE_NAMESPACE);
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- every path, failure included, ends in next()
  nsp.use(async (socket, next) => {
    // A page of another site may open a WebSocket here and the browser sends our cookie with it.
    const { origin, host } = socket.handshake.headers;
    const forwardedHost = socket.handshake.headers['x-forwarded-host'];
    if (!isSameOrigin({ origin, host: (typeof forwardedHost === 'string' ? forwardedHost : undefined) ?? host })) return next(new Error('FORBIDDEN'));
    try {
      const cookies = parseCookies(socket.handshake.headers.cookie ?? '');
      const session = await resolveSession({ token: cookies[SESSION_COOKIE] });
      if (!session) return next(new Error('UNAUTHENTICATED'));
      // As every page and route: nothing is read with a one-time password until it is changed.
      if (session.mustChangePassword) return next(new Error('FORBIDDEN'));
      socket.data.session = session;
      next();
    } catch (error) {
      options.log.error({ err: error }, 'console socket authentication failed');
      next(new Error('INTERNAL'));
    }
  });
  nsp.on('connection', (socket) => {
    socket.on(joinEvent, (request: unknown, ack?: unknown) => {
      const parsed = roomSchema.safeParse(request);
      const session = socket.data.session;
      const allowed = parsed.success && Boolean(session && permissions[roomPermissions[parsed.data.room]](session.principal));
      if (allowed) void socket.join(parsed.data.room);
      if (typeof ack === 'function') ack({ ok: allowed });
    });
    // Acknowledged (when asked), so a page knows nothing of the room reaches it any more.
    socket.on(leaveEvent, (request: unknown, ack?: (answer: { ok: boolean }) => void) => {
      const parsed = roomSchema.safeParse(request);
      if (parsed.success) void socket.leave(parsed.data.room);
      if (typeof ack === 'function') ack({ ok: parsed.success });
    });
  });
  return nsp;
}

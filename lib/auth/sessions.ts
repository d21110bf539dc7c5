import { AppError } from '../errors';
import * as repo from './repo';
import type { Principal } from './roles';
import { hashToken, newToken } from './tokens';

export const SESSION_COOKIE = 'sitebox_session';
export const CSRF_COOKIE = 'sitebox_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** A session lasts at most this long, and ends sooner after this much idleness. */
export const SESSION_LIFETIME_MS = 12 * 3_600_000;
export const SESSION_IDLE_MS = 2 * 3_600_000;
// Recording activity on every request would be a write per request; once a minute is enough.
const TOUCH_EVERY_MS = 60_000;

export interface SessionContext {
  sessionId: string;
  csrfToken: string;
  principal: Principal;
  mustChangePassword: boolean;
}

export async function createSession(options: { userId: number; address: string; userAgent: string; now?: Date }) {
  const token = newToken();
  const csrfToken = newToken();
  const now = options.now ?? new Date();
  const expiresAt = new Date(now.getTime() + SESSION_LIFETIME_MS);
  await repo.insertSession({
    id: hashToken(token),
    userId: options.userId,
    expiresAt,
    csrfToken,
    address: options.address.slice(0, 64),
    userAgent: options.userAgent.slice(0, 512),
  });
  return { token, csrfToken, expiresAt };
}

/** The session behind a cookie token, or null when it is unknown, expired, revoked or its user disabled. */
export async function resolveSession(options: { token: string | undefined; now?: Date }): Promise<SessionContext | null> {
  if (!options.token || options.token.length > 128) return null;
  const id = hashToken(options.token);
  const session = await repo.findSessionWithUser(id);
  const now = options.now ?? new Date();
  if (!session || !isLive(session, now)) return null;
  if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) await repo.touchSession(id, now);
  return {
    sessionId: id,
    csrfToken: session.csrfToken,
    mustChangePassword: session.user.mustChangePassword,
    principal: { userId: session.user.id, userName: session.user.userName, role: session.user.role },
  };
}

/**
 * Which of these sessions are still live, without counting the question as activity: an open
 * live channel is asked about again and again, and must not keep an idle session from ending.
 */
export async function liveSessionIds(options: { ids: readonly string[]; now?: Date }): Promise<Set<string>> {
  const now = options.now ?? new Date();
  const sessions = await repo.findSessionsWithUsers(options.ids);
  return new Set([...sessions].filter(([, session]) => isLive(session, now)).map(([id]) => id));
}

/** Not ended, expired or idle too long, and its user not disabled. */
function isLive(session: repo.SessionWithUser, now: Date): boolean {
  if (session.revokedAt || session.user.disabledAt) return false;
  return session.expiresAt > now && now.getTime() - session.lastSeenAt.getTime() <= SESSION_IDLE_MS;
}

export async function endSession(sessionId: string): Promise<void> {
  await repo.revokeSession(sessionId, new Date());
}

export function requireSession(session: SessionContext | null): SessionContext {
  if (!session) throw new AppError('UNAUTHENTICATED');
  return session;
}

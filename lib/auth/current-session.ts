import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import type { Permission } from './roles';
import { permissions } from './roles';
import { resolveSession, SESSION_COOKIE, type SessionContext } from './sessions';

/** The signed-in session for the page being rendered (once per request), or null. */
export const currentSession = cache(async (): Promise<SessionContext | null> => {
  const jar = await cookies();
  return resolveSession({ token: jar.get(SESSION_COOKIE)?.value });
});

/**
 * For server components: the session, or a redirect to sign-in (or to the password change
 * the user still owes). With `permission`, a user whose role lacks it sees the forbidden page.
 */
export async function requirePageSession(options: { path: string; permission?: Permission }): Promise<SessionContext> {
  const session = await currentSession();
  if (!session) redirect(`/sign-in?next=${encodeURIComponent(options.path)}`);
  if (session.mustChangePassword) redirect(`/change-password?next=${encodeURIComponent(options.path)}`);
  if (options.permission && !permissions[options.permission](session.principal)) redirect('/forbidden');
  return session;
}

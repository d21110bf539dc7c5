import type { NextResponse } from 'next/server';
import { CSRF_COOKIE, SESSION_COOKIE } from './sessions';

/** Cookies are Secure when the console is reached over HTTPS (directly or behind a proxy). */
export function isHttps(request: Request): boolean {
  const forwarded = request.headers.get('x-forwarded-proto');
  return (forwarded ?? new URL(request.url).protocol.replace(':', '')) === 'https';
}

export function setSessionCookies(response: NextResponse, options: { token: string; csrfToken: string; expiresAt: Date; secure: boolean }) {
  const common = { sameSite: 'lax' as const, secure: options.secure, path: '/', expires: options.expiresAt };
  response.cookies.set(SESSION_COOKIE, options.token, { ...common, httpOnly: true });
  // Readable by the page's script, which echoes it in a header on every change.
  response.cookies.set(CSRF_COOKIE, options.csrfToken, { ...common, httpOnly: false });
}

export function clearSessionCookies(response: NextResponse) {
  response.cookies.set(SESSION_COOKIE, '', { path: '/', maxAge: 0 });
  response.cookies.set(CSRF_COOKIE, '', { path: '/', maxAge: 0 });
}

// Signed-in console users for API tests: real users, real sessions, real cookies.
import { hashPassword } from '../../lib/auth/password';
import type { Role } from '../../lib/auth/roles';
import { createSession } from '../../lib/auth/sessions';
import { prisma } from '../../lib/db/prisma';

export interface TestSession {
  userId: number;
  userName: string;
  /** Headers a browser would send: the cookies, and the CSRF token for changes. */
  headers: Record<string, string>;
}

/** Creates a user with `role` (password already changed) and signs them in. */
export async function signInAs(role: Role, userName = `${role.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}`): Promise<TestSession> {
  const user = await prisma().consoleUser.create({
    data: { userName, role, passwordHash: await hashPassword('test-password-123'), mustChangePassword: false },
  });
  const session = await createSession({ userId: user.id, address: '127.0.0.1', userAgent: 'vitest' });
  return {
    userId: user.id,
    userName,
    headers: {
      cookie: `sitebox_session=${session.token}; sitebox_csrf=${session.csrfToken}`,
      'x-csrf-token': session.csrfToken,
      'x-sitebox-client-address': '192.0.2.50',
    },
  };
}

/** A request as the route handlers receive it. */
export function request(path: string, options: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- next/server loads only for the tests that build a request
  const { NextRequest } = require('next/server') as typeof import('next/server');
  return new NextRequest(`http://localhost${path}`, {
    method: options.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...options.headers },
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : options.body instanceof Uint8Array
            ? new Uint8Array(options.body)
            : JSON.stringify(options.body),
  });
}

/** The second argument Next passes to a dynamic route's handler. */
export const withParams = (params: Record<string, string>) => ({ params: Promise.resolve(params) });

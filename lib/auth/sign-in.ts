import { AppError } from '../errors';
import { dummyPasswordHash, verifyPassword } from './password';
import * as repo from './repo';
import { createSession } from './sessions';
import { signInWaitMs } from './sign-in-throttle';

export interface SignInResult {
  token: string;
  csrfToken: string;
  expiresAt: Date;
  userId: number;
  userName: string;
  mustChangePassword: boolean;
}

/**
 * Checks a user name and password and opens a session. Failures say only "wrong user name or
 * password"; repeated failures for a user make them wait longer before the next attempt.
 */
export async function signIn(options: { userName: string; password: string; address: string; userAgent: string; now?: Date }): Promise<SignInResult> {
  const now = options.now ?? new Date();
  const attempt = await attemptPassword({ userName: options.userName, password: options.password, now });
  if (!attempt) {
    await verifyPassword({ hash: await dummyPasswordHash(), password: options.password });
    throw new AppError('UNAUTHENTICATED', { userMessage: 'Wrong user name or password.' });
  }
  const { user, ok } = attempt;
  if (!ok || user.disabledAt) {
    throw new AppError('UNAUTHENTICATED', {
      userMessage: ok ? 'This account is disabled.' : 'Wrong user name or password.',
    });
  }
  await repo.recordSuccessfulSignIn(user.id, now);
  const session = await createSession({ userId: user.id, address: options.address, userAgent: options.userAgent, now });
  return { ...session, userId: user.id, userName: user.userName, mustChangePassword: user.mustChangePassword };
}

/**
 * Checks `password` against the user's as one attempt under the user's throttle (sign-in, and the
 * current password of Change password: either guesses the same secret). RATE_LIMITED while the
 * user must wait; otherwise the attempt is counted as a failure until the caller clears it on
 * success. Null when there is no such user.
 */
export async function attemptPassword(options: { userName: string; password: string; now: Date }) {
  const { now } = options;
  const attempt = await repo.takeSignInAttempt({
    userName: options.userName,
    at: now,
    waitMs: (user) => signInWaitMs({ failures: user.failedSignIns, lastFailureAt: user.lastFailedSignInAt, now }),
  });
  if (!attempt) return null;
  if (attempt.waitMs > 0) {
    throw new AppError('RATE_LIMITED', {
      userMessage: 'Too many failed sign-ins for this user. Wait and try again.',
      retryAfterSeconds: Math.ceil(attempt.waitMs / 1000),
    });
  }
  return { user: attempt.user, ok: await verifyPassword({ hash: attempt.user.passwordHash, password: options.password }) };
}

import { reportAudit } from '../audit/report-audit';
import { hashPassword } from '../auth/password';
import { attemptPassword } from '../auth/sign-in';
import * as repo from '../auth/repo';
import { pool } from '../db/pool';
import { inTransaction } from '../db/transaction';
import { AppError, notFoundOrThrow } from '../errors';
import type { Actor } from './actor';

/** The signed-in user changes their password; their other sessions end. */
export async function changeOwnPassword(options: { actor: Actor; currentPassword: string; newPassword: string }) {
  if (options.currentPassword === options.newPassword) {
    throw new AppError('BAD_REQUEST', {
      userMessage: 'Choose a password different from the current one.',
      details: { fields: [{ path: 'newPassword', message: 'must differ from the current password' }] },
    });
  }
  // Throttled like a sign-in: a session left open must not become a way to guess the password.
  const attempt = notFoundOrThrow(
    await attemptPassword({ userName: options.actor.principal.userName, password: options.currentPassword, now: new Date() }),
    'The user',
  );
  const { user } = attempt;
  if (!attempt.ok) {
    throw new AppError('BAD_REQUEST', {
      userMessage: 'The current password is wrong.',
      details: { fields: [{ path: 'currentPassword', message: 'is wrong' }] },
    });
  }
  const passwordHash = await hashPassword(options.newPassword);
  // One transaction with its audit: no password is changed, nor session ended, without it.
  await inTransaction(pool(), async (client) => {
    await repo.updateUser(client, user.id, { passwordHash, mustChangePassword: false, failedSignIns: 0 });
    await repo.revokeUserSessions(client, user.id, new Date(), options.actor.sessionId);
    await reportAudit(
      {
        kind: 'performed',
        verb: 'ChangePassword',
        userName: user.userName,
        address: options.actor.address,
        objectType: 'ConsoleUser',
        objectName: user.userName,
      },
      client,
    );
  });
}

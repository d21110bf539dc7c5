import { reportAudit } from '../audit/report-audit';
import { generatePassword, hashPassword } from '../auth/password';
import * as repo from '../auth/repo';
import { pool } from '../db/pool';
import { inTransaction } from '../db/transaction';
import { AppError, notFoundOrThrow } from '../errors';
import type { Actor } from './actor';

/**
 * Gives the user a new one-time password (returned once), ends their sessions and clears sign-in
 * throttling. Not one's own: that would end the session asking, with the password only in its answer.
 */
export async function resetPassword(options: { actor: Actor; userId: number }) {
  const user = notFoundOrThrow(await repo.findUserById(options.userId), 'The user');
  if (user.id === options.actor.principal.userId) {
    throw new AppError('CONFLICT', {
      userMessage: 'Your own password is changed with Change password, not reset.',
      details: { fields: [{ path: 'id', message: 'is your own account' }] },
    });
  }
  const oneTimePassword = generatePassword();
  const passwordHash = await hashPassword(oneTimePassword);
  // One transaction with its audit: no password is reset, nor session ended, without it.
  await inTransaction(pool(), async (client) => {
    await repo.updateUser(client, user.id, { passwordHash, mustChangePassword: true, failedSignIns: 0 });
    await repo.revokeUserSessions(client, user.id, new Date());
    await reportAudit(
      {
        kind: 'performed',
        verb: 'ResetPassword',
        userName: options.actor.principal.userName,
        address: options.actor.address,
        objectType: 'ConsoleUser',
        objectName: user.userName,
      },
      client,
    );
  });
  return { oneTimePassword };
}

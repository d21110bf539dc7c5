import { reportAudit } from '../audit/report-audit';
import { hashPassword, verifyPassword } from '../auth/password';
import * as repo from '../auth/repo';
import { AppError, notFoundOrThrow } from '../errors';
import type { Actor } from './actor';

/** The signed-in user changes their password; their other sessions end. */
export async function changeOwnPassword(options: { actor: Actor; currentPassword: string; newPassword: string }) {
  const user = notFoundOrThrow(await repo.findUserById(options.actor.principal.userId), 'The user');
  if (!(await verifyPassword({ hash: user.passwordHash, password: options.currentPassword }))) {
    throw new AppError('BAD_REQUEST', {
      userMessage: 'The current password is wrong.',
      details: { fields: [{ path: 'currentPassword', message: 'is wrong' }] },
    });
  }
  if (options.currentPassword === options.newPassword) {
    throw new AppError('BAD_REQUEST', {
      userMessage: 'Choose a password different from the current one.',
      details: { fields: [{ path: 'newPassword', message: 'must differ from the current password' }] },
    });
  }
  await repo.updateUser(user.id, { passwordHash: await hashPassword(options.newPassword), mustChangePassword: false });
  await repo.revokeUserSessions(user.id, new Date(), options.actor.sessionId);
  await reportAudit({
    kind: 'performed',
    verb: 'ChangePassword',
    userName: user.userName,
    address: options.actor.address,
    objectType: 'ConsoleUser',
    objectName: user.userName,
  });
}

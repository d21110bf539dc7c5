import { reportAudit } from '../audit/report-audit';
import { generatePassword, hashPassword } from '../auth/password';
import * as repo from '../auth/repo';
import { notFoundOrThrow } from '../errors';
import type { Actor } from './actor';

/** Gives the user a new one-time password (returned once), ends their sessions and clears sign-in throttling. */
export async function resetPassword(options: { actor: Actor; userId: number }) {
  const user = notFoundOrThrow(await repo.findUserById(options.userId), 'The user');
  const oneTimePassword = generatePassword();
  await repo.updateUser(user.id, {
    passwordHash: await hashPassword(oneTimePassword),
    mustChangePassword: true,
    failedSignIns: 0,
  });
  await repo.revokeUserSessions(user.id, new Date());
  await reportAudit({
    kind: 'performed',
    verb: 'ResetPassword',
    userName: options.actor.principal.userName,
    address: options.actor.address,
    objectType: 'ConsoleUser',
    objectName: user.userName,
  });
  return { oneTimePassword };
}

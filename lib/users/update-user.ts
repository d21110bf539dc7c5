import { reportAudit } from '../audit/report-audit';
import * as repo from '../auth/repo';
import { pool } from '../db/pool';
import { inTransaction } from '../db/transaction';
import { AppError, notFoundOrThrow } from '../errors';
import type { Actor } from './actor';
import type { UpdateUserInput } from './user.schema';

/**
 * Changes a user's display name, role or disabled state. Disabling ends the user's sessions. One's
 * own role and state are left to another administrator: either change would end the session making it.
 * The change, the sessions it ends and its audit are one transaction: none stands without the others.
 */
export async function updateUser(options: { actor: Actor; userId: number; input: UpdateUserInput }) {
  const { actor, userId, input } = options;
  const now = new Date();
  return inTransaction(pool(), async (client) => {
    const { before: user, after: updated } = notFoundOrThrow(
      await repo.updateUserCountingFullAdministrators(client, userId, (user, otherActiveFullAdministrators) => {
        if (user.id === actor.principal.userId) {
          const field = input.disabled === true ? 'disabled' : input.role && input.role !== user.role ? 'role' : null;
          if (field) {
            throw new AppError('CONFLICT', {
              userMessage: field === 'disabled' ? 'You cannot disable your own account.' : 'You cannot change your own role.',
              details: { fields: [{ path: field, message: 'cannot be changed on your own account' }] },
            });
          }
        }
        const losesFullAdmin =
          user.role === 'FULL_ADMINISTRATOR' && !user.disabledAt && ((input.role && input.role !== 'FULL_ADMINISTRATOR') || input.disabled === true);
        if (losesFullAdmin && otherActiveFullAdministrators === 0) {
          throw new AppError('CONFLICT', { userMessage: 'Sitebox needs at least one active Full Administrator.' });
        }
        return {
          displayName: input.displayName,
          role: input.role,
          disabledAt: input.disabled === undefined ? undefined : input.disabled ? (user.disabledAt ?? now) : null,
        };
      }),
      'The user',
    );
    const before = { displayName: user.displayName, role: user.role, disabled: user.disabledAt !== null };
    if (input.disabled || (input.role && input.role !== user.role)) await repo.revokeUserSessions(client, userId, now);
    const after = { displayName: updated.displayName, role: updated.role, disabled: updated.disabledAt !== null };
    await reportAudit(
      {
        kind: 'modified',
        userName: actor.principal.userName,
        address: actor.address,
        objectType: 'ConsoleUser',
        objectName: user.userName,
        oldValue: before,
        newValue: after,
      },
      client,
    );
    return { id: updated.id, ...after };
  });
}

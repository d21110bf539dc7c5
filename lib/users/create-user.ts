import { reportAudit } from '../audit/report-audit';
import { generatePassword, hashPassword } from '../auth/password';
import * as repo from '../auth/repo';
import { pool } from '../db/pool';
import { inTransaction } from '../db/transaction';
import { AppError } from '../errors';
import type { Actor } from './actor';
import type { CreateUserInput } from './user.schema';

const nameTaken = (userName: string) =>
  new AppError('CONFLICT', {
    userMessage: `A user named ${userName} already exists.`,
    details: { fields: [{ path: 'userName', message: 'is already taken' }] },
  });

/** Adds a console user. Without a password one is generated, returned once, and must be changed at first sign-in. */
export async function createUser(options: { actor: Actor; input: CreateUserInput }) {
  const { input, actor } = options;
  // Names differing only in case would be two accounts that read as one in the audit trail.
  const existing = await repo.findUserByNameInAnyCase(input.userName);
  if (existing) throw nameTaken(existing.userName);
  const oneTimePassword = input.password ? undefined : generatePassword();
  const passwordHash = await hashPassword(input.password ?? oneTimePassword!);
  // One transaction with its audit: a user nobody audited adding is never left behind.
  const user = await inTransaction(pool(), async (client) => {
    const user = await repo.insertUser(client, {
      userName: input.userName,
      displayName: input.displayName,
      role: input.role,
      passwordHash,
      mustChangePassword: true,
    });
    // Taken meanwhile: the same form sent twice at once, or another administrator.
    if (!user) throw nameTaken(input.userName);
    await reportAudit(
      {
        kind: 'created',
        userName: actor.principal.userName,
        address: actor.address,
        objectType: 'ConsoleUser',
        objectName: user.userName,
        newValue: { role: user.role, displayName: user.displayName },
      },
      client,
    );
    return user;
  });
  return { id: user.id, userName: user.userName, oneTimePassword };
}

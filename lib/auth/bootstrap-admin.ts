import { generatePassword, hashPassword } from './password';
import { pool } from '../db/pool';
import * as repo from './repo';

/**
 * On the very first start, creates the administrator account "admin". Its password comes
 * from SITEBOX_ADMIN_PASSWORD or is generated and returned to be printed once; either way it
 * must be changed at first sign-in.
 */
export async function bootstrapAdministrator(options: { configuredPassword?: string }) {
  if ((await repo.countUsers()) > 0) return null;
  const password = options.configuredPassword ?? generatePassword();
  const admin = await repo.insertUser(pool(), {
    userName: 'admin',
    displayName: 'Administrator',
    role: 'FULL_ADMINISTRATOR',
    passwordHash: await hashPassword(password),
    mustChangePassword: true,
  });
  // Another process bootstrapped at the same moment.
  if (!admin) return null;
  return { userName: 'admin', oneTimePassword: options.configuredPassword ? undefined : password };
}

// Gives a console user a new one-time password from the server's shell, for when the last
// administrator is locked out: npm run user:reset-password -- <user name>
import os from 'node:os';
import { findUserByName } from '../lib/auth/repo';
import { config } from '../lib/config';
import { migrate } from '../lib/db/migrator';
import { openDatabase } from '../lib/db/open-database';
import { closePool } from '../lib/db/pool';
import { closePrisma } from '../lib/db/prisma';
import { resetPassword } from '../lib/users/reset-password';
import { updateUser } from '../lib/users/update-user';

async function main() {
  const userName = process.argv[2];
  if (!userName) throw new Error('usage: npm run user:reset-password -- <user name>');
  const db = await openDatabase(config());
  try {
    await migrate({ connectionString: db.url });
    const user = await findUserByName(userName);
    if (!user) throw new Error(`no console user named ${userName}`);
    const actor = {
      principal: { userId: 0, userName: `shell:${os.userInfo().username}`, role: 'FULL_ADMINISTRATOR' as const },
      address: os.hostname(),
    };
    if (user.disabledAt) await updateUser({ actor, userId: user.id, input: { disabled: false } });
    const { oneTimePassword } = await resetPassword({ actor, userId: user.id });
    console.log(`One-time password for ${userName}: ${oneTimePassword}\n(it must be changed at the next sign-in)`);
  } finally {
    await Promise.all([closePool(), closePrisma()]);
    await db.close();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

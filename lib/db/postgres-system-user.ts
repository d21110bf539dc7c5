import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The account PostgreSQL runs as when Sitebox runs as root (PostgreSQL refuses to run as root). */
export interface SystemUser {
  uid: number;
  gid: number;
}

/** The `postgres` system user, created when missing. */
export async function postgresSystemUser(): Promise<SystemUser> {
  const existing = await lookup();
  if (existing) return existing;
  // Exit code 9: the group is already there (it can outlive a removed user).
  await run('groupadd', ['--system', 'postgres']).catch((error: { code?: number }) => {
    if (error.code !== 9) throw error;
  });
  await run('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
  const created = await lookup();
  if (!created) throw new Error('the postgres system user could not be created');
  return created;
}

async function lookup(): Promise<SystemUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

/**
 * Whether `user` can reach `target` (enter a folder, run a program) — asked of the system itself,
 * as that user, so every folder on the way (a 0700 home or temp folder) counts, as when PostgreSQL starts.
 */
export async function userCanReach(user: SystemUser, target: string): Promise<boolean> {
  try {
    await run('test', ['-x', target], { uid: user.uid, gid: user.gid });
    return true;
  } catch {
    return false;
  }
}

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { userCanReach, type SystemUser } from './postgres-system-user';

/** Where a root-run Sitebox keeps what the postgres user cannot reach where it was. */
export const DEFAULT_REACHABLE_DIR = '/var/lib/sitebox';

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);

/**
 * As root, PostgreSQL runs as the postgres system user, which must reach its programs and its
 * data through every folder on the way. A checkout under /root or in a 0700 temp folder is out
 * of its reach: then the programs are copied, and the data kept, under `reachableDir`.
 */
export async function placeForPostgresUser(options: {
  user: SystemUser;
  postgresDir: string;
  dataDir: string;
  reachableDir: string;
}): Promise<{ postgresDir: string; dataDir: string; notices: string[] }> {
  const { user, reachableDir } = options;
  const notices: string[] = [];
  let postgresDir = options.postgresDir;
  if (!(await userCanReach(user, path.join(postgresDir, 'bin', 'postgres')))) {
    postgresDir = await copyPostgres(postgresDir, reachableDir);
    notices.push(`The postgres user cannot reach ${options.postgresDir}; PostgreSQL runs from a copy in ${postgresDir}.`);
  }
  const parent = path.dirname(options.dataDir);
  await mkdir(parent, { recursive: true });
  // Sitebox's own data folder is opened to the postgres user; folders above it are the user's.
  await chmod(parent, 0o755).catch(() => undefined);
  let dataDir = options.dataDir;
  if (!(await userCanReach(user, parent))) {
    dataDir = path.join(await reachableFolder(reachableDir), `${path.basename(dataDir)}-${shortHash(options.dataDir)}`);
    notices.push(`The postgres user cannot reach ${parent}; the database for ${options.dataDir} lives in ${dataDir}.`);
  }
  for (const [what, target] of [
    ['programs', path.join(postgresDir, 'bin', 'postgres')],
    ['data folder', path.dirname(dataDir)],
  ]) {
    if (!(await userCanReach(user, target))) {
      throw new Error(
        `The postgres system user cannot reach PostgreSQL's ${what} at ${target}: let it enter every folder on the way (chmod o+x), or set DATABASE_URL to a PostgreSQL of your own.`,
      );
    }
  }
  return { postgresDir, dataDir, notices };
}

/** A copy per build (path, size and time of its server program), made once and reused. */
async function copyPostgres(source: string, reachableDir: string): Promise<string> {
  const server = await stat(path.join(source, 'bin', 'postgres'));
  const target = path.join(await reachableFolder(reachableDir), `postgresql-${shortHash(`${source}:${server.size}:${server.mtimeMs}`)}`);
  if (existsSync(path.join(target, 'bin', 'postgres'))) return target;
  // Copied aside and renamed, so a copy cut short is never taken for a whole one.
  const partial = `${target}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await cp(source, partial, { recursive: true, verbatimSymlinks: true });
  await chmod(partial, 0o755);
  await rename(partial, target).catch(async (error) => {
    await rm(partial, { recursive: true, force: true });
    // Another start made the same copy first.
    if (!existsSync(path.join(target, 'bin', 'postgres'))) throw error;
  });
  return target;
}

async function reachableFolder(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
  return dir;
}

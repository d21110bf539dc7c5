// Applies pending migrations to the configured database: npm run db:migrate
import { config } from '../lib/config';
import { migrate } from '../lib/db/migrator';
import { openDatabase } from '../lib/db/open-database';

async function main() {
  const db = await openDatabase(config());
  try {
    const { applied } = await migrate({ connectionString: db.url, log: (m) => console.log(m) });
    console.log(applied.length ? `applied ${applied.length} migration(s)` : 'database schema is current');
  } finally {
    await db.close();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

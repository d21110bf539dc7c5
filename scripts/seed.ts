// Seeds the demo site into the configured database if it is not there yet: npm run db:seed
import { config } from '../lib/config';
import { migrate } from '../lib/db/migrator';
import { openDatabase } from '../lib/db/open-database';
import { closePool } from '../lib/db/pool';
import { seedDemoSite } from '../lib/seed/seed-demo-site';

async function main() {
  const cfg = config();
  const db = await openDatabase(cfg);
  try {
    await migrate({ connectionString: db.url });
    const result = await seedDemoSite({ devices: cfg.SITEBOX_SEED_DEVICES });
    console.log(result.created ? `seeded site S01 with ${result.devices} devices` : 'the demo site already exists');
  } finally {
    await closePool();
    await db.close();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

// Writes the next SQL migration: the diff from the schema as it stood at the last migration
// (kept in prisma/migrations/schema.snapshot.prisma) to prisma/schema.prisma. Works offline.
//   npm run db:migration -- <name>
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../lib/db/embedded';
import { defaultMigrationsDir } from '../lib/db/migrator';
import { diffSchemas } from '../lib/db/schema-diff';

async function main() {
  const name = (process.argv[2] ?? '').replace(/[^a-z0-9_]+/gi, '_').toLowerCase();
  if (!name) throw new Error('usage: npm run db:migration -- <name>');
  const dir = defaultMigrationsDir();
  const snapshotPath = path.join(dir, 'schema.snapshot.prisma');
  const schema = await readFile('prisma/schema.prisma', 'utf8');
  const snapshot = existsSync(snapshotPath) ? await readFile(snapshotPath, 'utf8') : null;

  // The engine wants a reachable server even for a file-to-file diff.
  let scratch: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  let connectionString = process.env.DATABASE_URL;
  const scratchDir = path.join(os.tmpdir(), `sitebox-migration-${process.pid}`);
  if (!connectionString) {
    scratch = await startEmbeddedPostgres({ dataDir: path.join(scratchDir, 'pg'), port: 54399, database: 'scratch' });
    connectionString = scratch.url;
  }
  try {
    const sql = await diffSchemas({
      from: snapshot === null ? null : { path: 'schema.prisma', content: snapshot },
      to: { path: 'schema.prisma', content: schema },
      connectionString,
    });
    if (!/^\s*[A-Z]/m.test(sql.replace(/^--.*$/gm, ''))) {
      console.log('schema.prisma matches the last migration; nothing to write');
      return;
    }
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const target = path.join(dir, `${stamp}_${name}`);
    await mkdir(target, { recursive: true });
    await writeFile(path.join(target, 'migration.sql'), sql);
    await writeFile(snapshotPath, schema);
    await writeFile(path.join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');
    console.log(`wrote ${path.relative(process.cwd(), target)}/migration.sql`);
  } finally {
    await scratch?.stop();
    await rm(scratchDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

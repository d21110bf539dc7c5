import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

/** A migration as Prisma lays it out: prisma/migrations/<name>/migration.sql. */
export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationState {
  onDisk: string[];
  applied: string[];
  pending: string[];
  /** Applied migrations whose file changed since. */
  modified: string[];
}

export const defaultMigrationsDir = () => path.join(process.cwd(), 'prisma', 'migrations');

// Any fixed 64-bit key; every Sitebox process that migrates takes the same one.
const MIGRATION_LOCK_KEY = 7_301_952_044_107n;

// Prisma's own bookkeeping table, so `prisma migrate deploy` can take over on a connected machine.
const createBookkeeping = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"            VARCHAR(64) NOT NULL,
  "finished_at"         TIMESTAMPTZ,
  "migration_name"      VARCHAR(255) NOT NULL,
  "logs"                TEXT,
  "rolled_back_at"      TIMESTAMPTZ,
  "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export async function readMigrations(dir = defaultMigrationsDir()): Promise<MigrationFile[]> {
  // Read at run time from the checkout; the ignore comment keeps Next's tracer from taking the whole tree.
  const entries = await readdir(/*turbopackIgnore: true*/ dir, { withFileTypes: true }).catch(() => []);
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

async function appliedRows(client: pg.ClientBase) {
  const exists = await client.query(`SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS ok`);
  if (!exists.rows[0].ok) return [];
  const { rows } = await client.query<{ migration_name: string; checksum: string }>(
    `SELECT migration_name, checksum FROM "_prisma_migrations"
      WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  );
  return rows;
}

function compare(files: MigrationFile[], rows: { migration_name: string; checksum: string }[]): MigrationState {
  const applied = new Map(rows.map((r) => [r.migration_name, r.checksum]));
  return {
    onDisk: files.map((f) => f.name),
    applied: [...applied.keys()].sort(),
    pending: files.filter((f) => !applied.has(f.name)).map((f) => f.name),
    modified: files.filter((f) => applied.has(f.name) && applied.get(f.name) !== f.checksum).map((f) => f.name),
  };
}

/** The migrations this process was started with, read once: /api/health asks on every call. */
let shipped: Promise<MigrationFile[]> | null = null;

function shippedMigrations(): Promise<MigrationFile[]> {
  // Read and hashed once per process (38 files took ~10 ms of CPU a health check); a failed read
  // is tried again next time. Files changed on disk later belong to a version not yet running.
  shipped ??= readMigrations().catch((error: unknown) => {
    shipped = null;
    throw error;
  });
  return shipped;
}

/**
 * Which migrations are applied, pending or changed since they were applied: of `dir`, read now,
 * or by default of the ones this process was started with.
 */
export async function migrationState(options: { client: pg.ClientBase; dir?: string }): Promise<MigrationState> {
  const files = options.dir === undefined ? await shippedMigrations() : await readMigrations(options.dir);
  return compare(files, await appliedRows(options.client));
}

/**
 * Applies pending migrations, each in its own transaction, under an advisory lock so
 * processes that start together apply each migration exactly once.
 */
export async function migrate(options: { connectionString: string; dir?: string; log?: (message: string) => void }): Promise<{ applied: string[] }> {
  const files = await readMigrations(options.dir);
  const client = new pg.Client({ connectionString: options.connectionString, application_name: 'sitebox-migrator' });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    await client.query(createBookkeeping);
    // Read after taking the lock: another process may have just finished.
    const state = compare(files, await appliedRows(client));
    for (const name of state.modified) options.log?.(`migration ${name} changed after it was applied`);
    for (const file of files.filter((f) => state.pending.includes(f.name))) {
      await client.query('BEGIN');
      try {
        await client.query(file.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), file.checksum, file.name],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${file.name} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(file.name);
      options.log?.(`applied migration ${file.name}`);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]).catch(() => undefined);
    await client.end();
  }
  return { applied };
}

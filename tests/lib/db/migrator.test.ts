import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultMigrationsDir, migrate, migrationState, readMigrations } from '@/lib/db/migrator';
import { createEmptyDatabase } from '../../support/database';
import { withClient } from '../../support/postgres-admin';

type Row = { migration_name: string; checksum: string; finished_at: Date | null };

const bookkeeping = (url: string) =>
  withClient(
    url,
    async (c) => (await c.query<Row>(`SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name`)).rows,
  );

const tableExists = (url: string, table: string) =>
  withClient(url, async (c) => (await c.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [table])).rows[0].ok as boolean);

async function writeMigration(dir: string, name: string, sql: string) {
  await mkdir(path.join(dir, name), { recursive: true });
  await writeFile(path.join(dir, name, 'migration.sql'), sql);
}

describe('migrate on prisma/migrations', () => {
  it('applies every migration once, records it with its sha256, and applies nothing on a second run', async () => {
    const db = await createEmptyDatabase();
    const onDisk = await readFiles();
    expect(onDisk.length).toBeGreaterThan(0);

    expect((await migrate({ connectionString: db.url })).applied).toEqual(onDisk.map((f) => f.name));
    const rows = await bookkeeping(db.url);
    expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(onDisk.map((f) => [f.name, f.sha256]));
    expect(rows.every((r) => r.finished_at instanceof Date)).toBe(true);

    expect((await migrate({ connectionString: db.url })).applied).toEqual([]);
    expect(await bookkeeping(db.url)).toHaveLength(onDisk.length);
    await db.drop();
  });

  it('lets two processes that start together apply each migration exactly once', async () => {
    const db = await createEmptyDatabase();
    const onDisk = await readFiles();
    const [first, second] = await Promise.all([migrate({ connectionString: db.url }), migrate({ connectionString: db.url })]);
    // Whoever got the lock first did all the work; the other found nothing left.
    expect([...first.applied, ...second.applied].sort()).toEqual(onDisk.map((f) => f.name));
    expect([first.applied.length, second.applied.length].sort()).toEqual([0, onDisk.length]);
    const counts = await withClient(
      db.url,
      async (c) =>
        (
          await c.query<{ migration_name: string; n: number }>(
            `SELECT migration_name, count(*)::int AS n FROM "_prisma_migrations" GROUP BY migration_name ORDER BY 1`,
          )
        ).rows,
    );
    expect(counts).toEqual(onDisk.map((f) => ({ migration_name: f.name, n: 1 })));
    await db.drop();
  });
});

describe('migrate on a scratch migrations folder', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-migrations-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('rolls a failing migration back entirely, names it, and stops there', async () => {
    const migrations = path.join(dir, 'failing');
    await writeMigration(migrations, '001_first', 'CREATE TABLE first (id int PRIMARY KEY);');
    // The first statement succeeds; the second fails: nothing of 002 may remain.
    await writeMigration(migrations, '002_broken', 'CREATE TABLE second (id int);\nINSERT INTO missing_table VALUES (1);');
    await writeMigration(migrations, '003_after', 'CREATE TABLE third (id int);');
    const db = await createEmptyDatabase();

    await expect(migrate({ connectionString: db.url, dir: migrations })).rejects.toThrow(
      /^migration 002_broken failed: relation "missing_table" does not exist/,
    );
    expect(await tableExists(db.url, 'first')).toBe(true);
    expect(await tableExists(db.url, 'second')).toBe(false);
    expect(await tableExists(db.url, 'third')).toBe(false);
    expect((await bookkeeping(db.url)).map((r) => r.migration_name)).toEqual(['001_first']);

    const state = await withClient(db.url, (client) => migrationState({ client, dir: migrations }));
    expect(state.pending).toEqual(['002_broken', '003_after']);
    await db.drop();
  });

  it('migrationState reports pending and modified migrations', async () => {
    const migrations = path.join(dir, 'state');
    await writeMigration(migrations, '001_first', 'CREATE TABLE first (id int);');
    await writeMigration(migrations, '002_second', 'CREATE TABLE second (id int);');
    const db = await createEmptyDatabase();
    const state = () => withClient(db.url, (client) => migrationState({ client, dir: migrations }));

    expect(await state()).toEqual({
      onDisk: ['001_first', '002_second'],
      applied: [],
      pending: ['001_first', '002_second'],
      modified: [],
    });
    await migrate({ connectionString: db.url, dir: migrations });
    expect(await state()).toMatchObject({ applied: ['001_first', '002_second'], pending: [], modified: [] });

    // Editing an applied migration is reported, never re-run; a new folder is pending.
    await writeMigration(migrations, '002_second', 'CREATE TABLE second (id bigint);');
    await writeMigration(migrations, '003_third', 'CREATE TABLE third (id int);');
    expect(await state()).toMatchObject({ pending: ['003_third'], modified: ['002_second'] });

    const log: string[] = [];
    expect((await migrate({ connectionString: db.url, dir: migrations, log: (m) => log.push(m) })).applied).toEqual(['003_third']);
    expect(log).toContain('migration 002_second changed after it was applied');
    await db.drop();
  });
});

describe('migrationState of the migrations this process started with', () => {
  it('reads them once: a folder added later is not pending for the running version, though asked by folder it is', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'sitebox-shipped-'));
    const shipped = path.join(root, 'prisma', 'migrations');
    await writeMigration(shipped, '001_first', 'CREATE TABLE first (id int);');
    const cwd = process.cwd();
    const db = await createEmptyDatabase();
    try {
      process.chdir(root);
      // A module of its own: what another test of this file read stays out of it.
      vi.resetModules();
      const fresh = await import('@/lib/db/migrator');
      const state = () => withClient(db.url, (client) => fresh.migrationState({ client }));
      expect(await state()).toMatchObject({ onDisk: ['001_first'], pending: ['001_first'] });
      await fresh.migrate({ connectionString: db.url });
      await writeMigration(shipped, '002_second', 'CREATE TABLE second (id int);');
      expect(await state()).toEqual({ onDisk: ['001_first'], applied: ['001_first'], pending: [], modified: [] });
      const byFolder = await withClient(db.url, (client) => fresh.migrationState({ client, dir: shipped }));
      expect(byFolder.pending).toEqual(['002_second']);
    } finally {
      process.chdir(cwd);
      await db.drop();
      await rm(root, { recursive: true, force: true });
    }
  });
});

/** prisma/migrations as the migrator should see it, with checksums computed independently. */
async function readFiles() {
  const files = await readMigrations(defaultMigrationsDir());
  return Promise.all(
    files.map(async (f) => {
      const sql = await readFile(path.join(defaultMigrationsDir(), f.name, 'migration.sql'));
      return { name: f.name, sha256: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

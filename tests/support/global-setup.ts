// Runs once per `vitest run`, in the main process: picks a PostgreSQL server, builds one migrated
// template database, and hands its coordinates to the test files (see tests/support/database.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../lib/db/embedded';
import { migrate } from '../../lib/db/migrator';
import { freePort } from '../../lib/net/free-port';
import { createDatabase, databaseUrl, randomSuffix, withClient } from './postgres-admin';

/** Where test files create their databases. */
export interface TestDatabaseServer {
  /** A connection string with the right to CREATE DATABASE. */
  adminUrl: string;
  /** A migrated database, copied per test file with CREATE DATABASE ... TEMPLATE. */
  template: string;
  /** Every database this run creates starts with it, so the teardown can find leftovers. */
  prefix: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabaseServer: TestDatabaseServer;
  }
}

export default async function setup(project: TestProject) {
  const prefix = `sitebox_test_${randomSuffix(3)}`;
  const template = `${prefix}_template`;
  let embedded: { server: EmbeddedDatabase; dir: string } | undefined;
  let adminUrl: string;

  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
    await createDatabase({ adminUrl, name: template });
  } else {
    // A user's machine has no PostgreSQL: run a throwaway one. The data folder's parent must be
    // our own temp folder, since startEmbeddedPostgres opens the parent up when running as root.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-test-pg-'));
    const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pgdata'), port: await freePort(), database: template }).catch(
      async (error) => {
        await rm(dir, { recursive: true, force: true });
        throw error;
      },
    );
    embedded = { server, dir };
    adminUrl = server.adminUrl;
    // Durability is worthless for a cluster deleted at the end of the run; skipping it is faster.
    await withClient(adminUrl, async (c) => {
      for (const setting of ['fsync', 'synchronous_commit', 'full_page_writes']) {
        await c.query(`ALTER SYSTEM SET ${setting} = off`);
      }
      await c.query('SELECT pg_reload_conf()');
    });
  }

  const admin = adminUrl;
  const teardown = async () => {
    if (embedded) {
      await embedded.server.stop();
      await rm(embedded.dir, { recursive: true, force: true });
      return;
    }
    // On a shared server, remove this run's databases, including any a crashed file left behind.
    await withClient(admin, async (c) => {
      const { rows } = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, [`${prefix}_`]);
      for (const { datname } of rows) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    });
  };

  try {
    await migrate({ connectionString: databaseUrl(adminUrl, template) });
    // CREATE DATABASE ... TEMPLATE fails while anyone is connected to the template; keep everyone out.
    await withClient(adminUrl, (c) => c.query(`ALTER DATABASE "${template}" WITH ALLOW_CONNECTIONS false`));
  } catch (error) {
    await teardown();
    throw error;
  }

  project.provide('testDatabaseServer', { adminUrl, template, prefix });
  // Test processes inherit this environment. A test that uses pool() or prisma() without
  // useTestDatabase() must fail, not write into the developer's own (or running) database.
  const inherited = process.env.DATABASE_URL;
  process.env.DATABASE_URL = 'postgresql://call-useTestDatabase-first@127.0.0.1:1/none';
  return async () => {
    if (inherited === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = inherited;
    await teardown();
  };
}

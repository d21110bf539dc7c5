// Per-file databases on the server chosen by tests/support/global-setup.ts.
import { afterAll, inject } from 'vitest';
import { resetConfig } from '../../lib/config';
import { closePool } from '../../lib/db/pool';
import { createDatabase, databaseUrl, dropDatabase, randomSuffix } from './postgres-admin';

const created = new Set<string>();
const originalDatabaseUrl = process.env.DATABASE_URL;
let pointedAtTestDatabase = false;

// Imported on demand: loading the generated Prisma client costs files that never use it ~0.2 s.
async function closeSharedClients() {
  const { closePrisma } = await import('../../lib/db/prisma');
  await Promise.all([closePool(), closePrisma()]);
}

// Registered when a test file imports this module, so it runs after that file's tests. Hooks
// cannot be registered from inside the beforeAll that calls useTestDatabase(), hence here.
afterAll(async () => {
  if (pointedAtTestDatabase) {
    await closeSharedClients();
    if (originalDatabaseUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = originalDatabaseUrl;
    resetConfig();
    pointedAtTestDatabase = false;
  }
  const { adminUrl } = inject('testDatabaseServer');
  for (const name of [...created]) {
    await dropDatabase({ adminUrl, name });
    created.delete(name);
  }
});

function newName() {
  return `${inject('testDatabaseServer').prefix}_${randomSuffix()}`;
}

/**
 * Creates a fresh migrated database for the calling test file (CREATE DATABASE ... TEMPLATE),
 * points process.env.DATABASE_URL at it and calls resetConfig(), so lib/db/pool.ts pool() and
 * lib/db/prisma.ts prisma() use it. Call in beforeAll. Drops it in afterAll (closing
 * pool()/prisma() first via closePool/closePrisma).
 */
export async function useTestDatabase(): Promise<{ url: string; adminUrl: string; name: string }> {
  const { adminUrl, template } = inject('testDatabaseServer');
  const name = newName();
  await createDatabase({ adminUrl, name, template });
  created.add(name);
  // A second call in the same file moves the shared pool and client to the new database.
  await closeSharedClients();
  const url = databaseUrl(adminUrl, name);
  process.env.DATABASE_URL = url;
  resetConfig();
  pointedAtTestDatabase = true;
  return { url, adminUrl, name };
}

/** A new empty (unmigrated) database, for migrator tests. */
export async function createEmptyDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const { adminUrl } = inject('testDatabaseServer');
  const name = newName();
  // template0: nothing a server's template1 may carry (extensions, tables) leaks in.
  await createDatabase({ adminUrl, name, template: 'template0' });
  created.add(name);
  return {
    url: databaseUrl(adminUrl, name),
    name,
    async drop() {
      await dropDatabase({ adminUrl, name });
      created.delete(name);
    },
  };
}

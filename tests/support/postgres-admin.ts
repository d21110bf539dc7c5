// Small helpers for creating and dropping whole databases; shared by the global setup and the tests.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** `url` with its database replaced by `database`. */
export function databaseUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** A short random suffix that is valid in an unquoted PostgreSQL identifier. */
export function randomSuffix(bytes = 4): string {
  return randomBytes(bytes).toString('hex');
}

export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'sitebox-tests' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createDatabase(options: { adminUrl: string; name: string; template?: string }): Promise<void> {
  const template = options.template ? ` TEMPLATE ${pg.escapeIdentifier(options.template)}` : '';
  await withClient(options.adminUrl, (c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(options.name)}${template}`));
}

/** Drops the database even if a test left connections open (FORCE needs PostgreSQL 13+). */
export async function dropDatabase(options: { adminUrl: string; name: string }): Promise<void> {
  await withClient(options.adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(options.name)} WITH (FORCE)`));
}

import pg from 'pg';
import { config } from '../config';
import { logIdleConnectionErrors } from './pool-errors';

// On globalThis: Next.js bundles each route separately, and the process keeps one pool for all of them.
const globalForPool = globalThis as unknown as { siteboxPool?: pg.Pool };

/** The process-wide pg pool, for hot paths, LISTEN/NOTIFY and COPY. */
export function pool(): pg.Pool {
  globalForPool.siteboxPool ??= logIdleConnectionErrors(
    new pg.Pool({
      connectionString: config().databaseUrl,
      max: 10,
      connectionTimeoutMillis: 10_000,
      application_name: `sitebox-${process.env.SITEBOX_PROCESS ?? 'server'}`,
    }),
    'pg',
  );
  return globalForPool.siteboxPool;
}

export async function closePool(): Promise<void> {
  const p = globalForPool.siteboxPool;
  globalForPool.siteboxPool = undefined;
  await p?.end();
}

import pg from 'pg';
import { config } from '../config';
import { processSlot } from '../process-singleton';
import { logIdleConnectionErrors } from './pool-errors';

const slot = processSlot<pg.Pool>('pool');

/**
 * The process's one pg pool: hot paths, COPY and transactions use it directly, and Prisma's
 * adapter runs on it too (lib/db/prisma.ts), so a process never holds two sets of connections.
 */
export function pool(options: { idleTimeoutMillis?: number } = {}): pg.Pool {
  let current = slot.get();
  if (!current) {
    current = logIdleConnectionErrors(
      new pg.Pool({
        connectionString: config().databaseUrl,
        // Sized for both raw queries and Prisma, which once had a pool of 10 each.
        max: 20,
        // Only the first call's choice counts: it makes the pool.
        idleTimeoutMillis: options.idleTimeoutMillis ?? 10_000,
        connectionTimeoutMillis: 10_000,
        application_name: `sitebox-${process.env.SITEBOX_PROCESS ?? 'server'}`,
      }),
      'pg',
    );
    slot.set(current);
  }
  return current;
}

/** Ends the pool (Prisma's client with it); the next pool() opens a new one, e.g. on another database. */
export async function closePool(): Promise<void> {
  const p = slot.get();
  slot.set(undefined);
  await p?.end();
}

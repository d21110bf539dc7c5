import type pg from 'pg';
import { componentLogger } from '../logger';

const log = componentLogger('database');

/**
 * An idle pooled connection that the server ends (restart, failover, admin command) emits
 * 'error' on its pool; unheard, that would crash the process. The pool drops the connection and
 * opens a new one on the next query, so a warning is all it needs.
 */
export function logIdleConnectionErrors(pool: pg.Pool, name: string): pg.Pool {
  pool.on('error', (error) => log.warn({ err: error, pool: name }, 'an idle database connection was closed by the server'));
  return pool;
}

import type pg from 'pg';
import type { Logger } from 'pino';
import { componentLogger } from '../logger';

const log = componentLogger('database');

// admin_shutdown, crash_shutdown, cannot_connect_now: the server is stopping or starting.
const SHUTDOWN_STATES = new Set(['57P01', '57P02', '57P03']);
// Nothing listens, or the connection was cut: the server is gone for now.
const GONE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET']);

/** The error says the database server is stopping, restarting or away — expected, not a fault of ours. */
export function isDatabaseGoingAway(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (SHUTDOWN_STATES.has(code) || GONE_CODES.has(code));
}

// What pg says of a connection cut under a client: as it happens, or to the next query sent on it.
const CUT_MESSAGES = new Set([
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
]);

/**
 * The error says the database could not be used just now: the server stopping or away, or the
 * connection a request was using cut under it (pg's own message, or Prisma's P1001/P1017).
 * Nothing of the request was committed, so it can be sent again.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (isDatabaseGoingAway(error)) return true;
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'P1001' || code === 'P1017' || (typeof message === 'string' && CUT_MESSAGES.has(message));
}

/**
 * Logs a failed database step: a server going away (a stop, a restart) or a connection cut under
 * it as a warning with its code and reason and no stack, as it needs no fixing; anything else as
 * an error with its stack.
 */
export function logDatabaseFailure(target: Logger, error: unknown, message: string): void {
  if (isDatabaseGoingAway(error)) {
    const { code, message: reason } = error as { code: string; message: string };
    target.warn({ code, reason }, `${message}: the database server is stopping or away`);
  } else if (isDatabaseUnavailable(error)) {
    // A connection cut under the work (pg_terminate_backend, a failover): as expected, and the work
    // is tried again. Often what surfaces is not the server's 57P01 but the next statement on the
    // dead connection (an unlock or a ROLLBACK in a finally), which has no SQLSTATE.
    const { code, message: reason } = error as { code?: string; message: string };
    target.warn({ code, reason }, `${message}: its database connection was cut`);
  } else {
    target.error({ err: error }, message);
  }
}

function warnClosed(pool: string, error: Error, message: string): void {
  if (isDatabaseGoingAway(error)) log.warn({ pool, code: (error as { code?: string }).code, reason: error.message }, message);
  else log.warn({ err: error, pool }, message);
}

/**
 * An idle pooled connection that the server ends (restart, failover, admin command) emits
 * 'error' on its pool; unheard, that would crash the process. The pool drops the connection and
 * opens a new one on the next query, so a warning is all it needs.
 *
 * A connection checked out of the pool and ended between two of its queries (a transaction doing
 * work of its own, a lock held while batches run on other connections) emits 'error' on its
 * client, where the pool no longer listens: unheard, that too would crash the process — every
 * worker sharing it, or the console and management point. Heard here, its next query fails as the
 * connection is gone, the caller's transaction rolls back as on any failure, and the release drops it.
 */
export function logIdleConnectionErrors(pool: pg.Pool, name: string): pg.Pool {
  pool.on('error', (error) => warnClosed(name, error, 'an idle database connection was closed by the server'));
  pool.on('connect', (client) => {
    client.on('error', (error) => {
      // While idle the pool listens too, and reports it through its own 'error' above.
      if (client.listenerCount('error') > 1) return;
      warnClosed(name, error, 'a database connection in use was closed by the server');
    });
  });
  return pool;
}

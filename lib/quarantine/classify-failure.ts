/**
 * Whether a failure lies in the item itself (a poison item: the same item fails every time) or
 * in the moment (the database is down, a connection dropped, a deadlock): decided once, here,
 * from PostgreSQL's SQLSTATE and nothing else of the message text.
 */

/** SQLSTATE classes caused by the data of the statement: retrying the same item fails the same way. */
const POISON_CLASSES = new Set([
  '22', // data exception: out of range, invalid text (lone surrogates in jsonb), bad date
  '23', // integrity constraint violation
  '54', // program limit exceeded: a value too large for an index row, too many columns
]);

/** Errors JavaScript raises on the item's own data while a consumer reads it. */
const POISON_ERROR_NAMES = new Set(['RangeError', 'TypeError', 'SyntaxError', 'ZodError']);

export type FailureKind = 'poison' | 'transient';

/** The SQLSTATE of a database error, or null. */
export function sqlState(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

/**
 * Poison: SQLSTATE class 22, 23 or 54, or a data error JavaScript raised on the item. Everything
 * else is transient and keeps the consumer's retry: connection failures (class 08, 57P, Node's
 * ECONNRESET/ECONNREFUSED), serialization failures and deadlocks (40001, 40P01), a statement
 * cancelled or timed out (57014), and any error this function does not recognise, so a fault
 * that is not the item's is never answered by setting items aside.
 */
export function classifyFailure(error: unknown): FailureKind {
  const state = sqlState(error);
  if (state) return POISON_CLASSES.has(state.slice(0, 2)) ? 'poison' : 'transient';
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && POISON_ERROR_NAMES.has(name) ? 'poison' : 'transient';
}

export const isPoison = (error: unknown) => classifyFailure(error) === 'poison';

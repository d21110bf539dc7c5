import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { isDatabaseUnavailable } from '../db/pool-errors';
import { AppError } from '../errors';

/** An API error as status, headers and JSON body, for any server that sends it. */
export interface ErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: { error: { code: string; message: string; fields?: { path: string; message: string }[]; details?: unknown; requestId?: string } };
}

function fieldPath(path: PropertyKey[]): string {
  return path.map(String).join('.');
}

/**
 * Maps a failure to what the client is told: ZodError → 400 naming each field, AppError → its
 * status (and Retry-After), a database that could not be used → 503 with Retry-After, anything
 * else → 500 without internals (logged with the request id).
 */
export function errorAnswer(error: unknown, log: Logger, requestId: string): ErrorAnswer {
  if (error instanceof ZodError) {
    const fields = error.issues.map((i) => ({ path: fieldPath(i.path), message: i.message }));
    const first = fields[0];
    const message = first ? `${first.path || 'request'}: ${first.message}` : 'The request is not valid.';
    return { status: 400, headers: {}, body: { error: { code: 'BAD_REQUEST', message, fields } } };
  }
  if (error instanceof AppError) {
    if (error.status >= 500) log.error({ err: error }, 'request failed');
    const details = error.details as { fields?: { path: string; message: string }[] } | undefined;
    const headers: Record<string, string> = {};
    if (error.retryAfterSeconds !== undefined) headers['Retry-After'] = String(error.retryAfterSeconds);
    return {
      status: error.status,
      headers,
      body: { error: { code: error.code, message: error.userMessage, fields: details?.fields ?? [], details: error.details } },
    };
  }
  if (isDatabaseUnavailable(error)) {
    // Nothing was committed: the client may send the request again once the database is back.
    log.warn({ code: (error as { code?: unknown }).code, reason: (error as Error).message }, 'the database could not be used for this request');
    return {
      status: 503,
      headers: { 'Retry-After': '5' },
      body: { error: { code: 'UNAVAILABLE', message: 'The database is not reachable just now; try again in a moment.', requestId } },
    };
  }
  log.error({ err: error }, 'unexpected error');
  return { status: 500, headers: {}, body: { error: { code: 'INTERNAL', message: 'Something went wrong on the server.', requestId } } };
}

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { declaredLength, readNodeBodyBytes } from '../http/read-body';
import { errorAnswer } from '../http/error-answer';
import { logger } from '../logger';
import { ingestStatusRequest } from './1-ingest-status-request';

export const STATUS_INGEST_PATH = '/api/mp/status-messages';

// What the proxy adds to every answer Next.js gives; these answers never pass through it.
const FAST_PATH_HEADERS = { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' } as const;

/** Whether server.ts should answer this request with serveStatusIngest rather than Next.js. */
export function isStatusIngest(req: IncomingMessage): boolean {
  return req.method === 'POST' && (req.url === STATUS_INGEST_PATH || req.url?.startsWith(`${STATUS_INGEST_PATH}?`) === true);
}

/**
 * The status message ingest on Node's HTTP server directly. In a flood it is the busiest path
 * of a management point: hundreds of batch requests a second that need no page rendering,
 * cookies or router, so they skip the framework's request and stream plumbing. Answers exactly
 * as the route in app/api/mp/status-messages does (same function, same error JSON).
 */
export async function serveStatusIngest(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = (req.headers['x-request-id'] as string | undefined)?.slice(0, 64) || randomUUID();
  const log = logger.child({ requestId, method: 'POST', path: STATUS_INGEST_PATH });
  try {
    const result = await ingestStatusRequest({
      authorization: req.headers.authorization ?? null,
      declaredBytes: declaredLength(req.headers['content-length']),
      readBody: (maxBytes) => readNodeBodyBytes(req, maxBytes),
      log,
    });
    // no-transform: a few bytes of JSON are not worth compressing, 500 times a second.
    res.writeHead(202, { ...FAST_PATH_HEADERS, 'Cache-Control': 'no-store, no-transform' });
    res.end(JSON.stringify(result));
  } catch (error) {
    const answer = errorAnswer(error, log, requestId);
    const headers: Record<string, string> = { ...answer.headers, ...FAST_PATH_HEADERS };
    // A refused body may still be arriving; do not keep the connection to read the rest.
    if (!req.complete) headers.Connection = 'close';
    res.writeHead(answer.status, headers);
    res.end(JSON.stringify(answer.body));
  }
}

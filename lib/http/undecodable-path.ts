import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Whether the request's path holds an escape that does not decode (`%E0%A4%A`, `%ZZ`): a route's
 * path parameter could never be read from it, and Next.js answers it with a 500.
 */
export function hasUndecodablePath(req: IncomingMessage): boolean {
  try {
    decodeURIComponent((req.url ?? '/').split('?', 1)[0]);
    return false;
  } catch {
    return true;
  }
}

/** The client's error, answered as every API error is: 400 naming the path. */
export function refuseUndecodablePath(res: ServerResponse): void {
  res.writeHead(400, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' });
  res.end(
    JSON.stringify({
      error: {
        code: 'BAD_REQUEST',
        message: 'path: is not valid percent-encoding',
        fields: [{ path: 'path', message: 'is not valid percent-encoding' }],
      },
    }),
  );
}

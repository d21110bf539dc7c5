import type { ServerResponse } from 'node:http';

/**
 * The request target in origin form (`/path?query`), as routes read it. A client talking to a proxy
 * sends the absolute form (`GET http://host/path`), which a server must accept as well; Next.js
 * answered it with a redirect to the same URL, a loop. Null for a target that names no path of an
 * HTTP URL: the asterisk form (`OPTIONS *`), a bad authority (`http://[::1`), another scheme.
 */
export function originFormTarget(target: string | undefined): string | null {
  if (!target) return null;
  if (target.startsWith('/')) return target;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  // The path as sent, escapes and all: URL only normalises it, and a bad escape is refused later.
  return url.pathname + url.search;
}

/** A request line naming no URL a route could read: 400, naming it, as every API error is shaped. */
export function refuseRequestTarget(res: ServerResponse): void {
  res.writeHead(400, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' });
  res.end(
    JSON.stringify({ error: { code: 'BAD_REQUEST', message: 'url: is not a valid URL', fields: [{ path: 'url', message: 'is not a valid URL' }] } }),
  );
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { NextRequest } from 'next/server';
import { CLIENT_ADDRESS_HEADER } from './client-address';
import { refuseRequestTarget } from './request-target';
import { refuseUndecodablePath } from './undecodable-path';

/** A route handler as app/api exports it (`GET`, `POST`): a request in, a Response out. */
export type RouteHandler = (req: NextRequest, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

/** A route's path with `[name]` segments as a pattern: the segment's text is the handler's `params.name`. */
function pathPattern(path: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      const param = /^\[(\w+)\]$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|\\]/g, '\\$&');
      names.push(param[1]);
      return '([^/]+)';
    })
    .join('/');
  return { regex: new RegExp(`^${source}$`), names };
}

/**
 * The request's URL, its host from the Host header — or, when that names no host (`a b`, `[::1`,
 * an empty one, which a client may send), this server: the path is what routes the request. Null
 * when the request line itself names no URL (`GET http://[bad/ HTTP/1.1`).
 */
function requestUrl(req: IncomingMessage, scheme: 'http' | 'https'): URL | null {
  for (const host of [req.headers.host ?? 'localhost', 'localhost']) {
    try {
      return new URL(req.url ?? '/', `${scheme}://${host}`);
    } catch {
      // The next host, or none.
    }
  }
  return null;
}

/**
 * Serves route handlers on Node's HTTP server without the Next.js server — for a management
 * point process, which answers a handful of client endpoints and renders no page. `routes` maps
 * a method and path as app/ names it (`POST /api/mp/register`, `GET /api/mp/scripts/[hash]`) to
 * its handler; anything else is a 404.
 */
export function serveRouteHandlers(routes: Readonly<Record<string, RouteHandler>>) {
  const table = Object.entries(routes).map(([key, handler]) => {
    const [method, path] = key.split(' ');
    return { method, ...pathPattern(path), handler };
  });
  const find = (method: string | undefined, pathname: string) => {
    for (const route of table) {
      const match = route.method === method ? route.regex.exec(pathname) : null;
      if (match)
        return { handler: route.handler, params: Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(match[i + 1])])) };
    }
    return null;
  };
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const secure = (req.socket as TLSSocket).encrypted === true;
    const url = requestUrl(req, secure ? 'https' : 'http');
    if (!url) return refuseRequestTarget(res);
    let found: ReturnType<typeof find>;
    try {
      found = find(req.method, url.pathname);
    } catch {
      // A path parameter that is not valid percent-encoding (`%E0%A4%A`): the client's fault.
      return refuseUndecodablePath(res);
    }
    if (!found) {
      res.writeHead(404, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' });
      res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: `${req.method} ${url.pathname} is not served by a management point.` } }));
      return;
    }
    // As server.ts does for Next.js: the handlers learn the peer's address from this header only.
    req.headers[CLIENT_ADDRESS_HEADER] = req.socket.remoteAddress ?? 'unknown';
    if (secure) req.headers['x-forwarded-proto'] = 'https';
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, v);
    }
    const request = new NextRequest(url, {
      method: req.method,
      headers,
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : (Readable.toWeb(req) as ReadableStream<Uint8Array>),
      duplex: 'half',
    } as ConstructorParameters<typeof NextRequest>[1]);
    const response = await found.handler(request, { params: Promise.resolve(found.params) });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (!response.body) return void res.end();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
    res.end();
  };
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { NextRequest } from 'next/server';
import { CLIENT_ADDRESS_HEADER } from './client-address';

/** A route handler as app/api exports it (`GET`, `POST`): a request in, a Response out. */
export type RouteHandler = (req: NextRequest, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

/**
 * Serves route handlers on Node's HTTP server without the Next.js server — for a management
 * point process, which answers a handful of client endpoints and renders no page. `routes` maps
 * a method and exact path (`POST /api/mp/register`) to its handler; anything else is a 404.
 */
export function serveRouteHandlers(routes: Readonly<Record<string, RouteHandler>>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const secure = (req.socket as TLSSocket).encrypted === true;
    const url = new URL(req.url ?? '/', `${secure ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`);
    const handler = routes[`${req.method} ${url.pathname}`];
    if (!handler) {
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
    const response = await handler(request, { params: Promise.resolve({}) });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (!response.body) return void res.end();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
    res.end();
  };
}
